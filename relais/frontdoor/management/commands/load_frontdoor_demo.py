"""``manage.py load_frontdoor_demo``: the Haute-Garonne building-trade network of the demo."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.frontdoor.demo import DEMO_PASSWORD, demo_network, load_frontdoor_demo


def _count(value: str, option: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise CommandError(
            _("%(option)s attend un nombre entier, pas « %(value)s ».")
            % {"option": option, "value": value}
        ) from None
    if count < 0:
        raise CommandError(_("%(option)s doit être positif ou nul.") % {"option": option})
    return count


class Command(BaseCommand):
    help = (
        "Crée le réseau de démonstration du guichet unique (BTP de Haute-Garonne) : six "
        "organismes, leurs référents, un répartiteur, une modératrice et quelques centaines de "
        "demandes. Ne fait rien si le réseau existe déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", default="300", metavar="N", help="demandes (300)")
        parser.add_argument("--seed", default="2025", metavar="N", help="graine (2025)")

    def handle(self, *args, **options):
        requests = _count(options["requests"], "--requests")
        seed = _count(options["seed"], "--seed")
        if demo_network() is not None:
            self.stdout.write(_("Le réseau de démonstration existe déjà : rien à faire."))
            return
        network = load_frontdoor_demo(requests=requests, seed=seed)
        self.stdout.write(
            _("Réseau « %(name)s » créé : %(count)s demandes. Mot de passe des comptes : %(pw)s")
            % {"name": network.name, "count": network.requests.count(), "pw": DEMO_PASSWORD}
        )
