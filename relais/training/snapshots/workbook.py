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
import queue
import re
import uuid
import zipfile
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

from relais.core.workspaces.sandbox import (
    sandbox_models,
    workspace_parent_field,
    workspace_where,
)
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
# What the OOXML ``_xHHHH_`` convention escapes here, in one pass: an underscore that would
# read as the start of an escape, and the characters XML cannot carry (CR: parsers turn it
# into LF).
_TO_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
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


def _escape_one(match: re.Match) -> str:
    return "_x005F_" if match.group() == "_" else f"_x{ord(match.group()):04X}_"


def escape_text(value: str) -> str:
    """``value`` with the ``_xHHHH_`` escapes of ``encode_text`` (no apostrophe added)."""
    return _TO_ESCAPE.sub(_escape_one, value)


def encode_text(value: str) -> str:
    """Make ``value`` safe to store in a cell; ``decode_text`` gives it back unchanged.

    1. ``_xHHHH_`` escapes (the OOXML convention Excel decodes): a literal ``_xHHHH_`` gets
       its underscore escaped as ``_x005F_``; CR and XML-illegal control characters are
       written as ``_x000D_`` etc. (XML parsers turn a raw CR into LF).
    2. A text starting with ``= + - @``, tab, CR or an apostrophe gets one more apostrophe in
       front: a spreadsheet shows it as text and never runs it.
    """
    value = _TO_ESCAPE.sub(_escape_one, value)
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value


def decode_text(value: str) -> str:
    """The text ``encode_text`` was given, from the cell's stored form."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), unquote(value))


def unquote(value: str) -> str:
    """A cell's text as a spreadsheet shows it (escapes decoded) without the apostrophe
    ``encode_text`` put in front of a formula-like text: what was stored."""
    return value[1:] if value.startswith("'") else value


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
    return cell_writer(column)(value)


def cell_writer(column: Column) -> Callable:
    """``to_cell`` for one column, its field's type looked up once: the export calls it per
    cell."""
    kind = column.kind
    field_ = column.field
    if kind == "bool":
        return lambda value: None if value is None else bool(value)
    if kind == "int":
        return lambda value: None if value is None or value == "" else int(value)
    if kind == "text":
        return lambda value: encode_text(str(value)) if value else None
    if isinstance(field_, models.DateTimeField):
        return lambda value: _value_cell(field_, value)
    if isinstance(field_, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    return lambda value: _value_cell(field_, value)


def stored_cell_writer(column: Column) -> Callable:
    """``cell_writer`` for a value as the database driver returns it (``table_rows``): the
    conversion Django's queries would make first (its backend's and the field's converters),
    then the cell; for SQLite's texts of dates, date-times and UUIDs the cell is made from the
    stored text directly, which is what the export spends most of its time on otherwise."""
    field_ = column.field
    write = cell_writer(column) if column.kind not in _REFERENCE_KINDS else (lambda value: value)
    if (
        connection.vendor == "sqlite"
        and column.kind == "value"
        and settings.USE_TZ
        and connection.timezone_name == "UTC"
    ):
        if isinstance(field_, models.DateTimeField):
            convert = _converter(field_)
            return lambda value: _sqlite_datetime_cell(value) or write(convert(value))
        if isinstance(field_, models.DateField):
            convert = _converter(field_)
            return lambda value: (
                value if value.__class__ is str and len(value) == 10 else write(convert(value))
            )
        if isinstance(field_, models.UUIDField):
            convert = _converter(field_)
            return lambda value: _sqlite_uuid_cell(value) or write(convert(value))
    convert = _converter(field_)
    if convert is None:
        return write
    return lambda value: write(convert(value))


def stored_column_writer(column: Column) -> Callable[[list], list]:
    """``stored_cell_writer`` over a whole column of values as ``table_rows`` reads them:
    texts needing no escape (most columns: checked once on the column joined) and SQLite's
    date-time texts are written by one comprehension; anything else cell by cell."""
    write = stored_cell_writer(column)
    field_ = column.field
    if column.kind == "text" and _converter(field_) is None:
        return encode_column
    if isinstance(field_, models.DateTimeField) and _postgres_utc() and column.kind == "value":
        return list  # ``table_rows`` selected the cells' text (see there)
    if isinstance(field_, models.DateTimeField) and _sqlite_utc() and column.kind == "value":
        match = _SQLITE_DATETIME.fullmatch

        def datetime_column(values: list) -> list:
            texts = [v for v in values if v is not None] if None in values else values
            if (
                set(map(type, texts)) <= {str}
                and all(map(match, texts))
                and not any(len(v) == 26 and v.endswith("000000") for v in texts)
            ):
                return [None if v is None else f"{v[:10]}T{v[11:]}+00:00" for v in values]
            return list(map(write, values))

        return datetime_column
    if column.kind == "value" and _converter(field_) is None:
        return _value_column_writer(field_, write)
    return lambda values: list(map(write, values))


def _value_column_writer(field_: models.Field, write: Callable) -> Callable[[list], list]:
    """``_value_cell`` over a column of values of one type as the driver gives them (the
    usual case on PostgreSQL: aware date-times, dates, UUIDs, decimals), by one
    comprehension; a column of mixed or other types goes cell by cell."""
    places = getattr(field_, "decimal_places", None)

    def write_column(values: list) -> list:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if kinds == {datetime.datetime}:
            return [None if v is None else v.astimezone(datetime.UTC).isoformat() for v in values]
        if kinds == {datetime.date} or kinds == {uuid.UUID}:
            return [None if v is None else str(v) for v in values]  # date: its ISO text
        if kinds == {decimal.Decimal} and places is not None:
            return [None if v is None else f"{v:.{places}f}" for v in values]
        return list(map(write, values))

    return write_column


_FORMULA_CHARS = "".join(_FORMULA_START)
# The characters ``escape_text`` rewrites but for the underscore of ``_xHHHH_``.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def encode_column(values: list) -> list:
    """``encode_text(str(v)) if v else None`` for each of ``values``. When the column's
    texts joined hold no ``_x`` and no character to escape (all printable, or no control
    character found), only the formula guard applies, by one comprehension."""
    texts = [v for v in values if v]
    if set(map(type, texts)) <= {str}:
        joined = " ".join(texts)
        if "_x" not in joined and (joined.isprintable() or not _CONTROL.search(joined)):
            return [None if not v else "'" + v if v[0] in _FORMULA_CHARS else v for v in values]
    return [encode_text(str(v)) if v else None for v in values]


def _postgres_utc() -> bool:
    """Whether date-times are read from PostgreSQL as their cell text (``table_rows``)."""
    return connection.vendor == "postgresql" and settings.USE_TZ


# A PostgreSQL date-time as ``_value_cell`` writes it (``isoformat`` of the UTC instant: no
# fraction when it is zero), made by the server: the driver's parsing of each value into a
# ``datetime`` was the largest part of an export's time. ``{}``: the quoted column.
_POSTGRES_DATETIME_CELL = (
    "replace(to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
    " || '+00:00'"
)


def _sqlite_utc() -> bool:
    """Whether SQLite's stored date-time texts are UTC as Django writes them (the shortcuts
    of ``stored_cell_writer``)."""
    return connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"


def _converter(field_: models.Field) -> Callable | None:
    """Django's from-database conversion of ``field_``'s values (as a query's compiler
    applies it), or ``None`` when there is none."""
    column = field_.get_col(field_.model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + field_.get_db_converters(connection)
    if not converters:
        return None

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


# What Django's SQLite backend stores for an aware date-time: its UTC value, ``str()``-ed.
_SQLITE_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?")


def _sqlite_datetime_cell(value) -> str | None:
    """The cell of a SQLite date-time as the driver returns it (the ISO text of the UTC
    instant, as ``isoformat`` writes it), from a naive UTC ``datetime`` or from a text in
    Django's own stored form; ``None`` for anything else (a text written by SQL, say), which
    goes the long way."""
    if value.__class__ is datetime.datetime and value.tzinfo is None:
        # Columns declared ``datetime`` come parsed by the driver (Django's decl-type
        # converters), naive in UTC.
        return value.isoformat() + "+00:00"
    if value.__class__ is not str or not _SQLITE_DATETIME.fullmatch(value):
        return None
    if len(value) == 26 and value.endswith("000000"):
        return None  # isoformat leaves out a zero fraction; Django never stores one
    return f"{value[:10]}T{value[11:]}+00:00"


def _sqlite_uuid_cell(value) -> str | None:
    if value.__class__ is not str or len(value) != 32:
        return None
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def table_rows(table: Table, workspace, attnames: list[str]) -> Iterable[tuple]:
    """``(pk, *values)`` of the table's rows of ``workspace`` in key order, as the database
    driver returns them (no model, no conversion: see ``stored_cell_writer``), but for
    PostgreSQL's date-times, read as their cell text (``_POSTGRES_DATETIME_CELL``)."""
    meta = table.model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in attnames]
    selected = [quote(meta.pk.column)]
    for field_ in fields:
        if _sqlite_utc() and isinstance(field_, models.DateField):
            # An expression has no declared type: the driver gives the stored text instead of
            # parsing it into a date-time that the cell turns back into text.
            selected.append(f"{quote(field_.column)} || ''")
        elif _postgres_utc() and isinstance(field_, models.DateTimeField):
            selected.append(_POSTGRES_DATETIME_CELL.format(quote(field_.column)))
        else:
            selected.append(quote(field_.column))
    # Names come from the models, never from input.
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {workspace_where(table.model)} ORDER BY {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace.pk])
        while chunk := cursor.fetchmany(5000):
            yield from chunk


def _value_cell(field_: models.Field, value):
    if value is None or value == "":
        return None
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
    """The Python value of a value column's cell, as read (see ``cell_reader``)."""
    return cell_reader(column)(raw)


def cell_reader(column: Column) -> Callable:
    """How the cells of ``column`` are read: a function from a cell as a spreadsheet shows
    it (``_xHHHH_`` escapes decoded, the formula guard's apostrophe still there) to the
    Python value, raising ``ValidationError``. References stay as written (external id,
    username, model label). Everything about the column is looked up once, not per cell."""
    if column.kind in _REFERENCE_KINDS:
        return _reference_reader(column)
    empty, choices, checks, limit = _rules(column)
    is_text = column.kind == "text"
    parse = _parser(column)

    def validate(value) -> None:
        errors = []
        for validator in checks:
            try:
                validator(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def read(raw):
        if raw is None or raw == "":
            if empty is _MISSING:
                raise ValidationError(_("valeur obligatoire manquante"))
            return empty
        if is_text and raw.__class__ is str:
            value = raw[1:] if raw[0] == "'" else raw
        else:
            value = parse(raw)
        if choices is not None and value not in choices:
            raise ValidationError(_("« %(value)s » n'est pas un choix permis") % {"value": value})
        if checks and (limit is None or len(value) > limit):
            validate(value)
        return value

    return read


_MISSING = object()


def _rules(column: Column) -> tuple:
    """``(empty, choices, checks, limit)`` of a value column: what an empty cell reads as
    (``_MISSING``: refused), the permitted choices, the storage validators, and the maximum
    length when that is their only rule."""
    field_ = column.field
    if field_.null:
        empty = None
    elif column.kind == "text" and _label(field_) not in REQUIRED_TEXT:
        # Whatever the workspace held (events logged without a code, say) comes back;
        # derived columns are recomputed on import anyway.
        empty = ""
    else:
        empty = _MISSING
    choices = {choice for choice, _label in field_.flatchoices} if field_.choices else None
    # Only what the database itself would refuse: lengths, ranges, digits. Format validators
    # (e-mail, SIRET…) are not run, nor ``blank``: a school database holds invalid e-mails on
    # purpose, and a snapshot must give back whatever the workspace held.
    checks = [v for v in field_.validators if isinstance(v, _STORAGE_VALIDATORS)]
    # Most columns only have a maximum length: compared directly, the validators run (for
    # their message) only on a text that is too long.
    limit = None
    if checks and all(type(v) is validators.MaxLengthValidator for v in checks):
        limit = min(v.limit_value for v in checks)
    return empty, choices, checks, limit


def column_reader(column: Column) -> Callable[[list], list]:
    """``cell_reader`` over a whole column: the cells (as ``_cell`` reads them) in, the
    values out, or ``_Fault`` when any cell would raise ``ValidationError`` (the sheet is then
    read cell by cell for the messages).

    The usual columns (texts, references, whole numbers, booleans, dates and date-times) are
    checked with a few passes of C-level built-ins over the column (their types as a set,
    the longest text, the smallest and largest number) instead of a Python call per cell;
    the rest go through ``cell_reader`` cell by cell. Either way the same rules hold."""
    read = cell_reader(column)
    fast = _fast_column_reader(column)

    def read_column(cells: list) -> list:
        if fast is not None:
            values = fast(cells)
            if values is not None:
                return values
        try:
            return [read(cell) for cell in cells]
        except ValidationError:
            raise _Fault from None

    return read_column


_NONE = type(None)


def _unquoted(cells: list) -> list:
    """The texts of ``cells`` without the formula guard's apostrophe (``None`` kept)."""
    return [v if v is None or v[0] != "'" else v[1:] for v in cells]


def _fast_column_reader(column: Column) -> Callable[[list], list | None] | None:
    """A whole-column version of ``cell_reader`` for the usual columns, or ``None``. It
    returns ``None`` for a column it cannot vouch for (then every cell is read alone)."""
    kind = column.kind
    field_ = column.field
    if kind in {"record", "user", "contenttype", "generic", "other_fk"}:
        allowed = {
            "record": {str},
            "user": {str},
            "contenttype": {str},
            "generic": {str, int},
            "other_fk": {int},
        }[kind] | ({_NONE} if field_.null else set())

        def fast_reference(cells):
            if not set(map(type, cells)) <= allowed:
                return None
            return list(cells) if kind == "other_fk" else _unquoted_any(cells)

        return fast_reference
    empty, choices, checks, limit = _rules(column)
    allow_empty = {_NONE} if empty is not _MISSING else set()

    def chosen(values) -> bool:
        if choices is None:
            return True
        present = set(values)
        present.discard(None)
        return present <= choices

    if kind == "text":
        allowed = {str} | allow_empty
        if checks and limit is None:
            return None

        def fast_text(cells):
            if not set(map(type, cells)) <= allowed:
                return None
            values = _unquoted(cells)
            if not chosen(values):
                return None
            if checks and max(map(len, filter(None, values)), default=0) > limit:
                return None
            if empty is not None and None in values:
                values = [empty if v is None else v for v in values]
            return values

        return fast_text
    if kind == "int":
        allowed = {int} | allow_empty
        ranges = (validators.MinValueValidator, validators.MaxValueValidator)
        if any(type(v) not in ranges for v in checks):
            return None

        def fast_int(cells):
            if not set(map(type, cells)) <= allowed or not chosen(cells):
                return None
            numbers = [v for v in cells if v is not None] if None in cells else cells
            if checks and numbers:
                # Ranges only: the smallest and the largest stand for all.
                try:
                    for validator in checks:
                        validator(min(numbers))
                        validator(max(numbers))
                except ValidationError:
                    return None
            return list(cells)

        return fast_int
    if isinstance(field_, models.DecimalField) and choices is None:
        return _fast_decimal_reader(field_, allow_empty, checks)
    if choices is not None or checks:
        return None
    if kind == "bool":
        allowed = {bool} | allow_empty
        return lambda cells: list(cells) if set(map(type, cells)) <= allowed else None
    if isinstance(field_, models.DateTimeField):
        allowed = {str} | allow_empty
        parse = datetime.datetime.fromisoformat

        def fast_datetime(cells):
            if not set(map(type, cells)) <= allowed:
                return None
            try:
                values = [None if v is None else parse(v) for v in cells]
            except ValueError:
                return None
            if any(v is not None and v.tzinfo is None for v in values):
                return None
            return DateTimeColumn(values, cells)

        return fast_datetime
    if isinstance(field_, models.DateField):
        allowed = {str} | allow_empty
        parse = datetime.date.fromisoformat

        def fast_date(cells):
            if not set(map(type, cells)) <= allowed:
                return None
            # What ``parse_date`` takes and ``fromisoformat`` reads alike: YYYY-MM-DD.
            if not all(v is None or (len(v) == 10 and v[4] == v[7] == "-") for v in cells):
                return None
            try:
                return [None if v is None else parse(v) for v in cells]
            except ValueError:
                return None

        return fast_date
    return None


class DateTimeColumn(list):
    """The date-times of a column, with the cell texts they were read from (``texts``): the
    import stores the database's text from them (``stored_datetime_texts``) rather than formatting
    each value again."""

    __slots__ = ("texts",)

    def __init__(self, values: list, texts: list):
        super().__init__(values)
        self.texts = texts


def _fast_decimal_reader(field_: models.DecimalField, allow_empty: set, checks: list):
    """Decimal texts as the export writes them: a text that matches ``-?digits.digits``
    within the field's digits passes ``DecimalValidator``; ranges are checked on the smallest
    and the largest value."""
    ranges = (validators.MinValueValidator, validators.MaxValueValidator)
    if any(type(v) not in (*ranges, validators.DecimalValidator) for v in checks):
        return None
    if field_.max_digits is None or field_.decimal_places is None:
        return None
    whole = field_.max_digits - field_.decimal_places
    places = field_.decimal_places
    pattern = re.compile(
        rf"-?(?:0|[1-9][0-9]{{0,{whole - 1}}})" + (rf"(?:\.[0-9]{{1,{places}}})?" if places else "")
        if whole > 0
        else rf"-?0\.[0-9]{{1,{places}}}"
    ).fullmatch
    bounds = [v for v in checks if type(v) in ranges]
    allowed = {str} | allow_empty

    def fast_decimal(cells):
        if not set(map(type, cells)) <= allowed:
            return None
        texts = [v for v in cells if v is not None] if None in cells else cells
        if not all(map(pattern, texts)):
            return None
        numbers = list(map(decimal.Decimal, texts))
        if bounds and numbers:
            try:
                for validator in bounds:
                    validator(min(numbers))
                    validator(max(numbers))
            except ValidationError:
                return None
        if len(numbers) == len(cells):
            return numbers
        found = iter(numbers)
        return [None if v is None else next(found) for v in cells]

    return fast_decimal


def _unquoted_any(cells: list) -> list:
    return [v if v.__class__ is not str or v[0] != "'" else v[1:] for v in cells]


def _parser(column: Column) -> Callable:
    field_ = column.field
    if column.kind == "bool":

        def parse(raw):
            if not isinstance(raw, bool):
                raise ValidationError(_("« %(value)s » n'est pas un booléen") % {"value": raw})
            return raw

        return parse
    if column.kind == "int":

        def parse(raw):
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValidationError(
                    _("« %(value)s » n'est pas un nombre entier") % {"value": raw}
                )
            return raw

        return parse

    def text_of(raw) -> str:
        if not isinstance(raw, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": raw})
        return raw

    if column.kind == "text":
        return lambda raw: unquote(text_of(raw))
    if isinstance(field_, models.JSONField):

        def parse(raw):
            try:
                return json.loads(unquote(text_of(raw)))
            except ValueError as exc:
                raise ValidationError(_("JSON invalide")) from exc

        return parse
    if isinstance(field_, models.DateTimeField):

        def parse(raw):
            text = text_of(raw)
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
            return value

        return parse
    return lambda raw: field_.to_python(text_of(raw))


# --- Writing -----------------------------------------------------------------------------------


# json.dumps with these options, without building an encoder per call.
_json_line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _needs_no_escape(text: str) -> bool:
    """Whether a JSON text of cells as read holds nothing ``escape_text`` would change:
    control characters show in JSON as backslash escapes, and an ``_xHHHH_`` needs ``_x``
    (substring tests first: the pattern search is much slower)."""
    if "\\" in text or "\ufffe" in text or "\uffff" in text:
        return False
    return "_x" not in text or not _TO_ESCAPE.search(text)


class Checksum:
    """SHA-256 over the canonical JSON serialisation of the sheets, row by row."""

    def __init__(self):
        self._hash = hashlib.sha256()

    def sheet(self, name: str) -> None:
        self.row(["#sheet", name])

    def row(self, values: Iterable) -> None:
        """A row of cells as stored (texts as ``encode_text`` wrote them)."""
        self._hash.update(_json_line(list(values)).encode() + b"\n")

    def cells(self, values: list) -> None:
        """A row of cells as a reader gives them (``_xHHHH_`` escapes decoded): hashed as
        stored. A row needing no escape (no backslash in its JSON, which is how JSON shows
        control characters, and nothing like ``_xHHHH_``) is hashed as it is."""
        line = _json_line(values)
        if "\\" in line or _TO_ESCAPE.search(line):
            line = _json_line([escape_text(v) if v.__class__ is str else v for v in values])
        self._hash.update(line.encode() + b"\n")

    def cell_rows(self, rows: list, chunk: int = 256) -> None:
        """``cells`` for each of ``rows``, a chunk of rows serialised at once: the chunk's
        JSON array is the rows' lines joined by commas, and when ``],[`` occurs in it only
        between rows (as often as there are row boundaries) and nothing in it needs an
        escape, those lines are the hashed ones; otherwise its rows go one by one."""
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            text = _json_line(part)
            if text.count("],[") == len(part) - 1 and _needs_no_escape(text):
                self._hash.update(text[1:-1].replace("],[", "]\n[").encode() + b"\n")
            else:
                for row in part:
                    self.cells(list(row))

    def stored_rows(self, rows: list, chunk: int = 256) -> None:
        """``row`` for each of ``rows`` (cells as stored), a chunk at a time (``cell_rows``)."""
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            text = _json_line(part)
            if text.count("],[") == len(part) - 1:
                self._hash.update(text[1:-1].replace("],[", "]\n[").encode() + b"\n")
            else:
                for row in part:
                    self.row(row)

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
        checksum.stored_rows(sheet.rows)
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
        with zipfile.ZipFile(draft) as source, _BackgroundZip(path) as target:
            # Write-only workbooks number their sheets in creation order: the metadata first.
            parts = {
                f"xl/worksheets/sheet{index}.xml": sheet
                for index, sheet in enumerate(sheets, start=2)
            }
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = parts.get(info.filename)
                if sheet is None:
                    target.part(info, data)
                    continue
                head, marker, tail = data.decode().rpartition("</sheetData>")
                if not marker or "</sheetPr>" not in head:
                    raise RuntimeError(f"unexpected sheet markup in {info.filename}")
                # Readers size a sheet from <dimension>; without it they parse it twice.
                last = get_column_letter(len(sheet.header)) + str(len(sheet.rows) + 1)
                head = head.replace("</sheetPr>", f'</sheetPr><dimension ref="A1:{last}" />', 1)
                target.open(info.filename)
                target.write(head.encode())
                for chunk in _rows_xml(sheet.rows, len(sheet.header)):
                    target.write(chunk.encode())
                target.write((marker + tail).encode())
                target.close_part()
    finally:
        draft.unlink(missing_ok=True)
    return meta["checksum"]


class _BackgroundZip:
    """A zip archive written (deflated at level 3: a third of level 6's time for a file
    about 12 % larger) by a worker thread, in the order the parts and their chunks are
    given.

    zlib releases the GIL while it deflates: the sheets' markup is built in this thread
    while the previous chunks are compressed in the other, which were otherwise one after
    the other. A bounded queue keeps a few chunks in flight; the worker's error is raised
    here, at the next call or on leaving."""

    _END = object()

    def __init__(self, path: Path, in_flight: int = 8):
        self._queue: queue.Queue = queue.Queue(maxsize=in_flight)
        self._path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-zip")
        self._future = self._pool.submit(self._work)

    def _work(self) -> None:
        with zipfile.ZipFile(self._path, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
            handle = None
            while (item := self._queue.get()) is not self._END:
                kind, *args = item
                if kind == "part":
                    archive.writestr(*args, compress_type=zipfile.ZIP_DEFLATED)
                elif kind == "open":
                    handle = archive.open(args[0], "w")
                elif kind == "write":
                    handle.write(args[0])
                else:
                    handle.close()
                    handle = None

    def _put(self, item) -> None:
        while True:
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                if self._future.done():
                    self._future.result()  # the worker's error
                    raise RuntimeError("the zip writer stopped") from None

    def part(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self._put(("part", info, data))

    def open(self, name: str) -> None:
        self._put(("open", name))

    def write(self, data: bytes) -> None:
        self._put(("write", data))

    def close_part(self) -> None:
        self._put(("close",))

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if not self._future.done():
                self._put(self._END)
            outcome = self._future.exception()
        finally:
            self._pool.shutdown(wait=True)
        if outcome is not None and error is None:
            raise outcome


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rows_xml(rows: list, width: int, first: int = 2) -> Iterable[str]:
    """The ``<row>`` elements openpyxl would write for ``rows``, in chunks of ~1,000 rows.

    Built by column: each column's cells are formatted by one comprehension, with a NUL in
    place of the row number (XML cannot carry a NUL, so no value holds one); each row is
    then its cells joined and the NUL replaced."""
    from openpyxl.utils import get_column_letter

    if not rows:
        yield ""
        return
    columns = list(zip(*rows, strict=False))
    cells = [
        _column_xml(get_column_letter(index), values)
        for index, values in enumerate(columns[:width], start=1)
    ]
    chunk: list[str] = []
    append = chunk.append
    for number, row in enumerate(zip(*cells, strict=True), start=first):
        append(f'<row r="{number}">{"".join(row).replace(chr(0), str(number))}</row>')
        if len(chunk) > 1000:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk)


def _column_xml(letter: str, values: tuple) -> list[str]:
    """The ``<c>`` element of each value of one column (``""`` for an empty cell), the row
    number left as a NUL."""
    ref = f'<c r="{letter}\0"'
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        texts = [v for v in values if v]
        joined = "".join(texts)
        if "&" in joined or "<" in joined or ">" in joined:
            values = [None if v is None else _xml_text(v) for v in values]
        return [
            ""
            if v is None
            else f'{ref} t="inlineStr"><is><t>{v}</t></is></c>'
            if v == v.strip()
            else f'{ref} t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
            for v in values
        ]
    return [_cell_xml(ref, value) for value in values]


def _cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        if "&" in value or "<" in value or ">" in value:
            value = _xml_text(value)
        if value != value.strip():
            return f'{ref} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
        return f'{ref} t="inlineStr"><is><t>{value}</t></is></c>'
    if isinstance(value, bool):
        return f'{ref} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'{ref} t="n"><v>{value}</v></c>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'{ref} t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class ParsedTable:
    """One record sheet as read and checked, by column: ``columns[i]`` holds the values of
    ``table.columns[i]`` in file order (references still as written: external id, username,
    model label; hidden columns opened)."""

    table: Table
    external_ids: list[str]
    columns: list[list]
    public_ids: list = field(default_factory=list)  # the external ids as UUIDs, if public ids

    def __len__(self) -> int:
        return len(self.external_ids)

    @property
    def rows(self) -> list[tuple[str, list]]:
        """``(external id, [value per column])`` per row (the columns transposed)."""
        return list(zip(self.external_ids, map(list, zip(*self.columns, strict=True)), strict=True))


@dataclass
class ParsedSnapshot:
    meta: dict
    tables: list[ParsedTable]
    anomalies: list[dict]
    unopened_keys: int = 0  # sealed identity keys this installation cannot open

    @property
    def row_count(self) -> int:
        return sum(len(parsed) for parsed in self.tables)


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
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValidationError(_("Le classeur est endommagé ou incomplet.")) from exc


def _check_parts(path: Path) -> None:
    """Every part of the archive decompresses to its recorded checksum (CRC-32)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.testzip() is not None:
                _fail(_("Le classeur est endommagé ou incomplet."))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise ValidationError(_("Le classeur est endommagé ou incomplet.")) from exc


def _cell(value):
    """A cell as python-calamine gives it, as the checks and the checksum read it: an empty
    cell is ``None``, a whole number an ``int`` (spreadsheets store every number as a float),
    a date a spreadsheet typed is its ISO text (never valid where a Relais file has text)."""
    if value == "":
        return None
    kind = value.__class__
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is str or kind is int or kind is bool:
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _rows(sheet) -> Iterable[list]:
    """The non-empty rows of a sheet, trailing empty cells dropped, texts as a spreadsheet
    shows them (``_xHHHH_`` escapes decoded, in inline and shared strings alike)."""
    # A sheet whose used range starts right of column A: its cells keep their columns.
    padding = [None] * sheet.start[1] if sheet.start else []
    for raw in sheet.iter_rows():
        # Texts, most cells, are taken as they are without a call.
        values = padding + [v if v.__class__ is str and v else _cell(v) for v in raw]
        while values and values[-1] is None:
            values.pop()
        if values:
            yield values


def _sheet_cells(sheet) -> list[list]:
    """The non-empty rows of a sheet as python-calamine gives them (an empty cell is ``""``),
    with the columns left of its used range."""
    padding = [""] * sheet.start[1] if sheet.start else []
    data = list(sheet.iter_rows())
    if not data:
        return []
    width = max(map(len, data))
    empty = [""] * width
    rows = [
        padding + row if padding else row
        for row in data
        if row != empty and (len(row) == width or any(v != "" for v in row))
    ]
    return rows


def _trimmed(cells: Iterable) -> list:
    values = [_cell(v) for v in cells]
    while values and values[-1] is None:
        values.pop()
    return values


def _columns(rows: list[list], width: int, name: str) -> list[list]:
    """The cells of ``rows`` by column, ``width`` columns, as ``_cell`` reads them; refuses a
    row with a value past the last column."""
    if not rows:
        return [[] for _ in range(width)]
    widest = max(map(len, rows))
    if min(map(len, rows)) != widest:
        rows = [row + [""] * (widest - len(row)) for row in rows]
    if widest > width:
        tail = [""] * (widest - width)
        if any(row[width:] != tail for row in rows):
            _fail(_("Feuille « %s » : une ligne a plus de cellules que de colonnes.") % name)
    columns = list(zip(*rows, strict=True))[:width]
    columns += [("",) * len(rows)] * (width - len(columns))
    result = []
    for cells in columns:
        if set(map(type, cells)) == {str}:
            result.append([v or None for v in cells])  # the usual column: texts and blanks
        else:
            result.append([v if v.__class__ is str and v else _cell(v) for v in cells])
    return result


def read_workbook(
    path: Path,
    progress: Callable[[str], None] | None = None,
    on_table: Callable[[ParsedTable], None] | None = None,
) -> ParsedSnapshot:
    """Read and check everything in the file; raise ``ValidationError`` (French) on any fault.

    Nothing is written to the database here. The cells are read by python-calamine (Rust):
    about eight times as fast as parsing the sheets' markup in Python.

    ``on_table``: called with each record sheet as soon as its own cells are checked and
    found right (the same object the result holds), so that a caller may start writing it
    while the next sheets are read. The file as a whole (checksum, references across sheets)
    is only vouched for once this returns: a caller that wrote early must be able to undo it.
    """
    path = Path(path)
    _check_container(path)
    # The parts' checksums are checked by decompressing the whole archive once more: in a
    # worker thread (zlib lets go of the GIL), while the sheets are read. Its verdict comes
    # first, whatever the reading found, as when it ran before the reading.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-crc") as pool:
        parts = pool.submit(_check_parts, path)
        try:
            parsed = _read_checked(path, progress, on_table)
        except BaseException:
            parts.result()
            raise
        parts.result()
    return parsed


def _read_checked(path: Path, progress, on_table) -> ParsedSnapshot:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # the reader raises several kinds of errors on a broken file
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    try:
        return _read(workbook, progress, on_table)
    except ValidationError:
        raise
    except Exception as exc:  # a sheet's markup broken past the container checks
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    finally:
        workbook.close()


def _read(workbook, progress, on_table=None) -> ParsedSnapshot:
    sheetnames = set(workbook.sheet_names)
    if META_SHEET not in sheetnames:
        _fail(
            _("Ce classeur n'est pas une sauvegarde Relais : feuille « %s » absente.") % META_SHEET
        )
    meta: dict = {}
    for index, row in enumerate(_rows(workbook.get_sheet_by_name(META_SHEET))):
        if index == 0:
            continue
        row += [None] * (2 - len(row))
        if len(row) != 2 or not isinstance(row[0], str) or not isinstance(row[1], str | None):
            _fail(_("Feuille « %s » : ligne mal formée.") % META_SHEET)
        meta[row[0]] = unquote(row[1] or "")
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

    # One pass over each sheet: shape, checksum and every cell's value at once. The values'
    # faults are reported only once the checksum holds (a changed file is refused as such).
    checksum = Checksum()
    errors = Errors()
    total = 0
    readers: list[_TableReader] = []
    parsed_tables: list[ParsedTable] = []
    anomaly_rows: list[list] = []
    sheet_names = list(known)
    if meta.get("workspace_kind") == "template" and ANOMALY_SHEET in sheetnames:
        sheet_names.append(ANOMALY_SHEET)
    for name, sheet in zip(sheet_names, _sheets_ahead(workbook, sheet_names), strict=True):
        if progress:
            progress(_("Lecture de la feuille %s") % name)
        expected = known[name].header if name in known else ANOMALY_COLUMNS
        rows = _sheet_cells(sheet)
        del sheet
        header = tuple(_trimmed(rows[0])) if rows else ()
        if header != expected:
            _fail_header(name, header, expected)
        checksum.sheet(name)
        checksum.row(header)
        count = len(rows) - 1
        total += count
        if total > MAX_ROWS:
            _fail(
                _("Le classeur a trop de lignes (au plus %s).") % f"{MAX_ROWS:,}".replace(",", " ")
            )
        # By column: each check runs over a whole column at once (see ``column_reader``).
        columns = _columns(rows[1:], len(expected), name)
        del rows
        checksum.cell_rows(list(zip(*columns, strict=True)))
        if str(meta.get(f"rows.{name}")) != str(count):
            _fail(
                _("Feuille « %(sheet)s » : %(found)s lignes au lieu de %(expected)s annoncées.")
                % {"sheet": name, "found": count, "expected": meta.get(f"rows.{name}", "?")}
            )
        if name in known:
            reader = _TableReader(known[name], errors)
            reader.read(columns)
            readers.append(reader)
            parsed_table = ParsedTable(
                reader.table, reader.external_ids, reader.columns, reader.public_ids
            )
            parsed_tables.append(parsed_table)
            if on_table is not None and not errors.messages:
                on_table(parsed_table)
        else:
            anomaly_rows = [list(row) for row in zip(*columns, strict=True)]
    checksum.meta(meta)
    if checksum.hexdigest() != meta["checksum"]:
        _fail(
            _(
                "Le classeur a été modifié depuis son export (somme de contrôle différente) : "
                "il est refusé."
            )
        )
    errors.raise_if_any()
    _check_references(
        parsed_tables, {reader.table.model: reader.seen for reader in readers}, errors
    )
    anomalies, unopened = _anomalies(anomaly_rows, errors)
    errors.raise_if_any()
    return ParsedSnapshot(
        meta=meta,
        tables=parsed_tables,
        anomalies=anomalies,
        unopened_keys=unopened + sum(reader.unopened for reader in readers),
    )


def _sheets_ahead(workbook, names: list[str], ahead: int = 2) -> Iterator:
    """The sheets ``names`` of ``workbook``, each parsed by python-calamine in a worker
    thread up to ``ahead`` sheets before it is asked for.

    Parsing a sheet (decompressing and reading its markup, in Rust) releases the GIL: the
    next sheets are parsed while this thread checks the current one, which were otherwise
    two halves of the reading time one after the other. Only the worker touches the
    workbook until the last sheet is given; a consumer that stops early (a fault) leaves
    the sheets not started unparsed and waits for the one under way."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-read") as pool:
        pending = iter(names)
        futures = deque(
            pool.submit(workbook.get_sheet_by_name, name) for name in islice(pending, ahead)
        )
        try:
            while futures:
                sheet = futures.popleft().result()
                following = next(pending, None)
                if following is not None:
                    futures.append(pool.submit(workbook.get_sheet_by_name, following))
                yield sheet
        finally:
            for future in futures:
                future.cancel()


def _fail_header(name: str, header: tuple, expected: tuple):
    absent = [column for column in expected if column not in header]
    extra = [str(column) for column in header if column not in expected]
    detail = []
    if absent:
        detail.append(_("colonnes manquantes : %s") % ", ".join(absent))
    if extra:
        detail.append(_("colonnes inconnues : %s") % ", ".join(extra))
    if not detail:
        detail.append(_("colonnes dans le désordre"))
    _fail(_("Feuille « %(sheet)s » : %(detail)s.") % {"sheet": name, "detail": "; ".join(detail)})


_REFERENCE_KINDS = frozenset({"record", "user", "contenttype", "generic", "other_fk"})


class _Fault(Exception):
    """A column holds a value its fast check does not accept: the sheet is read again cell by
    cell, for the exact messages."""


class _TableReader:
    """The cells of one record sheet, checked and turned into values by column: ``columns``
    holds the values of each column (references still as written: external id, username,
    model label; hidden columns opened), ``external_ids`` the rows' ids.

    Each column is read by one call (``column_reader``); a sheet with any fault is read again
    row by row (``add``), which words the errors, in row order, as a user expects them."""

    def __init__(self, table: Table, errors: Errors):
        self.table = table
        self.errors = errors
        self.external_ids: list[str] = []
        self.columns: list[list] = []
        self.seen: set[str] = set()
        self.public_ids: list[uuid.UUID] = []  # the external ids as UUIDs (public_id tables)
        self.unopened = 0
        self._rows: list[tuple[str, list]] = []
        self.readers = [
            (index, column.name, cell_reader(column))
            for index, column in enumerate(table.columns)
            if (table.sheet, column.name) not in HIDDEN_COLUMNS
        ]
        self.column_readers = [
            (index, column_reader(column))
            for index, column in enumerate(table.columns)
            if (table.sheet, column.name) not in HIDDEN_COLUMNS
        ]
        self.hidden = [
            (index, column.name)
            for index, column in enumerate(table.columns)
            if (table.sheet, column.name) in HIDDEN_COLUMNS
        ]

    def read(self, cells: list[list]) -> None:
        """Read the sheet's body, ``cells`` by column (the external ids first)."""
        try:
            self._read_columns(cells)
        except _Fault:
            self.public_ids, self.unopened, self._rows = [], 0, []
            self.seen = set()
            for number, row in enumerate(zip(*cells, strict=True), start=2):
                self.add(list(row), number)
            self.external_ids = [external_id for external_id, _values in self._rows]
            width = len(self.table.columns)
            self.columns = [
                list(column) for column in zip(*(v for _e, v in self._rows), strict=True)
            ] or [[] for _ in range(width)]
            self._rows = []

    def _read_columns(self, cells: list[list]) -> None:
        ids, *values = cells
        if set(map(type, ids)) - {str} or "" in ids:
            raise _Fault
        seen = set(ids)
        if len(seen) != len(ids):
            raise _Fault
        if self.table.has_public_id:
            try:
                self.public_ids = list(map(uuid.UUID, ids))
            except ValueError:
                raise _Fault from None
        for index, read in self.column_readers:
            values[index] = read(values[index])
        sheet = self.table.sheet
        for index, name in self.hidden:
            opened = []
            for external_id, value in zip(ids, values[index], strict=True):
                key, was_opened = open_identity(value, hidden_context(sheet, external_id, name))
                self.unopened += not was_opened
                opened.append(key)
            values[index] = opened
        self.seen = seen
        self.external_ids = ids
        self.columns = values

    def add(self, row: list, number: int) -> None:
        sheet = self.table.sheet
        external_id = row[0]
        if not isinstance(external_id, str) or not external_id:
            self._error(number, _("identifiant manquant"))
            return
        if external_id in self.seen:
            self._error(number, _("identifiant en double"))
            return
        if self.table.has_public_id:
            try:
                self.public_ids.append(uuid.UUID(external_id))
            except ValueError:
                self._error(number, _("identifiant invalide"))
                return
        self.seen.add(external_id)
        values = row[1:]
        for index, name, read in self.readers:
            try:
                values[index] = read(values[index])
            except ValidationError as exc:
                self.errors.add(
                    _("Feuille « %(sheet)s », ligne %(row)s, colonne %(column)s : %(error)s.")
                    % {
                        "sheet": sheet,
                        "row": number,
                        "column": name,
                        "error": "; ".join(m.rstrip(".") for m in exc.messages),
                    }
                )
        for index, name in self.hidden:
            key, opened = open_identity(values[index], hidden_context(sheet, external_id, name))
            self.unopened += not opened
            values[index] = key
        self._rows.append((external_id, values))

    def _error(self, number: int, what: str) -> None:
        self.errors.add(
            _("Feuille « %(sheet)s », ligne %(row)s : %(error)s.")
            % {"sheet": self.table.sheet, "row": number, "error": what}
        )


def _check_references(parsed_tables: list, ids_by_model: dict, errors: Errors) -> None:
    """Every reference must land on a row of the file: checked by column, then, for a table
    with a dangling one, row by row for the messages."""
    labels = {parsed.table.model._meta.label_lower: parsed.table.model for parsed in parsed_tables}
    for parsed in parsed_tables:
        columns = parsed.table.columns
        positions = {column.name: index for index, column in enumerate(columns)}
        links = [
            (index, column, positions.get(column.ct_field))
            for index, column in enumerate(columns)
            if column.kind in {"record", "generic"}
        ]
        if links and not _references_hold(parsed, links, labels, ids_by_model):
            _report_references(parsed, links, labels, ids_by_model, errors)


def _references_hold(parsed, links: list, labels: dict, ids_by_model: dict) -> bool:
    for index, column, ct_index in links:
        cells = parsed.columns[index]
        if column.kind == "record":
            present = set(cells)
            present.discard(None)
            if not present <= ids_by_model[column.target]:
                return False
            continue
        by_label: dict = defaultdict(set)
        for value, label in zip(cells, parsed.columns[ct_index], strict=True):
            if value.__class__ is str:
                by_label[label].add(value)
        for label, present in by_label.items():
            target = labels.get(label or "")
            if target is not None and not present <= ids_by_model[target]:
                return False
    return True


def _report_references(parsed, links: list, labels: dict, ids_by_model: dict, errors) -> None:
    for number, (_external_id, values) in enumerate(parsed.rows, start=2):
        for index, column, ct_index in links:
            value = values[index]
            if value is None:
                continue
            if column.kind == "record":
                target = column.target
            elif isinstance(value, str):
                target = labels.get(values[ct_index] or "")
            else:
                continue
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


def _anomalies(rows: list[list], errors: Errors) -> tuple[list[dict], int]:
    anomalies, unopened = [], 0
    for number, raw in enumerate(rows, start=2):
        try:
            records = json.loads(unquote(raw[4] or "[]"))
            for index, record in enumerate(records):
                if isinstance(record, dict) and HIDDEN_RECORD_KEY in record:
                    key, opened = open_identity(
                        record[HIDDEN_RECORD_KEY], anomaly_context(str(raw[0]), index)
                    )
                    unopened += not opened
                    record[HIDDEN_RECORD_KEY] = key
            anomalies.append(
                {
                    "kind": unquote(raw[1] or ""),
                    "description": unquote(raw[2] or ""),
                    "expected_correction": unquote(raw[3] or ""),
                    "records": records,
                }
            )
        except (ValueError, TypeError, AttributeError):
            errors.add(_("Feuille « Anomalies », ligne %s : valeur invalide.") % number)
    return anomalies, unopened


def _reference_reader(column: Column) -> Callable:
    """How a reference cell is read; it stays as written (external id, username, label)."""
    null = column.field.null
    numeric = column.kind == "other_fk"
    maybe_numeric = column.kind == "generic"

    def read(cell):
        if cell is None or cell == "":
            if not null:
                raise ValidationError(_("référence obligatoire manquante"))
            return None
        if numeric or (maybe_numeric and isinstance(cell, int)):
            if isinstance(cell, bool) or not isinstance(cell, int):
                raise ValidationError(_("« %(value)s » n'est pas un identifiant") % {"value": cell})
            return cell
        if not isinstance(cell, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": cell})
        return unquote(cell)

    return read
