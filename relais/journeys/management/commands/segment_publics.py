"""``manage.py segment_publics``: the segment of every person of a CSV file (``id,segment``).

Every column of the persons file other than the id is an attribute (numeric, category,
multi-valued ``a|b``, or free text, guessed from the values). An event log adds per-person
features: contacts, cases, contacts per case, days between first and last contact, channels used
and the main one, procedures / activities. Rules (``--rules``) put persons in named segments
first; the others are clustered into an automatic number of segments S1…Sk (largest first).
"""

import codecs
import csv
import io
import json
import os
import tempfile
from pathlib import Path

import polars as pl
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.core.downloads import csv_safe
from relais.journeys.segment_rules import RuleError, parse_rules
from relais.journeys.segmentation import (
    DEFAULT_K_RANGE,
    person_features,
    segment_publics,
    with_event_features,
)

EVENT_OPTIONS = ("case", "activity", "timestamp", "channel")


class Command(BaseCommand):
    help = (  # a plain string: argparse cannot format a lazy one
        "Segmente les publics d'un fichier CSV de personnes (toutes les colonnes autres que "
        "l'identifiant sont des attributs), avec un journal d'événements facultatif, et écrit "
        "id,segment. Le nombre de segments est choisi automatiquement et sa stabilité mesurée."
    )

    def add_arguments(self, parser):
        parser.add_argument("persons", help=_("Fichier CSV des personnes."))
        parser.add_argument("--id", required=True, dest="id_column", help=_("Colonne identifiant."))
        parser.add_argument("--events", help=_("Fichier CSV d'événements (facultatif)."))
        parser.add_argument("--person", help=_("Colonne de la personne dans les événements."))
        parser.add_argument("--case", help=_("Colonne du dossier dans les événements."))
        parser.add_argument("--activity", help=_("Colonne de l'activité (démarche, étape)."))
        parser.add_argument("--timestamp", help=_("Colonne de la date et de l'heure."))
        parser.add_argument("--channel", help=_("Colonne du canal."))
        parser.add_argument("-o", "--output", required=True, help=_("Fichier CSV id,segment."))
        parser.add_argument("--rules", help=_("Fichier de règles de segments (texte ou JSON)."))
        parser.add_argument(
            "--segments", type=int, help=_("Nombre de segments imposé (sinon automatique).")
        )
        parser.add_argument(
            "--k-min", type=int, default=DEFAULT_K_RANGE[0], help=_("Nombre minimal essayé.")
        )
        parser.add_argument(
            "--k-max", type=int, default=DEFAULT_K_RANGE[1], help=_("Nombre maximal essayé.")
        )
        parser.add_argument("--seed", type=int, default=0, help=_("Graine (par défaut 0)."))
        parser.add_argument(
            "--levels",
            type=int,
            choices=(1, 2),
            default=1,
            help=_("2 : cherche des sous-segments stables dans chaque segment (S1.1, S1.2…)."),
        )
        parser.add_argument(
            "--profiles", help=_("Fichier JSON des profils et fiches persona (facultatif).")
        )

    def handle(self, *args, **options):
        self._check_options(options)
        id_column = options["id_column"]
        persons = read_table(options["persons"], text_columns=[id_column])
        require_columns(persons, [id_column], options["persons"])
        _check_ids(persons, id_column)
        if options["events"]:
            columns = {name: options[name] for name in ("person", *EVENT_OPTIONS)}
            events = read_table(
                options["events"], text_columns=[options["person"], options["case"]]
            )
            require_columns(events, [c for c in columns.values() if c], options["events"])
            try:
                features = person_features(events, **columns)
            except ValueError as exc:
                raise CommandError(f"{options['events']} : {exc}") from None
            persons, overrides = with_event_features(persons, features, id_column=id_column)
        else:
            overrides = None
        rules = None
        if options["rules"]:
            try:
                rules = parse_rules(Path(options["rules"]).read_text(encoding="utf-8-sig"))
            except OSError as exc:
                raise CommandError(_unreadable(options["rules"], exc)) from None
            except (RuleError, UnicodeDecodeError) as exc:
                raise CommandError(
                    _("règles %(path)s : %(error)s") % {"path": options["rules"], "error": exc}
                ) from None
        try:
            result = segment_publics(
                persons,
                id_column=id_column,
                rules=rules,
                n_segments=options["segments"],
                k_range=(options["k_min"], options["k_max"]),
                seed=options["seed"],
                overrides=overrides,
                levels=options["levels"],
                with_profiles=bool(options["profiles"]),
            )
        except (RuleError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        # A segment name a spreadsheet would run as a formula is quoted (the ids stay as they
        # are: they must join back to the persons file).
        assignments = result.assignments().with_columns(
            pl.col("id").cast(pl.String),
            pl.col("segment").map_elements(csv_safe, return_dtype=pl.String),
        )
        write_atomically(options["output"], lambda path: assignments.write_csv(path))
        if options["profiles"]:
            document = json.dumps(_summary(result), ensure_ascii=False, indent=2)
            write_atomically(
                options["profiles"], lambda path: Path(path).write_text(document, encoding="utf-8")
            )
        self._report(result, options)

    def _check_options(self, options) -> None:
        given = [name for name in ("person", *EVENT_OPTIONS) if options[name]]
        if options["events"] and not options["person"]:
            raise CommandError(_("--events demande --person (la colonne de la personne)."))
        if given and not options["events"]:
            raise CommandError(_("--%(option)s ne sert qu'avec --events.") % {"option": given[0]})
        if options["segments"] is not None and options["segments"] < 2:
            raise CommandError(_("--segments attend un nombre au moins égal à 2."))
        if not 2 <= options["k_min"] <= options["k_max"]:
            raise CommandError(_("--k-min et --k-max : 2 ≤ k-min ≤ k-max attendu."))

    def _report(self, result, options) -> None:
        sizes = result.assignments().group_by("segment").len().sort("len", descending=True)
        self.stderr.write(
            _("%(persons)d personnes, %(segments)d segments (%(method)s), écrits dans %(path)s.")
            % {
                "persons": len(result.ids),
                "segments": sizes.height,
                "method": result.method,
                "path": options["output"],
            }
        )
        if result.choice:
            how = _("imposé") if result.choice.forced else _("choisi par la silhouette")
            self.stderr.write(_("k = %(k)d (%(how)s)") % {"k": result.choice.k, "how": how})
            self.stderr.write(_("  k   silhouette   stabilité (ARI moyen)"))
            for k, score in result.choice.scores.items():
                stable = result.choice.stability.get(k)
                mark = " ←" if k == result.choice.k else ""
                shown = f"{stable:.3f}" if stable is not None else "—"
                self.stderr.write(f"  {k:<3} {score:>10.3f}   {shown:>9}{mark}")
            self.stderr.write(
                _(
                    "stabilité : ARI moyen %(mean).3f, minimum %(min).3f sur %(runs)d ré-échantillonnages (%(verdict)s)."
                )
                % {
                    "mean": result.stability.mean_ari,
                    "min": result.stability.min_ari,
                    "runs": result.stability.runs,
                    "verdict": result.stability.verdict,
                }
            )
        for parent, (choice, stability, split) in result.subdivisions.items():
            verdict = _("subdivisé") if split else _("non subdivisé")
            self.stderr.write(
                _("%(parent)s : %(verdict)s (k = %(k)d, silhouette %(score).3f, ARI %(ari).3f)")
                % {
                    "parent": parent,
                    "verdict": verdict,
                    "k": choice.k,
                    "score": choice.scores[choice.k],
                    "ari": stability.mean_ari,
                }
            )
        for name, size in sizes.iter_rows():
            self.stderr.write(f"  {name} : {size}")


def _summary(result) -> dict:
    return {
        "method": result.method,
        "k": result.k,
        "silhouette_per_k": {
            str(k): s for k, s in (result.choice.scores if result.choice else {}).items()
        },
        "stability": (
            {
                "mean_ari": result.stability.mean_ari,
                "min_ari": result.stability.min_ari,
                "runs": result.stability.runs,
                "verdict": result.stability.verdict,
            }
            if result.stability
            else None
        ),
        "columns": {
            "numeric": list(result.kinds.numeric),
            "categorical": list(result.kinds.categorical),
            "multi": list(result.kinds.multi),
            "text": list(result.kinds.text),
            "ignored": {column: reason for column, reason in result.kinds.ignored},
        },
        "profiles": [profile.to_dict() for profile in result.profiles],
    }


def _unreadable(path: str, exc: Exception) -> str:
    reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
    return _("fichier illisible : %(path)s (%(reason)s).") % {"path": path, "reason": reason}


def read_table(path: str, *, text_columns=()) -> pl.DataFrame:
    """A CSV file as a frame: comma or semicolon; UTF-8 with or without BOM, or Windows-1252
    (spreadsheet exports); every column read as text, then the columns whose every value is a
    number (``12,5`` too) become numbers — ``text_columns`` stay text (an id ``00123`` keeps its
    zeros). French errors for the usual problems, with the line when it is known."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        raise CommandError(_unreadable(path, exc)) from None
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        source, encoding = path, "utf8"
    except UnicodeDecodeError:
        try:
            with open(path, encoding="cp1252", errors="replace") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(_unreadable(path, exc)) from None
        text, source, encoding = content[: 64 * 1024], io.BytesIO(content.encode()), "utf8"
    if not text.strip():
        raise CommandError(_("le fichier %(path)s est vide.") % {"path": path})
    first_line = text.splitlines()[0]
    separator = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        frame = pl.read_csv(source, separator=separator, infer_schema=False, encoding=encoding)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise CommandError(_bad_line(path, separator) or _unreadable(path, exc)) from None
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    if frame.height == 0:
        raise CommandError(
            _("le fichier %(path)s n'a aucune ligne de données (seulement l'en-tête).")
            % {"path": path}
        )
    return _numbers(frame, keep=set(text_columns))


def _numbers(frame: pl.DataFrame, *, keep: set) -> pl.DataFrame:
    """Columns whose every non-empty value reads as a number become numbers."""
    converted = []
    for column in frame.columns:
        if column in keep:
            continue
        text = frame.get_column(column).str.strip_chars()
        present = text.is_not_null() & (text != "")
        if not present.any():
            continue
        number = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        if (number.is_null() & present).any():
            continue
        whole = number.drop_nulls()
        if (whole == whole.round()).all() and whole.abs().max() < 2**53:
            number = number.cast(pl.Int64)
        converted.append(number.alias(column))
    return frame.with_columns(converted) if converted else frame


def _bad_line(path: str, separator: str) -> str | None:
    """The first line whose number of fields differs from the header's, in French."""
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=separator)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    return _(
                        "%(path)s, ligne %(line)d : %(found)d champs au lieu de %(expected)d."
                    ) % {
                        "path": path,
                        "line": reader.line_num,
                        "found": len(row),
                        "expected": len(header),
                    }
    except (OSError, csv.Error):
        return None
    return None


def require_columns(frame: pl.DataFrame, columns, path: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise CommandError(
                _("colonne « %(column)s » absente de %(path)s (colonnes : %(found)s).")
                % {"column": column, "path": path, "found": ", ".join(frame.columns)}
            )


def _check_ids(frame: pl.DataFrame, id_column: str) -> None:
    ids = frame.get_column(id_column).cast(pl.String).str.strip_chars()
    empty = (ids.is_null() | (ids == "")).arg_true()
    if len(empty):
        raise CommandError(
            _("identifiant vide ligne %(line)d (colonne « %(column)s »).")
            % {"line": int(empty[0]) + 2, "column": id_column}
        )
    duplicated = (~ids.is_first_distinct()).arg_true()
    if len(duplicated):
        first = int(duplicated[0])
        raise CommandError(
            _("identifiant en double « %(id)s » (ligne %(line)d).")
            % {"id": ids[first], "line": first + 2}
        )


def write_atomically(path: str, write) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(handle)
    except OSError as exc:
        raise CommandError(
            _("impossible d'écrire %(path)s (%(reason)s).")
            % {"path": path, "reason": exc.strerror or exc}
        ) from None
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as exc:
        raise CommandError(
            _("impossible d'écrire %(path)s (%(reason)s).")
            % {"path": path, "reason": exc.strerror or exc}
        ) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
