"""``manage.py build_user_kit``: the French guides of ``docs/guide/`` as PDF in ``var/kit/``."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.userkit import GUIDE_DIR, OUTPUT_DIR, build_user_kit


class Command(BaseCommand):
    help = gettext_lazy(
        "Construit le kit utilisateur : chaque guide de docs/guide/ (formateur, apprenant, "
        "clients) en PDF, avec page de titre et numéros de page. Les fichiers Markdown restent "
        "la version modifiable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            default=str(OUTPUT_DIR),
            help=gettext_lazy("Dossier des PDF (par défaut var/kit/)."),
        )
        parser.add_argument(
            "--date",
            help=gettext_lazy(
                "Date imprimée sur la page de titre (AAAA-MM-JJ, par défaut aujourd'hui)."
            ),
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("--date attend une date AAAA-MM-JJ, pas « %(value)s ».")
                    % {"value": options["date"]}
                ) from None
        built = build_user_kit(Path(options["output"]), today=today)
        if not built:
            raise CommandError(_("Aucun guide trouvé dans %(dir)s.") % {"dir": GUIDE_DIR})
        for path in built:
            self.stdout.write(_("PDF écrit : %(path)s") % {"path": path})
