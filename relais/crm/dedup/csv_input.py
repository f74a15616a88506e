"""Reading contacts from any CSV file for the de-duplication engine.

The encoding (UTF-8 with or without BOM, UTF-16 or UTF-32 with a BOM or UTF-16 without one —
what spreadsheets write as « Unicode text » —, else Latin-1) and the delimiter (``,`` ``;`` tab
``|``) are detected. A mapping says which input columns feed which contact field; several
columns joined with ``+`` are concatenated with a space (``street_number+address_1``). Rows
that cannot be used (wrong number of cells, no identifier, identifier seen before) are
skipped and reported with their line number; a date that cannot be read is reported and
left out, the row kept.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from relais.crm.dedup.engine import FIELDS
from relais.crm.dedup.normalize import birth_date

LIST_FIELDS = frozenset({"phone", "vin", "plate"})
DELIMITERS = ",;\t|"


class InputError(ValueError):
    """Bad arguments or an unreadable file; the message is French and fits on one line."""


@dataclass
class ColumnMap:
    """Contact field → the input columns that feed it (each entry a ``+``-joined group)."""

    id_column: str
    fields: dict[str, list[list[str]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, id_column: str, specs: list[str]) -> "ColumnMap":
        mapping = cls(id_column=id_column)
        for spec in specs:
            source, sep, target = spec.partition("=")
            source, target = source.strip(), target.strip()
            if not sep or not source or not target:
                raise InputError(f"correspondance invalide « {spec} » : attendu COLONNE=CHAMP.")
            if target not in FIELDS:
                raise InputError(
                    f"champ inconnu « {target} » (champs possibles : {', '.join(FIELDS)})."
                )
            columns = [c.strip() for c in source.split("+")]
            if not all(columns):
                raise InputError(f"correspondance invalide « {spec} » : colonne vide.")
            mapping.fields.setdefault(target, []).append(columns)
        if not mapping.fields:
            raise InputError("aucune correspondance : indiquez au moins un --map COLONNE=CHAMP.")
        return mapping

    def columns(self) -> list[str]:
        out = [self.id_column]
        for groups in self.fields.values():
            for group in groups:
                out.extend(group)
        return out


@dataclass
class Report:
    rows: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)


# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bomless_utf16(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when most odd (even) bytes of the start are NUL, the
    mark of UTF-16 text without a BOM; else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode(data: bytes, path) -> str:
    """The text of the file: by its byte-order mark, else UTF-16 without BOM, UTF-8 or
    Latin-1. A file that still holds NUL characters is not text: ``InputError``."""
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    encoding = encoding or _bomless_utf16(data)
    candidates = (encoding,) if encoding else ("utf-8", "latin-1")
    for candidate in candidates:
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(
            f"fichier illisible : {path} (encodage {encoding.upper()} annoncé mais contenu "
            "invalide) ; enregistrez-le en CSV UTF-8."
        )
    if "\x00" in text:
        raise InputError(
            f"fichier illisible : {path} (octets nuls : ce n'est pas un fichier texte CSV, ou "
            "son encodage n'est pas reconnu) ; enregistrez-le en CSV UTF-8."
        )
    return text


def _delimiter(sample: str) -> str:
    """The candidate delimiter seen most often in the header line (the sniffer of the
    standard library gives up on files with ragged rows, which we must read anyway)."""
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_contacts(path, mapping: ColumnMap, report: Report | None = None) -> Iterator[dict]:
    """The records of ``path`` as engine input mappings (see ``engine.prepare``). Raises
    ``InputError`` for an unreadable file or a mapped column the header lacks."""
    report = report if report is not None else Report()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"fichier illisible : {path} ({exc.strerror or exc}).") from exc
    text = _decode(data, path)
    if not text.strip():
        raise InputError(f"fichier vide : {path}.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:65536]))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise InputError(f"fichier CSV illisible : {path} ({exc}).") from exc
    position = {name: index for index, name in enumerate(header)}
    missing = [c for c in mapping.columns() if c not in position]
    if missing:
        raise InputError(
            f"colonne inconnue « {missing[0]} » (colonnes du fichier : {', '.join(header)})."
        )
    id_at = position[mapping.id_column]
    plan = [
        (name, [[position[c] for c in group] for group in groups])
        for name, groups in mapping.fields.items()
    ]
    seen: set[str] = set()
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            report.skipped += 1
            report.warnings.append(f"ligne {line} : ligne CSV illisible ({exc}), ignorée.")
            continue
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            report.skipped += 1
            report.warnings.append(
                f"ligne {line} : {len(row)} valeurs au lieu de {len(header)}, ignorée."
            )
            continue
        identifier = row[id_at].strip()
        if not identifier:
            report.skipped += 1
            report.warnings.append(f"ligne {line} : identifiant vide, ignorée.")
            continue
        if identifier in seen:
            report.skipped += 1
            report.warnings.append(
                f"ligne {line} : identifiant « {identifier} » en double, ignorée."
            )
            continue
        seen.add(identifier)
        record: dict = {"id": identifier}
        for name, groups in plan:
            values = [" ".join(row[i].strip() for i in group if row[i].strip()) for group in groups]
            if name in LIST_FIELDS:
                record[name] = [v for v in values if v]
            else:
                record[name] = " ".join(v for v in values if v)
        raw_date = record.get("birth_date")
        if raw_date:
            _value, ok = birth_date(raw_date)
            if not ok:
                report.warnings.append(
                    f"ligne {line} : date de naissance « {raw_date} » illisible"
                    + (", comparée telle quelle." if _value else ", ignorée.")
                )
                if not _value:
                    record["birth_date"] = ""
        report.rows += 1
        yield record
