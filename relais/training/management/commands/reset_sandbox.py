"""``manage.py reset_sandbox ID``: put a learner's sandbox back to its school template's state."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound
from relais.crm.models import Customer
from relais.training.services.sandboxes import sandbox_get_by_public_id, sandbox_reset_by_operator


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation (``--help`` would crash).
    help = (
        "Réinitialise le bac à sable d'un apprenant : ses données reviennent à l'état de la base "
        "école, datées d'aujourd'hui, avec de nouveaux leads. Tout le travail fait dans ce bac à "
        "sable est perdu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sandbox", metavar="ID", help=_("identifiant public (UUID) du bac à sable")
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="tout supprimer et tout recopier, au lieu de ne réécrire que ce qui a changé",
        )

    def handle(self, *args, **options):
        try:
            enrollment = sandbox_get_by_public_id(options["sandbox"])
        except NotFound:
            raise CommandError(
                _("Bac à sable introuvable : « %(id)s ».") % {"id": options["sandbox"]}
            ) from None
        started = time.monotonic()
        enrollment = sandbox_reset_by_operator(enrollment=enrollment, full=options["full"])
        seconds = number_format(time.monotonic() - started, 2)
        customers = Customer.objects.in_workspace(enrollment.sandbox).count()
        self.stdout.write(
            _(
                "« %(name)s » réinitialisé en %(seconds)s s : %(customers)s clients, "
                "réinitialisation n° %(count)s."
            )
            % {
                "name": enrollment.sandbox.name,
                "seconds": seconds,
                "customers": customers,
                "count": enrollment.reset_count,
            }
        )
