"""``manage.py export_interactions --workspace ID --format csv|xes [--since D] [--until D]
-o FILE``: a workspace's interaction log as an event log for journey analytics, streamed to
the file, with progress on stderr."""

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.interactions.export import export_interactions
from relais.core.interactions.selectors import interactions_in_window
from relais.core.workspaces.models import Workspace

CHUNK_SIZE = 2000


def _moment(value: str | None) -> datetime.datetime | None:
    """A date (midnight, local time) or an ISO 8601 date-time; naive means local time."""
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(_("Date « %s » illisible : AAAA-MM-JJ ou ISO 8601.") % value)
        moment = datetime.datetime.combine(day, datetime.time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _counted(rows, total: int, stream):
    """``rows``, telling ``stream`` every tenth of the way."""
    shown = -1
    for done, row in enumerate(rows, start=1):
        yield row
        percent = 100 * done // total if total else 100
        if percent // 10 != shown // 10 or done == total:
            shown = percent
            stream.write(f"… {done}/{total} ({percent} %)\n")
            stream.flush()


class Command(BaseCommand):
    help = gettext_lazy(
        "Exporte le journal des interactions d'un espace de travail en CSV ou en XES "
        "(IEEE 1849) pour l'analyse des parcours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workspace", required=True, help=_("identifiant (UUID) de l'espace de travail")
        )
        parser.add_argument("--format", required=True, choices=("csv", "xes"))
        parser.add_argument("--since", help=_("début inclus (AAAA-MM-JJ ou ISO 8601)"))
        parser.add_argument("--until", help=_("fin exclue (AAAA-MM-JJ ou ISO 8601)"))
        parser.add_argument("-o", "--output", required=True, metavar="FICHIER")

    def handle(self, *args, **options):
        path = Path(options["output"])
        if not path.parent.is_dir():
            raise CommandError(_("Dossier « %s » introuvable.") % path.parent)
        try:
            public_id = public_id_or_not_found(options["workspace"])
        except NotFound:
            raise CommandError(_("Identifiant d'espace invalide.")) from None
        workspace = Workspace.objects.filter(public_id=public_id).first()
        if workspace is None:
            raise CommandError(_("Espace de travail introuvable."))
        rows = interactions_in_window(
            workspace=workspace, since=_moment(options["since"]), until=_moment(options["until"])
        )
        total = rows.count()
        started = time.perf_counter()
        chunks = export_interactions(
            rows,
            format=options["format"],
            log_name=workspace.name,
            chunk_size=CHUNK_SIZE,
            progress=lambda ordered: _counted(ordered, total, self.stderr),
        )
        try:
            with path.open("w", encoding="utf-8", newline="") as output:
                output.writelines(chunks)
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            _("%(rows)s interactions exportées dans %(path)s en %(seconds).1f s.")
            % {"rows": total, "path": path, "seconds": time.perf_counter() - started}
        )
