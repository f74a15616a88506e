"""``manage.py mine_journeys LOG --case COL --activity COL --timestamp COL
[--start-timestamp COL] -o OUT.json``: mine an event log (CSV, CSV gzip, XES, XES gzip,
Parquet; format from the extension) and write one JSON object with its activity counts, start
and end activities, directly-follows graph with frequency and performance, variants, case
durations and rework (see ``relais.journeys.mining`` for the conventions).

For an XES log the columns default to the standard keys (``case:concept:name``,
``concept:name``, ``time:timestamp``). The output is written to a temporary file renamed at
the end: a failed run leaves no half-written file.
"""

import json
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.journeys.eventlogs import (
    XES_ACTIVITY,
    XES_CASE,
    XES_TIMESTAMP,
    ColumnMapping,
    EventLogError,
    log_format,
    read_event_log,
)
from relais.journeys.mining import mine


class Command(BaseCommand):
    help = (  # a plain string: argparse cannot format a lazy one
        "Analyse un journal d'événements (CSV, XES, Parquet) et écrit en JSON les activités, "
        "le graphe des successions avec leurs durées, les variantes, les durées des dossiers "
        "et les reprises."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "log", metavar="JOURNAL", help=_("fichier .csv, .csv.gz, .xes, .xes.gz ou .parquet")
        )
        parser.add_argument("--case", help=_("colonne de l'identifiant de dossier"))
        parser.add_argument("--activity", help=_("colonne de l'activité"))
        parser.add_argument("--timestamp", help=_("colonne de l'horodatage (fin)"))
        parser.add_argument("--start-timestamp", help=_("colonne de l'horodatage de début"))
        parser.add_argument("--separator", help=_("séparateur CSV (deviné sinon)"))
        parser.add_argument("-o", "--output", required=True, metavar="SORTIE.json")

    def handle(self, *args, **options):
        source = Path(options["log"])
        output = Path(options["output"])
        if output.suffix.lower() != ".json":
            raise CommandError(_("Le fichier de sortie doit avoir l'extension .json."))
        if not output.parent.is_dir():
            raise CommandError(_("Dossier « %s » introuvable.") % output.parent)
        try:
            fmt = log_format(source)
        except EventLogError as error:
            raise CommandError(str(error)) from None
        defaults = (
            {"case": XES_CASE, "activity": XES_ACTIVITY, "timestamp": XES_TIMESTAMP}
            if fmt.startswith("xes")
            else {}
        )
        columns = {
            key: options[key] or defaults.get(key) for key in ("case", "activity", "timestamp")
        }
        missing = [f"--{key}" for key, value in columns.items() if not value]
        if missing:
            raise CommandError(
                _("Option(s) obligatoire(s) pour ce format : %s.") % ", ".join(missing)
            )
        mapping = ColumnMapping(
            case=columns["case"],
            activity=columns["activity"],
            timestamp=columns["timestamp"],
            start_timestamp=options["start_timestamp"],
            attributes=(),
        )
        started = time.perf_counter()
        try:
            events = read_event_log(source, mapping, separator=options["separator"])
        except EventLogError as error:
            raise CommandError(str(error)) from None
        read = time.perf_counter()
        result = mine(events).as_dict()
        mined = time.perf_counter()
        _write_atomically(output, result)
        self.stderr.write(
            _(
                "%(events)s événements, %(cases)s dossiers : lecture %(read).2f s, analyse %(mined).2f s."
            )
            % {
                "events": result["n_events"],
                "cases": result["n_cases"],
                "read": read - started,
                "mined": mined - read,
            }
        )


def _write_atomically(path: Path, data: dict) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mine_journeys-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, allow_nan=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
