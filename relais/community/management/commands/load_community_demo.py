"""``manage.py load_community_demo``: the artists-authors' demo community (see
``relais.community.demo``), in the organization named by ``--organization`` (created if
missing)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.community.demo import ORGANIZATION_SLUG, load_community_demo
from relais.core.demo import DEMO_PASSWORD
from relais.core.organizations.models import Organization

DEFAULT_SLUG = ORGANIZATION_SLUG


class Command(BaseCommand):
    help = (
        "Crée la communauté de démonstration des artistes-auteurs (catégories, membres, "
        "questions, réponses officielles et validées, signalements, mots interdits) et ses "
        "comptes de démonstration (mot de passe « relais-demo »). Ne fait rien si elle existe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organization",
            default=DEFAULT_SLUG,
            metavar="SLUG",
            help=_("identifiant de l'organisation (créée si elle n'existe pas)"),
        )
        parser.add_argument("--seed", default="2025", metavar="N", help=_("graine (2025)"))

    def handle(self, *args, **options):
        try:
            seed = int(options["seed"])
        except ValueError:
            raise CommandError(_("--seed attend un nombre entier.")) from None
        organization, _created = Organization.objects.get_or_create(
            slug=options["organization"],
            defaults={"name": "Sécurité sociale des artistes-auteurs"},
        )
        community = load_community_demo(organization, password=DEMO_PASSWORD, seed=seed)
        self.stdout.write(
            _("Communauté « %(name)s » prête : %(topics)d sujets.")
            % {"name": community.name, "topics": community.topics.count()}
        )
