"""``manage.py generate_school_db``: create a school database (a template workspace)."""

import datetime
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from relais.core.organizations.models import Organization
from relais.crm.models import Activity, Customer, Invoice, Lead, Vehicle
from relais.training.services.school import (
    DEFAULT_CUSTOMERS,
    MAX_CUSTOMERS,
    school_base_generate_by_operator,
)


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise CommandError(
            _("Nombre de clients invalide : « %(value)s » (entier attendu).") % {"value": value}
        ) from None
    if not 0 <= count <= MAX_CUSTOMERS:
        raise CommandError(_("Le nombre de clients doit être compris entre 0 et 100 000."))
    return count


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise CommandError(
            _("Graine invalide : « %(value)s » (entier positif attendu).") % {"value": value}
        ) from None
    if seed < 0:
        raise CommandError(_("La graine doit être un entier positif."))
    return seed


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Date invalide : « %(value)s » (format AAAA-MM-JJ attendu).") % {"value": value}
        ) from None


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation.
    help = (
        "Crée une base école : un espace modèle rempli de clients, véhicules, factures, "
        "activités et leads générés, datés pour le jour de référence, avec environ 5 % "
        "d'anomalies volontaires (doublons, homonymes, fautes…)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            default=str(DEFAULT_CUSTOMERS),
            help=_("nombre de clients, de 0 à 100 000 (600 par défaut)"),
        )
        parser.add_argument("--seed", default="1", help=_("graine du tirage (1 par défaut)"))
        parser.add_argument(
            "--today", default=None, help=_("jour de référence AAAA-MM-JJ (aujourd'hui par défaut)")
        )
        parser.add_argument("--name", required=True, help=_("nom de la base école"))
        parser.add_argument(
            "--organization",
            default=None,
            metavar="SLUG",
            help=_("organisation (identifiant) ; facultatif s'il n'y en a qu'une"),
        )

    def _organization(self, slug: str | None) -> Organization:
        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(_("Organisation introuvable : « %(slug)s ».") % {"slug": slug})
            return organization
        organizations = list(Organization.objects.order_by("pk")[:2])
        if not organizations:
            raise CommandError(
                _("Aucune organisation : créez-en une (ou lancez load_demo) avant la base école.")
            )
        if len(organizations) > 1:
            raise CommandError(_("Plusieurs organisations : précisez --organization SLUG."))
        return organizations[0]

    def handle(self, *args, **options):
        customers = _count(options["customers"])
        seed = _seed(options["seed"])
        today = _day(options["today"]) if options["today"] else None
        organization = self._organization(options["organization"])
        started = time.monotonic()
        try:
            school_base = school_base_generate_by_operator(
                organization=organization,
                name=options["name"],
                customers=customers,
                seed=seed,
                today=today,
                progress=self._progress,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        workspace = school_base.workspace
        seconds = number_format(time.monotonic() - started, 1)
        self.stdout.write(
            _("Base école « %(name)s » créée en %(seconds)s s — espace %(id)s.")
            % {"name": workspace.name, "seconds": seconds, "id": workspace.public_id}
        )
        counts = {
            _("clients"): Customer.objects.in_workspace(workspace).count(),
            _("véhicules"): Vehicle.objects.in_workspace(workspace).count(),
            _("factures"): Invoice.objects.in_workspace(workspace).count(),
            _("activités"): Activity.objects.in_workspace(workspace).count(),
            _("leads"): Lead.objects.in_workspace(workspace).count(),
            _("anomalies"): school_base.anomalies.count(),
        }
        self.stdout.write(", ".join(f"{count} {label}" for label, count in counts.items()) + ".")

    def _progress(self, done: int, total: int) -> None:
        if not total:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total}", ending="")
        if done >= total:
            self.stderr.write("")
        sys.stderr.flush()
