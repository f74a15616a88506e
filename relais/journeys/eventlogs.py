"""Event logs read into a Polars DataFrame, with a column mapping: CSV (also gzip), XES (also
gzip) and Parquet.

Every reader returns the same *canonical* frame, one row per event, in file order:

==================  ======================================================================
column              content
==================  ======================================================================
``case_id``         the case id as text (``String``)
``activity``        the activity as text (``String``)
``timestamp``       the event's instant, ``Datetime("us", "UTC")``
``start_timestamp`` only when the mapping names one: when the activity started
``channel``         only when the mapping names one (text)
``resource``        only when the mapping names one (text)
``position``        0-based position of the event in the file (``UInt64``), the last
                    tie-breaker of the mining order
*attributes*        the other columns under their own names, as text (``attr:<name>`` when
                    the name is one of the above)
==================  ======================================================================

Timestamps are absolute instants: a value with an offset (``+02:00``, ``+0200``, ``Z``) is
converted to UTC, a value without one is read as UTC. Precision is the microsecond (finer
digits are dropped).

A log is read whole or not at all: a missing column, an empty case id or activity, an empty
or unreadable timestamp raise :class:`EventLogError` with a French message and the line (CSV,
Parquet) or the event number (XES); nothing half-read is returned.

XES: trace attributes become ``case:<key>`` columns (so the usual case column is
``case:concept:name``), event attributes keep their keys (``concept:name``,
``time:timestamp``, ``org:resource``, ``lifecycle:transition``…). Nested attributes and
``<global>`` defaults are not read.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

CASE = "case_id"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
START = "start_timestamp"
CHANNEL = "channel"
RESOURCE = "resource"
POSITION = "position"
CANONICAL = (CASE, ACTIVITY, TIMESTAMP, START, CHANNEL, RESOURCE, POSITION)

XES_CASE = "case:concept:name"
XES_ACTIVITY = "concept:name"
XES_TIMESTAMP = "time:timestamp"

FORMATS = ("csv", "csv.gz", "xes", "xes.gz", "parquet")

_UTC = "UTC"
# Tried in this order; the first is what most logs use, so most columns parse in one pass.
_WITH_OFFSET = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%d %H:%M%#z",
)
_WITHOUT_OFFSET = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


class EventLogError(ValueError):
    """An event log that cannot be read: ``message`` in French, ``line`` (1-based, the header
    being line 1 in a CSV file) or ``event`` (1-based, XES) when one row is at fault."""

    def __init__(self, message: str, *, line: int | None = None, event: int | None = None):
        self.message = message
        self.line = line
        self.event = event
        if line is not None:
            message = f"Ligne {line} : {message}"
        elif event is not None:
            message = f"Événement n° {event} : {message}"
        super().__init__(message)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds what. ``attributes=None`` keeps every other column,
    a tuple keeps only those (``()`` none)."""

    case: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    channel: str | None = None
    resource: str | None = None
    attributes: tuple[str, ...] | None = field(default=None)

    def roles(self) -> list[tuple[str, str, str]]:
        """(canonical column, source column, French label) for each mapped role."""
        pairs = [
            (CASE, self.case, "identifiant de dossier"),
            (ACTIVITY, self.activity, "activité"),
            (TIMESTAMP, self.timestamp, "horodatage"),
            (START, self.start_timestamp, "horodatage de début"),
            (CHANNEL, self.channel, "canal"),
            (RESOURCE, self.resource, "ressource"),
        ]
        return [(name, source, label) for name, source, label in pairs if source]


XES_MAPPING = ColumnMapping(case=XES_CASE, activity=XES_ACTIVITY, timestamp=XES_TIMESTAMP)


def log_format(path: str | Path) -> str:
    """The format of a log from its file name: one of :data:`FORMATS`."""
    name = str(path).lower()
    for fmt in sorted(FORMATS, key=len, reverse=True):
        if name.endswith("." + fmt):
            return fmt
    raise EventLogError(
        f"Format de fichier non reconnu pour « {Path(path).name} » : extensions acceptées "
        + ", ".join("." + f for f in FORMATS)
        + "."
    )


def read_event_log(
    path: str | Path, mapping: ColumnMapping, *, separator: str | None = None
) -> pl.DataFrame:
    """Read the log at ``path`` (format from its extension) into the canonical frame."""
    fmt = log_format(path)
    if not Path(path).is_file():
        raise EventLogError(f"Fichier introuvable : « {path} ».")
    if fmt in ("csv", "csv.gz"):
        return read_csv(path, mapping, separator=separator)
    if fmt in ("xes", "xes.gz"):
        return read_xes(path, mapping)
    return read_parquet(path, mapping)


# --- CSV ------------------------------------------------------------------------------------


# A CSV log is read in batches of about this many bytes (cut at the end of a record), so a
# file of several gigabytes never sits whole in memory; each batch becomes a canonical frame.
CSV_BATCH_BYTES = 32 * 1024 * 1024


def _open_binary(path: str | Path):
    """The file for reading bytes, decompressed on the fly when it is gzip (magic bytes)."""
    with open(path, "rb") as raw:
        head = raw.read(2)
    return gzip.open(path, "rb") if head == b"\x1f\x8b" else open(path, "rb")  # noqa: SIM115


def _record_end(data: bytes, *, last: bool) -> int:
    """The offset just after the last (``last``) or first record-ending newline of ``data``,
    which starts at a record boundary: a newline inside a quoted field (an odd number of
    quotes before it; an escaped quote ``""`` counts twice) does not end a record. -1: none."""
    if last:
        total = data.count(b'"')
        at = data.rfind(b"\n")
        while at >= 0:
            if (total - data.count(b'"', at)) % 2 == 0:
                return at + 1
            at = data.rfind(b"\n", 0, at)
        return -1
    at = data.find(b"\n")
    while at >= 0:
        if data.count(b'"', 0, at) % 2 == 0:
            return at + 1
        at = data.find(b"\n", at + 1)
    return -1


def _record_chunks(handle, size: int) -> Iterator[bytes]:
    """Consecutive whole records of ``handle``, about ``size`` bytes at a time."""
    pending = b""
    while True:
        try:
            block = handle.read(size)
        except (OSError, EOFError, zlib.error) as error:
            raise EventLogError(f"Fichier illisible ou archive gzip corrompue : {error}.") from None
        if not block:
            if pending:
                yield pending
            return
        data = pending + block
        cut = _record_end(data, last=True)
        if cut <= 0:
            pending = data
            continue
        yield data[:cut]
        pending = data[cut:]


def _sniff_separator(data: bytes) -> str:
    end = data.find(b"\n")
    header = data[: end if end >= 0 else len(data)]
    candidates = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    return max(candidates, key=lambda sep: (candidates[sep], sep == ","))


def _not_utf8(data: bytes, lines_before: int) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = lines_before + data[: bad.start].count(b"\n") + 1
        raise EventLogError("le fichier n'est pas encodé en UTF-8.", line=line) from None


def iter_csv(
    path: str | Path,
    mapping: ColumnMapping,
    *,
    separator: str | None = None,
    batch_bytes: int = CSV_BATCH_BYTES,
) -> Iterator[pl.DataFrame]:
    """A CSV log (UTF-8, header first, RFC 4180 quoting; gzip read when the file is one) as
    consecutive canonical frames of about ``batch_bytes`` of the file each, in file order,
    positions running on from one frame to the next. The separator is guessed from the
    header (comma, semicolon or tab) unless given. Line numbers in errors count the header as
    line 1 (a quoted field spanning lines counts once), across batches; an error may come
    after earlier frames were yielded: a caller keeping them discards them then."""
    try:
        handle = _open_binary(path)
    except OSError as error:
        raise EventLogError(f"Fichier illisible ou archive gzip corrompue : {error}.") from None
    with handle:
        chunks = _record_chunks(handle, batch_bytes)
        first = next(chunks, b"")
        if first[:3] == b"\xef\xbb\xbf":
            first = first[3:]
        if not first or first.isspace():
            raise EventLogError("Le fichier est vide.")
        end = _record_end(first, last=False)
        header, rest = (first, b"") if end < 0 else (first[:end], first[end:])
        if not header.endswith(b"\n"):
            header += b"\n"
        _not_utf8(header, 0)
        sep = separator or _sniff_separator(header)
        lines = header.count(b"\n")  # physical lines read so far
        records = 0  # events read so far

        def parse(data: bytes) -> pl.DataFrame:
            try:
                return pl.read_csv(
                    io.BytesIO(header + data),
                    separator=sep,
                    infer_schema=False,
                    raise_if_empty=True,
                )
            except pl.exceptions.PolarsError as error:
                _not_utf8(data, lines)  # the usual cause, told with its line
                raise EventLogError(f"CSV illisible : {_first_line(error)}") from None

        for data in _chain_first(rest, chunks):
            _not_utf8(data, lines)
            frame = parse(data)
            if frame.height:
                yield to_canonical(frame, mapping, first_line=2 + records, position_offset=records)
                records += frame.height
            lines += data.count(b"\n")
        if records == 0:  # the header alone: its columns are checked, then « no event »
            to_canonical(parse(b""), mapping, first_line=2)


def _chain_first(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first and not first.isspace():
        yield first
    yield from rest


def _csv_bytes(path: str | Path) -> bytes:
    try:
        with _open_binary(path) as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise EventLogError(f"Fichier illisible ou archive gzip corrompue : {error}.") from None
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    return data


def read_csv(
    path: str | Path, mapping: ColumnMapping, *, separator: str | None = None
) -> pl.DataFrame:
    """A CSV log whole, as one canonical frame, in one parse (what ``mine_journeys`` and the
    benches read; the import of a kept log streams it with :func:`iter_csv` instead, and
    both give the same frame and the same errors). Line numbers in errors count the header
    as line 1 (a quoted field spanning lines counts once)."""
    data = _csv_bytes(path)
    if not data or data.isspace():
        raise EventLogError("Le fichier est vide.")
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=separator or _sniff_separator(data),
            infer_schema=False,
            raise_if_empty=True,
        )
    except pl.exceptions.PolarsError as error:
        _not_utf8(data, 0)  # the usual cause, told with its line
        raise EventLogError(f"CSV illisible : {_first_line(error)}") from None
    return to_canonical(frame, mapping, first_line=2)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# --- Parquet --------------------------------------------------------------------------------


def read_parquet(path: str | Path, mapping: ColumnMapping) -> pl.DataFrame:
    """A Parquet log; typed columns are accepted (timestamps as datetimes, ids as numbers).
    Line numbers in errors are 1-based row numbers."""
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise EventLogError(f"Fichier Parquet illisible : {_first_line(error)}") from None
    return to_canonical(frame, mapping, first_line=1)


# --- XES ------------------------------------------------------------------------------------

_XES_KINDS = frozenset({"string", "date", "int", "float", "boolean", "id"})


class _Columns:
    """Sparse columns: per key, the event numbers that have it and their values; nulls are
    filled in once at the end (XES events carry different attributes)."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[list[int], list[str | None]]] = {}
        self.count = 0

    def add(self, row: dict[str, str]) -> None:
        data, number = self.data, self.count
        for key, value in row.items():
            column = data.get(key)
            if column is None:
                column = data[key] = ([], [])
            column[0].append(number)
            column[1].append(value)
        self.count = number + 1

    def add_to_last(self, row: dict[str, str], count: int) -> None:
        """The attributes of ``row`` on the last ``count`` events (a trace's attributes)."""
        first = self.count - count
        for key, value in row.items():
            column = self.data.get(key)
            if column is None:
                column = self.data[key] = ([], [])
            column[0].extend(range(first, self.count))
            column[1].extend([value] * count)

    def frame(self) -> pl.DataFrame:
        series = []
        for key, (numbers, values) in self.data.items():
            if len(numbers) == self.count:
                column = pl.Series(key, values, dtype=pl.String)
                if numbers[-1] != self.count - 1 or numbers != sorted(numbers):
                    order = pl.Series(numbers, dtype=pl.UInt64).arg_sort()
                    column = column.gather(order)
            else:
                column = pl.Series(key, [None] * self.count, dtype=pl.String).scatter(
                    numbers, pl.Series(values, dtype=pl.String)
                )
            series.append(column)
        return pl.DataFrame(series)


def read_xes(path: str | Path, mapping: ColumnMapping = XES_MAPPING) -> pl.DataFrame:
    """An XES log (IEEE 1849), plain or gzip, streamed with expat (a trace at a time in
    memory besides the columns); DTDs and entity declarations are refused. Errors give the 1-based event number."""
    columns = _Columns()
    try:
        with open(path, "rb") as raw:
            head = raw.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as handle:
            _parse_xes(handle, columns)
    except (OSError, EOFError, zlib.error) as error:
        raise EventLogError(f"Fichier illisible ou archive gzip corrompue : {error}.") from None
    if columns.count == 0:
        raise EventLogError("Le journal ne contient aucun événement.")
    return to_canonical(columns.frame(), mapping, first_line=1, unit="event")


def _refuse_declarations(*_args) -> None:
    raise EventLogError("Les déclarations DTD et entités XML sont refusées.")


def _parse_xes(handle, columns: _Columns) -> None:
    """Expat callbacks, no element tree: about twice as fast as ``iterparse``. A trace's
    events wait until the trace ends, so trace attributes written after the events count."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    # depth, trace depth, event depth (-1: outside)
    state = [0, -1, -1]
    trace: dict[str, str] = {}
    events: list[dict[str, str]] = []
    event: dict[str, str] = {}
    kinds = _XES_KINDS

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal trace, event
        depth = state[0] = state[0] + 1
        if ":" in name:
            name = name.rsplit(":", 1)[1]
        if name in kinds:
            if state[2] >= 0:
                if depth == state[2] + 1 and "key" in attrs:
                    event[attrs["key"]] = attrs.get("value")
            elif state[1] >= 0 and depth == state[1] + 1 and "key" in attrs:
                trace["case:" + attrs["key"]] = attrs.get("value")
        elif name == "event":
            if state[1] >= 0 and state[2] < 0:
                state[2] = depth
                event = {}
        elif name == "trace" and state[1] < 0:
            state[1] = depth
            trace = {}
            events.clear()

    def end(name: str) -> None:
        depth = state[0]
        state[0] = depth - 1
        if depth == state[2]:
            state[2] = -1
            events.append(event)
        elif depth == state[1]:
            state[1] = -1
            for one in events:
                columns.add(one)
            columns.add_to_last(trace, len(events))
            events.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.ParseFile(handle)
    except expat.ExpatError as error:
        raise EventLogError(f"XML invalide : {error}.") from None


# --- Mapping and checks ---------------------------------------------------------------------


def parse_instants(values: pl.Series) -> pl.Series:
    """Text to ``Datetime("us", "UTC")``: with an offset, converted to UTC; without, read as
    UTC. Unparsable values become null (callers check).

    Fast path: Arrow's ISO 8601 cast, about ten times faster than a format-driven parse,
    taken when the whole column is ISO 8601 with offsets (or the whole column without);
    any other column (mixed, padded, nanoseconds, odd layouts) goes through the formats
    one by one."""
    if values.dtype == pl.Datetime:
        if values.dtype.time_zone is None:  # type: ignore[union-attr]
            return values.dt.cast_time_unit("us").dt.replace_time_zone(_UTC)
        return values.dt.cast_time_unit("us").dt.convert_time_zone(_UTC)
    if values.dtype == pl.Date:
        return values.cast(pl.Datetime("us")).dt.replace_time_zone(_UTC)
    text = values.cast(pl.String)
    fast = _arrow_instants(text)
    if fast is not None:
        return fast.alias(values.name)
    text = text.str.strip_chars()
    parsed = pl.Series(values.name, [None] * len(text), dtype=pl.Datetime("us", _UTC))
    missing = text.is_not_null()
    for fmt in _WITH_OFFSET + _WITHOUT_OFFSET:
        if not missing.any():
            break
        attempt = text.str.to_datetime(fmt, time_zone=_UTC, time_unit="us", strict=False)
        parsed = parsed.fill_null(attempt)
        missing = text.is_not_null() & parsed.is_null()
    return parsed


def _arrow_instants(text: pl.Series) -> pl.Series | None:
    """The column parsed by Arrow when every value is ISO 8601 of one kind, else None."""
    if text.null_count() == len(text):
        return None
    array = text.to_arrow()
    for target, naive in ((pa.timestamp("us", tz=_UTC), False), (pa.timestamp("us"), True)):
        try:
            cast = pc.cast(array, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        parsed = pl.Series(cast)
        return parsed.dt.replace_time_zone(_UTC) if naive else parsed.dt.convert_time_zone(_UTC)
    return None


def _as_text(values: pl.Series) -> pl.Series:
    if values.dtype == pl.String:
        return values
    if values.dtype == pl.Boolean:
        return values.cast(pl.String).str.replace("true", "True").str.replace("false", "False")
    return values.cast(pl.String)


def _row_label(index: int, first_line: int, unit: str) -> dict[str, int]:
    number = index + first_line
    return {"event": number} if unit == "event" else {"line": number}


def _first_blank_rows(frame: pl.DataFrame, sources: list[str]) -> dict[str, int | None]:
    """Source column → index of its first null or blank (whitespace only) value, None when
    there is none, for the text columns among ``sources``: checked in one select, so Polars
    checks the columns in parallel."""
    text = [s for s in dict.fromkeys(sources) if frame.schema[s] == pl.String]
    if not text:
        return {}
    found = frame.select(
        (pl.col(s).is_null() | (pl.col(s).str.strip_chars() == "")).arg_true().first() for s in text
    ).row(0)
    return dict(zip(text, found, strict=True))


def _first_true(mask: pl.Series) -> int | None:
    positions = mask.arg_true()
    return int(positions[0]) if len(positions) else None


def to_canonical(
    frame: pl.DataFrame,
    mapping: ColumnMapping,
    *,
    first_line: int = 1,
    unit: str = "line",
    position_offset: int = 0,
) -> pl.DataFrame:
    """Check ``frame`` against ``mapping`` and build the canonical frame (see the module
    docstring). ``first_line`` is the number of the first row in errors; ``position_offset``
    the position of its first event (a batch of a larger file)."""
    present = frame.columns
    for _name, source, label in mapping.roles():
        if source not in present:
            shown = ", ".join(present[:30]) + (" …" if len(present) > 30 else "")
            raise EventLogError(
                f"Colonne « {source} » ({label}) absente du fichier. Colonnes présentes : {shown}."
            )
    if mapping.attributes is not None:
        for source in mapping.attributes:
            if source not in present:
                raise EventLogError(f"Colonne d'attribut « {source} » absente du fichier.")
    if frame.height == 0:
        raise EventLogError("Le journal ne contient aucun événement.")

    out: dict[str, pl.Series] = {}
    blank = _first_blank_rows(
        frame, [source for name, source, _label in mapping.roles() if name in (CASE, ACTIVITY)]
    )
    for name, source, label in mapping.roles():
        values = frame.get_column(source)
        if name in (TIMESTAMP, START):
            instants = parse_instants(values)
            bad = _first_true(instants.is_null())
            if bad is not None:
                raw = values[bad]
                if raw is None or str(raw).strip() == "":
                    message = f"{label} vide (colonne « {source} »)."
                else:
                    message = f"{label} illisible « {str(raw)[:60]} » (colonne « {source} »)."
                raise EventLogError(message, **_row_label(bad, first_line, unit))
            out[name] = instants.alias(name)
            continue
        text = _as_text(values)
        if name in (CASE, ACTIVITY):
            bad = (
                blank[source]
                if source in blank
                else _first_true(text.is_null() | (text.str.strip_chars() == ""))
            )
            if bad is not None:
                raise EventLogError(
                    f"{label} vide (colonne « {source} »).", **_row_label(bad, first_line, unit)
                )
        out[name] = text.alias(name)
    out[POSITION] = pl.int_range(
        position_offset, position_offset + frame.height, dtype=pl.UInt64, eager=True
    ).alias(POSITION)

    mapped = {source for _name, source, _label in mapping.roles()}
    kept: Iterable[str] = (
        mapping.attributes
        if mapping.attributes is not None
        else [c for c in present if c not in mapped]
    )
    for source in kept:
        target = f"attr:{source}" if source in CANONICAL else source
        out[target] = frame.get_column(source).alias(target)
    return pl.DataFrame(out)
