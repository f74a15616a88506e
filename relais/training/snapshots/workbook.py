"""The snapshot workbook: which sheets and columns, how values are written and read back.

One sheet per record table (``relais.core.workspaces.sandbox.sandbox_models()``, so that a
table registered later is carried without editing this module), named after the model label
(``crm.customer``); a ``Métadonnées`` sheet; an ``Anomalies`` sheet for a school database.
Every value is written so that reading it back gives exactly what was written: texts as
explicit strings, with the OOXML ``_xHHHH_`` escape for characters XML cannot carry and a
leading apostrophe in front of anything a spreadsheet could run as a formula. The checksum is
a SHA-256 over a canonical JSON serialisation of the data sheets and of the metadata that
identifies the snapshot (everything but the export time and author).

See ``docs/training/snapshot-format.md``.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from relais.core.workspaces.sandbox import sandbox_models, workspace_parent_field
from relais.training.snapshots.sealing import open_identity, seal

FORMAT_NAME = "relais-snapshot"
FORMAT_VERSION = "1"
META_SHEET = "Métadonnées"
ANOMALY_SHEET = "Anomalies"
EXTERNAL_ID = "id_externe"
ANOMALY_COLUMNS = (EXTERNAL_ID, "kind", "description", "expected_correction", "records")

# Limits of an imported file (documented in docs/training/snapshot-format.md).
MAX_FILE_BYTES = 50 * 1024 * 1024
# A zip of 50 MB can expand to gigabytes ("zip bomb"); an honest 100,000-customer workbook
# expands to about ten times its size.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_ERRORS = 20

# Columns sealed in the file (hidden answers: relais/training/snapshots/sealing.py), and the
# key of an anomaly's record.
HIDDEN_COLUMNS = frozenset(
    {("crm.customer", "identity_key"), ("crm.customermerge", "absorbed_identity_key")}
)
HIDDEN_RECORD_KEY = "identity_key"

# Texts no record goes without, whatever a file says (a formula cell without a cached value
# reads as empty): the names that identify a contact, a segment, a campaign.
REQUIRED_TEXT = frozenset(
    {
        "contacts.person.last_name",
        "contacts.company.legal_name",
        "crm.segment.name",
        "crm.campaign.name",
    }
)

# Metadata keys left out of the checksum: they change at every export of the same content.
UNCHECKED_META = {"exported_at", "exported_by", "checksum"}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")

_STORAGE_VALIDATORS = (
    validators.MaxLengthValidator,
    validators.MinValueValidator,
    validators.MaxValueValidator,
    validators.DecimalValidator,
)
_TEXT_FIELDS = (
    models.CharField,
    models.TextField,
)
_INT_FIELDS = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField)


def encode_text(value: str) -> str:
    """Make ``value`` safe to store in a cell; ``decode_text`` gives it back unchanged.

    1. ``_xHHHH_`` escapes (the OOXML convention Excel decodes): a literal ``_xHHHH_`` gets
       its underscore escaped as ``_x005F_``; CR and XML-illegal control characters are
       written as ``_x000D_`` etc. (XML parsers turn a raw CR into LF).
    2. A text starting with ``= + - @``, tab, CR or an apostrophe gets one more apostrophe in
       front: a spreadsheet shows it as text and never runs it.
    """
    value = _ESCAPE_LIKE.sub("_x005F_", value)
    value = _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value


def decode_text(value: str) -> str:
    if value.startswith("'"):
        value = value[1:]
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def hidden_context(sheet: str, external_id: str, column: str) -> str:
    return f"{sheet}:{external_id}:{column}"


def anomaly_context(rank: str, index: int) -> str:
    return f"{ANOMALY_SHEET}:{rank}:{index}"


def seal_hidden(sheet: str, external_id: str, column: str, value):
    """The cell of a hidden column: its value sealed where it is written."""
    if value in (None, ""):
        return None
    return seal(str(value), hidden_context(sheet, external_id, column))


def seal_records(rank: str, records: list) -> list:
    """An anomaly's records with their identity keys sealed."""
    sealed = []
    for index, record in enumerate(records):
        record = dict(record) if isinstance(record, dict) else record
        if isinstance(record, dict) and record.get(HIDDEN_RECORD_KEY):
            record[HIDDEN_RECORD_KEY] = seal(
                str(record[HIDDEN_RECORD_KEY]), anomaly_context(rank, index)
            )
        sealed.append(record)
    return sealed


# --- Table layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # the column header: the field's name
    field: models.Field
    kind: str  # record | user | contenttype | generic | other_fk | bool | int | text | value
    target: type[models.Model] | None = None  # the referenced model (record)
    ct_field: str = ""  # for ``generic``: the name of the content-type column


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    sheet: str
    columns: tuple[Column, ...]
    has_public_id: bool
    parent: models.ForeignKey | None  # the field derived ids hang from (no public_id)
    direct: bool  # has a ``workspace`` column

    @property
    def header(self) -> tuple[str, ...]:
        return (EXTERNAL_ID, *(column.name for column in self.columns))


def _column(model, field_, records: set, generic_fk_fields: dict) -> Column:
    if isinstance(field_, models.ForeignKey):
        target = field_.related_model
        if target in records:
            return Column(field_.name, field_, "record", target)
        if target is ContentType:
            return Column(field_.name, field_, "contenttype", target)
        if target._meta.label == settings.AUTH_USER_MODEL:
            return Column(field_.name, field_, "user", target)
        return Column(field_.name, field_, "other_fk", target)
    if field_.name in generic_fk_fields:
        return Column(field_.name, field_, "generic", ct_field=generic_fk_fields[field_.name])
    if isinstance(field_, models.BooleanField):
        return Column(field_.name, field_, "bool")
    if isinstance(field_, _INT_FIELDS) and not isinstance(field_, models.AutoField):
        return Column(field_.name, field_, "int")
    if isinstance(field_, _TEXT_FIELDS):
        return Column(field_.name, field_, "text")
    return Column(field_.name, field_, "value")


def tables() -> tuple[Table, ...]:
    """The data sheets of a snapshot, parents first."""
    models_ = sandbox_models()
    records = set(models_)
    result = []
    for model in models_:
        generic = {
            private.fk_field: private.ct_field
            for private in model._meta.private_fields
            if isinstance(private, GenericForeignKey)
        }
        names = {f.name for f in model._meta.concrete_fields}
        columns = tuple(
            _column(model, f, records, generic)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in {"public_id", "workspace"}
        )
        result.append(
            Table(
                model=model,
                sheet=model._meta.label_lower,
                columns=columns,
                has_public_id="public_id" in names,
                parent=None if "public_id" in names else workspace_parent_field(model),
                direct="workspace" in names,
            )
        )
    return tuple(result)


def table_queryset(table: Table, workspace) -> models.QuerySet:
    manager = table.model._base_manager
    if table.direct:
        return manager.filter(workspace=workspace)
    return manager.filter(**{f"{table.parent.name}__workspace": workspace})


# --- Cell values -------------------------------------------------------------------------------


def to_cell(column: Column, value):
    """A stored value as written in its cell (``None``, ``bool``, ``int`` or ``str``)."""
    if value is None or value == "":
        return None
    kind = column.kind
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "text":
        return encode_text(str(value))
    field_ = column.field
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field_, "decimal_places", None)
        return f"{value:.{places}f}" if places is not None else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(field_, models.JSONField):
        return encode_text(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return encode_text(str(value))


def _label(field_: models.Field) -> str:
    return f"{field_.model._meta.label_lower}.{field_.name}"


def from_cell(column: Column, raw):
    """The Python value of a cell of a value column; raises ``ValidationError``."""
    field_ = column.field
    if raw is None or raw == "":
        if field_.null:
            return None
        if column.kind == "text" and _label(field_) not in REQUIRED_TEXT:
            # Whatever the workspace held (events logged without a code, say) comes back;
            # derived columns are recomputed on import anyway.
            return ""
        raise ValidationError(_("valeur obligatoire manquante"))
    if column.kind == "bool":
        if not isinstance(raw, bool):
            raise ValidationError(_("« %(value)s » n'est pas un booléen") % {"value": raw})
        return raw
    if column.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValidationError(_("« %(value)s » n'est pas un nombre entier") % {"value": raw})
        value = raw
    else:
        if not isinstance(raw, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": raw})
        text = decode_text(raw) if column.kind == "text" else raw
        if isinstance(field_, models.JSONField):
            try:
                value = json.loads(decode_text(raw))
            except ValueError as exc:
                raise ValidationError(_("JSON invalide")) from exc
        elif isinstance(field_, models.DateTimeField):
            try:
                value = datetime.datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValidationError(
                    _("« %(value)s » n'est pas une date et heure ISO") % {"value": text}
                ) from exc
            if value.tzinfo is None:
                raise ValidationError(
                    _("« %(value)s » : fuseau horaire manquant") % {"value": text}
                )
        else:
            value = field_.to_python(text)
    if field_.choices and value not in {choice for choice, _label in field_.flatchoices}:
        raise ValidationError(_("« %(value)s » n'est pas un choix permis") % {"value": value})
    # Only what the database itself would refuse: lengths, ranges, digits. Format validators
    # (e-mail, SIRET…) are not run, nor ``blank``: a school database holds invalid e-mails on
    # purpose, and a snapshot must give back whatever the workspace held.
    errors = []
    for validator in field_.validators:
        if isinstance(validator, _STORAGE_VALIDATORS):
            try:
                validator(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return value


# --- Writing -----------------------------------------------------------------------------------


class Checksum:
    """SHA-256 over the canonical JSON serialisation of the sheets, row by row."""

    def __init__(self):
        self._hash = hashlib.sha256()

    def sheet(self, name: str) -> None:
        self.row(["#sheet", name])

    def row(self, values: Iterable) -> None:
        line = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
        self._hash.update(line.encode() + b"\n")

    def meta(self, meta: dict) -> None:
        self.sheet(META_SHEET)
        for key in sorted(meta):
            if key not in UNCHECKED_META:
                self.row([key, meta[key]])

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass
class SheetData:
    name: str
    header: tuple[str, ...]
    rows: list[list] = field(default_factory=list)


def write_workbook(path: Path, meta: dict, sheets: list[SheetData]) -> str:
    """Write the workbook (write-only mode); returns the checksum stored in its metadata."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    checksum = Checksum()
    for sheet in sheets:
        checksum.sheet(sheet.name)
        checksum.row(sheet.header)
        for row in sheet.rows:
            checksum.row(row)
    meta = {**meta, **{f"rows.{sheet.name}": str(len(sheet.rows)) for sheet in sheets}}
    checksum.meta(meta)
    meta["checksum"] = checksum.hexdigest()

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(sheet, values, header=False):
        result = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if header:
                cell.font = bold
            result.append(cell)
        return result

    meta_sheet = workbook.create_sheet(META_SHEET)
    meta_sheet.append(cells(meta_sheet, ("clé", "valeur"), header=True))
    for key in sorted(meta):
        meta_sheet.append(cells(meta_sheet, (key, encode_text(str(meta[key])))))
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.freeze_panes = "B2"
        worksheet.append(cells(worksheet, sheet.header, header=True))
    # openpyxl writes the package (parts, relations, styles, frozen header); the data rows,
    # 90 % of the time through openpyxl's cell objects, are spliced in as the same markup.
    path = Path(path)
    draft = path.with_name(f".{path.name}.draft")
    try:
        workbook.save(draft)
        with (
            zipfile.ZipFile(draft) as source,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target,
        ):
            # Write-only workbooks number their sheets in creation order: the metadata first.
            parts = {
                f"xl/worksheets/sheet{index}.xml": sheet
                for index, sheet in enumerate(sheets, start=2)
            }
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = parts.get(info.filename)
                if sheet is None:
                    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                head, marker, tail = data.decode().rpartition("</sheetData>")
                if not marker or "</sheetPr>" not in head:
                    raise RuntimeError(f"unexpected sheet markup in {info.filename}")
                # Readers size a sheet from <dimension>; without it they parse it twice.
                last = get_column_letter(len(sheet.header)) + str(len(sheet.rows) + 1)
                head = head.replace("</sheetPr>", f'</sheetPr><dimension ref="A1:{last}" />', 1)
                with target.open(info.filename, "w") as handle:
                    handle.write(head.encode())
                    for chunk in _rows_xml(sheet.rows, len(sheet.header)):
                        handle.write(chunk.encode())
                    handle.write((marker + tail).encode())
    finally:
        draft.unlink(missing_ok=True)
    return meta["checksum"]


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rows_xml(rows: list[list], width: int, first: int = 2) -> Iterable[str]:
    """The ``<row>`` elements openpyxl would write for ``rows``, in chunks of ~1,000 rows."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(index) for index in range(1, width + 1)]
    chunk: list[str] = []
    for number, row in enumerate(rows, start=first):
        chunk.append(f'<row r="{number}">')
        for letter, value in zip(letters, row, strict=False):
            if value is None:
                continue
            ref = f"{letter}{number}"
            if isinstance(value, bool):
                chunk.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int):
                chunk.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            else:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                chunk.append(
                    f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'
                )
        chunk.append("</row>")
        if len(chunk) > 20_000:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class ParsedTable:
    table: Table
    rows: list[tuple[str, dict]]  # (external id, {column name: value or external id})


@dataclass
class ParsedSnapshot:
    meta: dict
    tables: list[ParsedTable]
    anomalies: list[dict]
    unopened_keys: int = 0  # sealed identity keys this installation cannot open

    @property
    def row_count(self) -> int:
        return sum(len(parsed.rows) for parsed in self.tables)


class Errors:
    def __init__(self):
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def _fail(message: str):
    raise ValidationError(message)


def _check_container(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        _fail(_("Le fichier est introuvable."))
    if size > MAX_FILE_BYTES:
        _fail(
            _("Le fichier est trop volumineux (%(size)s Mo, au plus %(max)s Mo).")
            % {"size": size // (1024 * 1024), "max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if size == 0 or not zipfile.is_zipfile(path):
        _fail(_("Ce fichier n'est pas un classeur Excel (.xlsx) ou il est incomplet."))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                _fail(_("Ce fichier n'est pas un classeur Excel (.xlsx)."))
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                _fail(_("Le classeur décompressé est trop volumineux."))
            if archive.testzip() is not None:
                _fail(_("Le classeur est endommagé ou incomplet."))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValidationError(_("Le classeur est endommagé ou incomplet.")) from exc


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN = (
    f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "r")
)
_COLUMN_REF = re.compile(r"[A-Z]+")


def _column_index(ref: str, cache: dict) -> int:
    letters = _COLUMN_REF.match(ref).group()
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        cache[letters] = index
    return index - 1


def _cell_value(cell, shared: list):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        if inline is None:
            return None
        parts = [t.text or "" for t in inline.findall(_TEXT)]
        parts += [t.text or "" for run in inline.findall(_RUN) for t in run.findall(_TEXT)]
        return "".join(parts)
    value = cell.find(_VALUE)
    text = value.text if value is not None else None
    if text is None:
        return None
    if kind == "s":
        return str(shared[int(text)])
    if kind == "b":
        return text.strip() == "1"
    if kind == "n":
        return float(text) if any(mark in text for mark in ".eE") else int(text)
    return text  # "str" (a formula's cached text), "e" (an error such as #N/A), "d"


def _shared_strings(path: Path) -> list[str]:
    """The shared-string table as stored, ``_xHHHH_`` escapes kept.

    openpyxl decodes those escapes in shared strings (not in inline ones); a workbook saved
    again by a spreadsheet must read exactly like the one Relais wrote.
    """
    from openpyxl.xml.functions import fromstring, iterparse

    with zipfile.ZipFile(path) as archive:
        types = fromstring(archive.read("[Content_Types].xml"))
        part = next(
            (
                item.get("PartName", "").lstrip("/")
                for item in types
                if item.get("ContentType", "").endswith("sharedStrings+xml")
            ),
            None,
        )
        if not part or part not in archive.namelist():
            return []
        strings = []
        with archive.open(part) as source:
            for _event, element in iterparse(source, events=("end",)):
                if element.tag != f"{_MAIN}si":
                    continue
                parts = [t.text or "" for t in element.findall(_TEXT)]
                parts += [t.text or "" for run in element.findall(_RUN) for t in run.findall(_TEXT)]
                strings.append("".join(parts))
                element.clear()
        return strings


def _sheet_rows(worksheet) -> Iterable[list]:
    """The cell values of a read-only sheet, row by row, like ``iter_rows(values_only=True)``.

    openpyxl builds an object per cell; reading the markup directly is about twice as fast.
    Rows missing from the markup are skipped (an empty row means nothing here).
    """
    # openpyxl's own parser: defusedxml's when installed (entity expansion refused).
    from openpyxl.xml.functions import iterparse

    shared = worksheet.parent.relais_shared_strings
    columns: dict = {}
    with worksheet._get_source() as source:
        for _event, element in iterparse(source, events=("end",)):
            if element.tag != _ROW:
                continue
            values: list = []
            for position, cell in enumerate(element.iter(_CELL)):
                ref = cell.get("r")
                index = _column_index(ref, columns) if ref else position
                if index >= len(values):
                    values += [None] * (index + 1 - len(values))
                values[index] = _cell_value(cell, shared)
            element.clear()
            yield values


def _rows(worksheet) -> Iterable[list]:
    for row in _sheet_rows(worksheet):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            yield values


def read_workbook(path: Path, progress: Callable[[str], None] | None = None) -> ParsedSnapshot:
    """Read and check everything in the file; raise ``ValidationError`` (French) on any fault.

    Nothing is written to the database here.
    """
    from openpyxl import load_workbook

    path = Path(path)
    _check_container(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
        workbook.relais_shared_strings = _shared_strings(path)
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    try:
        return _read(workbook, progress)
    except ValidationError:
        raise
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    finally:
        workbook.close()


def _read(workbook, progress) -> ParsedSnapshot:
    sheetnames = set(workbook.sheetnames)
    if META_SHEET not in sheetnames:
        _fail(
            _("Ce classeur n'est pas une sauvegarde Relais : feuille « %s » absente.") % META_SHEET
        )
    meta_sheet = workbook[META_SHEET]
    meta_sheet.reset_dimensions()
    meta: dict = {}
    for index, row in enumerate(_rows(meta_sheet)):
        if index == 0:
            continue
        row += [None] * (2 - len(row))
        if len(row) != 2 or not isinstance(row[0], str) or not isinstance(row[1], str | None):
            _fail(_("Feuille « %s » : ligne mal formée.") % META_SHEET)
        meta[row[0]] = decode_text(row[1] or "")
    if meta.get("format") != FORMAT_NAME:
        _fail(_("Ce classeur n'est pas une sauvegarde Relais (métadonnées absentes ou erronées)."))
    if meta.get("format_version") != FORMAT_VERSION:
        _fail(
            _("Version de format %(found)s non prise en charge (attendue : %(expected)s).")
            % {"found": meta.get("format_version") or "?", "expected": FORMAT_VERSION}
        )
    for key in ("workspace_id", "workspace_name", "workspace_kind", "checksum", "tables"):
        if not meta.get(key):
            _fail(_("Métadonnées incomplètes : « %s » manque.") % key)
    try:
        uuid.UUID(str(meta["workspace_id"]))
    except ValueError:
        _fail(_("Métadonnées : identifiant d'espace invalide."))

    known = {table.sheet: table for table in tables()}
    listed = [name for name in str(meta["tables"]).split(",") if name]
    unknown = [name for name in listed if name not in known]
    if unknown:
        _fail(_("Tables inconnues de cette version de Relais : %s.") % ", ".join(unknown))
    missing = [name for name in known if name not in sheetnames]
    if missing:
        _fail(_("Feuilles manquantes : %s.") % ", ".join(missing))

    checksum = Checksum()
    total = 0
    raw_sheets: dict[str, list[list]] = {}
    sheet_names = list(known)
    if meta.get("workspace_kind") == "template" and ANOMALY_SHEET in sheetnames:
        sheet_names.append(ANOMALY_SHEET)
    for name in sheet_names:
        if progress:
            progress(_("Lecture de la feuille %s") % name)
        worksheet = workbook[name]
        worksheet.reset_dimensions()
        expected = known[name].header if name in known else ANOMALY_COLUMNS
        rows = _rows(worksheet)
        header = tuple(next(rows, []))
        if header != expected:
            absent = [column for column in expected if column not in header]
            extra = [str(column) for column in header if column not in expected]
            detail = []
            if absent:
                detail.append(_("colonnes manquantes : %s") % ", ".join(absent))
            if extra:
                detail.append(_("colonnes inconnues : %s") % ", ".join(extra))
            if not detail:
                detail.append(_("colonnes dans le désordre"))
            _fail(
                _("Feuille « %(sheet)s » : %(detail)s.")
                % {"sheet": name, "detail": "; ".join(detail)}
            )
        checksum.sheet(name)
        checksum.row(header)
        body = []
        width = len(expected)
        for row in rows:
            total += 1
            if total > MAX_ROWS:
                _fail(
                    _("Le classeur a trop de lignes (au plus %s).")
                    % f"{MAX_ROWS:,}".replace(",", " ")
                )
            if len(row) > width:
                _fail(_("Feuille « %s » : une ligne a plus de cellules que de colonnes.") % name)
            row += [None] * (width - len(row))
            checksum.row(row)
            body.append(row)
        raw_sheets[name] = body
        if str(meta.get(f"rows.{name}")) != str(len(body)):
            _fail(
                _("Feuille « %(sheet)s » : %(found)s lignes au lieu de %(expected)s annoncées.")
                % {"sheet": name, "found": len(body), "expected": meta.get(f"rows.{name}", "?")}
            )
    checksum.meta(meta)
    if checksum.hexdigest() != meta["checksum"]:
        _fail(
            _(
                "Le classeur a été modifié depuis son export (somme de contrôle différente) : "
                "il est refusé."
            )
        )
    return _parse(meta, known, raw_sheets)


def _parse(
    meta: dict, known: dict[str, Table], raw_sheets: dict[str, list[list]]
) -> ParsedSnapshot:
    errors = Errors()
    unopened = 0
    parsed_tables = []
    ids_by_model: dict[type[models.Model], set[str]] = {}
    for name, table in known.items():
        seen: set[str] = set()
        rows = []
        for number, raw in enumerate(raw_sheets[name], start=2):
            external_id = raw[0]
            where = {"sheet": name, "row": number}
            if not isinstance(external_id, str) or not external_id:
                errors.add(
                    _("Feuille « %(sheet)s », ligne %(row)s : identifiant manquant.") % where
                )
                continue
            if external_id in seen:
                errors.add(
                    _("Feuille « %(sheet)s », ligne %(row)s : identifiant en double.") % where
                )
                continue
            if table.has_public_id:
                try:
                    uuid.UUID(external_id)
                except ValueError:
                    errors.add(
                        _("Feuille « %(sheet)s », ligne %(row)s : identifiant invalide.") % where
                    )
                    continue
            seen.add(external_id)
            values = {}
            for column, cell in zip(table.columns, raw[1:], strict=True):
                if (name, column.name) in HIDDEN_COLUMNS:
                    key, opened = open_identity(
                        cell, hidden_context(name, external_id, column.name)
                    )
                    unopened += not opened
                    values[column.name] = key
                    continue
                try:
                    values[column.name] = _reference_cell(column, cell)
                except ValidationError as exc:
                    errors.add(
                        _("Feuille « %(sheet)s », ligne %(row)s, colonne %(column)s : %(error)s.")
                        % {
                            **where,
                            "column": column.name,
                            "error": "; ".join(m.rstrip(".") for m in exc.messages),
                        }
                    )
            rows.append((external_id, values))
        ids_by_model[table.model] = seen
        parsed_tables.append(ParsedTable(table, rows))
    errors.raise_if_any()

    # Every reference must land on a row of the file.
    labels = {table.model._meta.label_lower: table.model for table in known.values()}
    for parsed in parsed_tables:
        for number, (_external_id, values) in enumerate(parsed.rows, start=2):
            for column in parsed.table.columns:
                value = values.get(column.name)
                target = None
                if value is None:
                    continue
                if column.kind == "record":
                    target = column.target
                elif column.kind == "generic" and isinstance(value, str):
                    target = labels.get(values.get(column.ct_field) or "")
                if target is not None and value not in ids_by_model[target]:
                    errors.add(
                        _(
                            "Feuille « %(sheet)s », ligne %(row)s, colonne %(column)s : "
                            "« %(value)s » ne désigne aucune ligne de la feuille « %(target)s »."
                        )
                        % {
                            "sheet": parsed.table.sheet,
                            "row": number,
                            "column": column.name,
                            "value": value,
                            "target": target._meta.label_lower,
                        }
                    )
    anomalies = []
    for number, raw in enumerate(raw_sheets.get(ANOMALY_SHEET, []), start=2):
        try:
            records = json.loads(decode_text(raw[4] or "[]"))
            for index, record in enumerate(records):
                if isinstance(record, dict) and HIDDEN_RECORD_KEY in record:
                    key, opened = open_identity(
                        record[HIDDEN_RECORD_KEY], anomaly_context(str(raw[0]), index)
                    )
                    unopened += not opened
                    record[HIDDEN_RECORD_KEY] = key
            anomalies.append(
                {
                    "kind": decode_text(raw[1] or ""),
                    "description": decode_text(raw[2] or ""),
                    "expected_correction": decode_text(raw[3] or ""),
                    "records": records,
                }
            )
        except (ValueError, TypeError, AttributeError):
            errors.add(_("Feuille « Anomalies », ligne %s : valeur invalide.") % number)
    errors.raise_if_any()
    return ParsedSnapshot(
        meta=meta, tables=parsed_tables, anomalies=anomalies, unopened_keys=unopened
    )


def _reference_cell(column: Column, cell):
    """A cell's value; references stay as written (external id, username, model label)."""
    if column.kind in {"record", "user", "contenttype", "generic", "other_fk"}:
        if cell is None or cell == "":
            if not column.field.null:
                raise ValidationError(_("référence obligatoire manquante"))
            return None
        if column.kind == "other_fk" or (column.kind == "generic" and isinstance(cell, int)):
            if isinstance(cell, bool) or not isinstance(cell, int):
                raise ValidationError(_("« %(value)s » n'est pas un identifiant") % {"value": cell})
            return cell
        if not isinstance(cell, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": cell})
        return decode_text(cell)
    return from_cell(column, cell)
