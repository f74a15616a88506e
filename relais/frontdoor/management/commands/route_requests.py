"""``manage.py route_requests INPUT.csv --id COLUMN --text COLUMN -o OUTPUT.csv``: route a
batch of requests offline with the shipped model.

The input is a CSV (comma, semicolon or tab; UTF-8, with or without a byte-order mark, or
Windows-1252 as Excel saves it); only the text column decides. The output has the header
``id,bodies,confidence,critical,explanation``: ``bodies`` the body codes best first separated by
``|`` (the best guess even under the dispatcher's threshold), ``confidence`` the calibrated
probability of the best body, ``critical`` ``1`` or ``0``, ``explanation`` the decision in
French. The output is written to a temporary file and renamed, so a failure leaves no half
file.
"""

import csv
import io
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.downloads import csv_safe
from relais.frontdoor.routing import default_model, explanation_text, route_many

HEADER = ("id", "bodies", "confidence", "critical", "explanation")
CHUNK_SIZE = 500
ENCODINGS = ("utf-8-sig", "cp1252")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(_("Fichier « %s » introuvable.") % path) from None
    except IsADirectoryError:
        raise CommandError(_("« %s » est un dossier, pas un fichier CSV.") % path) from None
    except OSError as error:
        raise CommandError(
            _("Fichier « %(path)s » illisible : %(error)s") % {"path": path, "error": error}
        ) from None
    if b"\x00" in raw[:4096]:
        raise CommandError(
            _("Fichier « %s » illisible : ce n'est pas un fichier CSV texte.") % path
        )
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(_("Fichier « %s » illisible : encodage inconnu.") % path)


def _rows(content: str, path: Path) -> tuple[list[str], list[dict]]:
    if not content.strip():
        raise CommandError(_("Fichier « %s » vide.") % path)
    sample = content[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""), dialect=dialect)
        rows = list(reader)
    except csv.Error as error:
        raise CommandError(
            _("Fichier « %(path)s » illisible : %(error)s") % {"path": path, "error": error}
        ) from None
    columns = [name.strip() for name in (reader.fieldnames or [])]
    return columns, rows


class Command(BaseCommand):
    help = gettext_lazy(
        "Oriente un lot de demandes (CSV) vers les organismes compétents et écrit, pour chacune, "
        "les organismes, la confiance, l'alerte d'événement critique et l'explication."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", metavar="ENTREE.csv", help=_("fichier CSV des demandes"))
        parser.add_argument("--id", required=True, dest="id_column", help=_("colonne identifiant"))
        parser.add_argument("--text", required=True, dest="text_column", help=_("colonne texte"))
        parser.add_argument("-o", "--output", required=True, metavar="SORTIE.csv")

    def handle(self, *args, **options):
        source = Path(options["input"])
        target = Path(options["output"])
        if not target.parent.is_dir():
            raise CommandError(_("Dossier « %s » introuvable.") % target.parent)
        columns, rows = _rows(_read_text(source), source)
        missing = [
            name for name in (options["id_column"], options["text_column"]) if name not in columns
        ]
        if missing:
            raise CommandError(
                _("Colonne(s) absente(s) : %(missing)s. Colonnes du fichier : %(columns)s.")
                % {
                    "missing": ", ".join(f"« {m} »" for m in missing),
                    "columns": ", ".join(f"« {c} »" for c in columns) or _("aucune"),
                }
            )
        started = time.perf_counter()
        model = default_model()
        # Header names were stripped above; read the cells by the names as written.
        keys = {name.strip(): name for name in rows[0]} if rows else {}
        id_key = keys.get(options["id_column"], options["id_column"])
        text_key = keys.get(options["text_column"], options["text_column"])
        critical_count = abstained = 0
        handle, temporary = tempfile.mkstemp(
            prefix=".route_requests-", suffix=".csv", dir=target.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as output:
                writer = csv.writer(output, lineterminator="\n")
                writer.writerow(HEADER)
                for start in range(0, len(rows), CHUNK_SIZE):
                    chunk = rows[start : start + CHUNK_SIZE]
                    decisions = route_many([row.get(text_key) or "" for row in chunk], model=model)
                    for row, decision in zip(chunk, decisions, strict=True):
                        critical_count += bool(decision.critical)
                        abstained += decision.abstain
                        writer.writerow(
                            (
                                csv_safe(row.get(id_key) or ""),
                                "|".join(decision.codes),
                                f"{decision.confidence:.4f}",
                                "1" if decision.critical else "0",
                                csv_safe(explanation_text(decision, model=model)),
                            )
                        )
            os.replace(temporary, target)
        except OSError as error:
            raise CommandError(
                _("Impossible d'écrire « %(path)s » : %(error)s") % {"path": target, "error": error}
            ) from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stderr.write(
            _(
                "%(rows)s demandes orientées dans %(path)s en %(seconds).1f s "
                "(modèle %(version)s) : %(critical)s événement(s) critique(s), "
                "%(abstained)s laissée(s) au répartiteur."
            )
            % {
                "rows": len(rows),
                "path": target,
                "seconds": time.perf_counter() - started,
                "version": model.version,
                "critical": critical_count,
                "abstained": abstained,
            }
        )
