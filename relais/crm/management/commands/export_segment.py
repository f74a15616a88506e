"""``manage.py export_segment WORKSPACE SEGMENT -o FILE.csv|.xlsx``: a saved segment's customers
to a file, with progress on stderr."""

import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.exceptions import parse_public_id
from relais.core.workspaces.models import Workspace
from relais.crm.models import Segment
from relais.crm.segments.services import EXPORT_FORMATS, segment_export_file


def _workspace(reference: str) -> Workspace:
    public_id = parse_public_id(reference)
    queryset = (
        Workspace.objects.filter(public_id=public_id)
        if public_id
        else Workspace.objects.filter(name=reference)
    )
    found = list(queryset[:2])
    if len(found) != 1:
        raise CommandError(
            _("Espace de travail « %s » introuvable ou ambigu : donnez son identifiant.")
            % reference
        )
    return found[0]


def _segment(workspace: Workspace, reference: str) -> Segment:
    segments = Segment.objects.in_workspace(workspace)
    public_id = parse_public_id(reference)
    segment = (
        segments.filter(public_id=public_id) if public_id else segments.filter(name=reference)
    ).first()
    if segment is None:
        raise CommandError(_("Segment « %s » introuvable dans cet espace.") % reference)
    return segment


class _StderrProgress:
    def __init__(self, stream):
        self.stream, self.total, self.done, self.shown = stream, 0, 0, -1

    def start(self, total: int) -> None:
        self.total = total
        self._show()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._show()

    def _show(self) -> None:
        percent = 100 * self.done // self.total if self.total else 100
        if percent // 10 != self.shown // 10 or self.done == self.total:
            self.shown = percent
            self.stream.write(f"… {self.done}/{self.total} ({percent} %)\n")
            self.stream.flush()


class Command(BaseCommand):
    help = gettext_lazy(
        "Exporte les clients d'un segment enregistré en CSV (Excel, point-virgule) ou en xlsx, "
        "dans l'ordre de tri du segment."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help=_("identifiant (UUID) ou nom exact de l'espace"))
        parser.add_argument("segment", help=_("identifiant (UUID) ou nom exact du segment"))
        parser.add_argument(
            "-o", "--output", required=True, metavar="FICHIER", help=_("fichier .csv ou .xlsx")
        )

    def handle(self, *args, **options):
        path = Path(options["output"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            raise CommandError(_("Le fichier doit finir par .csv ou .xlsx."))
        if not path.parent.is_dir():
            raise CommandError(_("Dossier « %s » introuvable.") % path.parent)
        segment = _segment(_workspace(options["workspace"]), options["segment"])
        started = time.perf_counter()
        try:
            export = segment_export_file(
                segment=segment, fmt=fmt, progress=_StderrProgress(sys.stderr)
            )
            path.write_bytes(export.content)
        except (ValidationError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            _("%(rows)s clients exportés dans %(path)s en %(seconds).1f s.")
            % {"rows": export.rows, "path": path, "seconds": time.perf_counter() - started}
        )
