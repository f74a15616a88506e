"""``manage.py load_demo``: the demo organization, its workspaces, accounts and data."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from relais.core.demo import DEMO_PASSWORD, registered_demos
from relais.crm.demo.platform import demo_organization
from relais.training.demo import demo_load

BAR_WIDTH = 30


def _count(value: str, option: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise CommandError(
            _("%(option)s attend un nombre entier, pas « %(value)s ».")
            % {"option": option, "value": value}
        ) from None
    if count < 0:
        raise CommandError(
            _("%(option)s doit être positif ou nul (reçu : %(count)s).")
            % {"option": option, "count": count}
        )
    return count


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation (``--help`` would crash).
    help = (
        "Crée l'organisation de démonstration « Relais Auto Formation » : une concession remplie "
        "de clients générés, une base école, la « Session de démonstration » et le bac à sable de "
        "l'apprenant cloné de la base école, et un compte par rôle (mot de passe « relais-demo »). "
        "Ne fait rien si elle existe déjà, sauf avec --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            default="300",
            metavar="N",
            help=_("clients de la concession de démonstration (300 par défaut)"),
        )
        parser.add_argument(
            "--template-customers",
            default="600",
            metavar="N",
            help=_("clients de la base école (600 par défaut)"),
        )
        parser.add_argument(
            "--seed",
            default="2025",
            metavar="N",
            help=_(
                "graine du générateur : la même graine donne les mêmes données (2025 par défaut)"
            ),
        )
        parser.add_argument(
            "--modules",
            default="all",
            metavar="M1,M2",
            help=_(
                "démonstrations des autres modules à charger après le CRM, séparées par des "
                "virgules (community, frontdoor, journeys…) ; « all » (par défaut) pour toutes, "
                "une valeur vide pour aucune"
            ),
        )
        parser.add_argument(
            "--reset", action="store_true",
            help=_("supprime l'organisation de démonstration existante et la recrée"),
        )  # fmt: skip

    def handle(self, *args, **options):
        sizes = {
            "customers": _count(options["customers"], "--customers"),
            "template_customers": _count(options["template_customers"], "--template-customers"),
        }
        seed = _count(options["seed"], "--seed")
        modules = self._modules(options["modules"])
        if demo_organization() is not None and not options["reset"]:
            self.stdout.write(
                _(
                    "L'organisation de démonstration « Relais Auto Formation » existe déjà : "
                    "elle reste telle quelle (--reset pour la recréer)."
                )
            )
        else:
            self._load_crm(sizes, seed, reset=options["reset"])
        for module in modules:
            self.stdout.write(_("%(module)s…") % {"module": module.label})
            started = time.monotonic()
            try:
                logins = module.load(reset=options["reset"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            seconds = number_format(time.monotonic() - started, 1)
            self.stdout.write(_("Terminé en %(seconds)s s.") % {"seconds": seconds})
            for login in logins:
                self.stdout.write(f"  {login.username:<24} {login.role:<24} {login.where}")

    def _modules(self, value: str) -> list:
        known = registered_demos()
        if value.strip() == "all":
            return known
        wanted = [key.strip() for key in value.split(",") if key.strip()]
        unknown = sorted(set(wanted) - {module.key for module in known})
        if unknown:
            raise CommandError(
                _("Module inconnu pour --modules : %(unknown)s (modules : %(known)s).")
                % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(module.key for module in known),
                }
            )
        return [module for module in known if module.key in wanted]

    def _load_crm(self, sizes: dict, seed: int, *, reset: bool) -> None:
        if reset and demo_organization() is not None:
            self.stdout.write(_("Remplacement de l'organisation de démonstration existante…"))
        else:
            self.stdout.write(_("Création de l'organisation « Relais Auto Formation »…"))
        started = time.monotonic()
        try:
            _organization, accounts, _users = demo_load(
                **sizes, seed=seed, replace=reset, progress=self._progress
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        seconds = number_format(time.monotonic() - started, 1)
        self.stdout.write(_("Terminé en %(seconds)s s.") % {"seconds": seconds})
        self.stdout.write("")
        self.stdout.write(
            _("Comptes de démonstration (mot de passe : %(password)s) :")
            % {"password": DEMO_PASSWORD}
        )
        for account in accounts:
            workspaces = ", ".join(account.workspaces)
            self.stdout.write(f"  {account.username:<12} {account.role.label:<15} {workspaces}")

    def _progress(self, workspace: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"  {workspace:<30} [{bar}] {done}/{total} " + _("clients")
        if self.stdout.isatty():
            self.stdout.write("\r" + line, ending="" if done < total else "\n")
            self.stdout.flush()
        else:
            self.stdout.write(line)
