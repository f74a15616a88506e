"""Inserting many rows of one model given as plain tuples: one prepared INSERT, ``executemany``.

``QuerySet.bulk_create`` builds a model instance per row, passes every value through its
field's ``get_db_prep_save`` chain and compiles one placeholder per value: at 10,000 rows
that is most of a campaign send. ``insert_rows`` keeps what matters of it:

* the statement's columns come from the model's ``_meta`` (the caller names the fields it
  gives, by attname; every other concrete field takes its default, creation and
  modification times take ``now``, the primary key is reserved up front);
* values are adapted the way ``get_db_prep_save`` would, with the adapter chosen once per
  column from the field's type (plain text, numbers, booleans and keys go as they are);
* the primary keys are returned in row order, so that children can point at their parents
  before anything else is read back.

Only for rows whose values have already been checked (the callers validate before); the
database still checks its constraints (foreign keys, NOT NULL, CHECK) as for any insert.
SQLite and PostgreSQL only; run inside a transaction (``transaction.atomic``).
"""

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice, repeat
from uuid import UUID

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.utils import timezone

# Fields whose Python values the SQLite and PostgreSQL drivers take as they are.
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}

INSERT_BATCH = 2000


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    now=None,
    ids: Sequence[int] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[int]:
    """Insert ``rows`` (tuples of the values of ``fields``, attnames such as ``customer_id``)
    into ``model``'s table; returns the new primary keys in row order.

    Fields not named take their default (a callable default is called per row), the
    ``auto_now`` / ``auto_now_add`` ones take ``now`` (default: the current time). ``ids``:
    primary keys the caller reserved (``reserve_ids``), one per row, when rows must point at
    each other before they are written.
    """
    rows = list(rows)
    if not rows:
        return []
    connection = connections[using]
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise NotImplementedError("insert_rows supports SQLite and PostgreSQL.")
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows must run inside a transaction.")
    meta = model._meta
    given = {name: index for index, name in enumerate(fields)}
    now = now or timezone.now()
    pk_column = meta.pk.column
    columns, getters = [pk_column], []
    for field in meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in given:
            index = given[field.attname]
            adapt = _adapter(field, connection)
            getters.append(
                (lambda row, i=index: row[i])
                if adapt is None
                else (lambda row, i=index, a=adapt: a(row[i]))
            )
        else:
            getters.append(_filler(field, connection, now))
        columns.append(field.column)
    unknown = set(given) - {f.attname for f in meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    if ids is None:
        ids = reserve_ids(model, len(rows), using=using)
    elif len(ids) != len(rows):
        raise ValueError("one reserved id per row")
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    values = [(pk, *[get(row) for get in getters]) for pk, row in zip(ids, rows, strict=True)]
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_BATCH):
            cursor.executemany(sql, values[start : start + INSERT_BATCH])
    return list(ids)


def insert_columns(
    model: type[Model],
    fields: Sequence[str],
    columns: Sequence[Sequence],
    *,
    ids: Sequence[int],
    now=None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """``insert_rows`` for values given by column: ``columns[i]`` holds the values of
    ``fields[i]`` for every row, ``ids`` the rows' reserved primary keys (``reserve_ids``).

    Each column is adapted in one pass (``map`` over it, or as it is when the driver takes
    its values unchanged), constant defaults are repeated rather than computed per row:
    for loaders that already hold their data by column (a snapshot import)."""
    count = len(ids)
    if not count:
        return
    if any(len(column) != count for column in columns) or len(columns) != len(fields):
        raise ValueError("one value per row in each column, one column per field")
    connection = connections[using]
    _check_connection(connection)
    meta = model._meta
    given = {name: index for index, name in enumerate(fields)}
    unknown = set(given) - {f.attname for f in meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    now = now or timezone.now()
    names, values = [meta.pk.column], [ids]
    for field in meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(field.column)
        if field.attname in given:
            column = columns[given[field.attname]]
            adapt = None if column.__class__ is Stored else _adapter(field, connection)
            values.append(column if adapt is None else list(map(adapt, column)))
        elif field.has_default() and callable(field.default) and not _is_auto_now(field):
            fill = _filler(field, connection, now)
            values.append([fill(None) for _ in range(count)])
        else:
            values.append(repeat(_filler(field, connection, now)(None), count))
    quote = connection.ops.quote_name
    target = f"{quote(meta.db_table)} ({', '.join(quote(c) for c in names)})"
    rows = zip(*values, strict=False)  # ``repeat`` columns are as long as the rest
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows streamed in one command, the values dumped by psycopg's adapters
            # (the same as for an INSERT's parameters), several times faster for the server
            # than as many INSERTs. Constraints and triggers apply as for an INSERT.
            # The driver's cursor, wrapped as Django wraps its own: its errors come out as
            # Django's (``IntegrityError``…), as an INSERT's would.
            copying = cursor.cursor.copy(f"COPY {target} FROM STDIN")  # names from the model
            with connection.wrap_database_errors, copying as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        while batch := list(islice(rows, INSERT_BATCH)):
            cursor.executemany(sql, batch)


class Stored(list):
    """A column given to ``insert_columns`` already as the driver takes it (the caller vouches
    for the form, e.g. ``stored_datetime_texts``): passed on without adapting."""

    __slots__ = ()


# An aware date-time's ISO text in UTC, as ``isoformat`` writes it (no fraction when zero).
_UTC_ISO_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?!000000)\d{6})?\+00:00")


def stored_datetime_texts(texts: Sequence, using: str = DEFAULT_DB_ALIAS) -> Stored | None:
    """The date-times whose ISO texts in UTC are ``texts`` (``None`` kept) as the database
    takes them, from the text rather than by formatting each parsed ``datetime`` again:
    on SQLite what Django stores (``str`` of the naive UTC value: the same text with a
    space for the ``T`` and no offset), on PostgreSQL the text itself (its explicit
    ``+00:00`` makes it the same instant whatever the session's time zone). ``None`` when
    any text is in another form, or time zones are off, or SQLite does not store UTC. The
    texts must already be known valid (``fromisoformat`` read them)."""
    connection = connections[using]
    if not settings.USE_TZ or connection.vendor not in {"sqlite", "postgresql"}:
        return None
    if connection.vendor == "sqlite" and connection.timezone is not UTC:
        return None
    present = [t for t in texts if t is not None] if None in texts else texts
    if not set(map(type, present)) <= {str} or not all(map(_UTC_ISO_TEXT.fullmatch, present)):
        return None
    if connection.vendor == "postgresql":
        return Stored(texts)
    return Stored([None if t is None else t[:-6].replace("T", " ", 1) for t in texts])


def _is_auto_now(field: Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _check_connection(connection) -> None:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise NotImplementedError("insert_rows supports SQLite and PostgreSQL.")
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows must run inside a transaction.")


def reserve_ids(model: type[Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> Sequence[int]:
    """``count`` primary keys for new rows of ``model``, never given before.

    PostgreSQL takes them from the table's sequence, one ``nextval`` per key as before (so
    that other sessions inserting meanwhile can never be given the same keys); the server
    sends them back as runs of consecutive keys, ``(first, length)`` (usually one run: a
    gap only where another session took keys in between), rather than one row per key.
    On SQLite, whose writers the ``IMMEDIATE`` transaction serialises, the keys past the
    highest ever given are free.
    """
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once: ``pg_get_serial_sequence`` inside the generating
            # query would be evaluated again for every key (most of the time spent).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT COUNT(*), MIN(key) FROM ("
                " SELECT key, key - ROW_NUMBER() OVER (ORDER BY key) AS run FROM ("
                "  SELECT nextval(%s::regclass) AS key FROM generate_series(1, %s)) AS keys"
                ") AS runs GROUP BY run ORDER BY 2",
                [sequence, count],
            )
            keys: list[int] = []
            for length, first in cursor.fetchall():
                keys.extend(range(first, first + length))
            if len(keys) != count:  # never expected: nextval gives each key once
                raise RuntimeError("reserve_ids: the sequence gave fewer keys than asked")
            return keys
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        highest = max(highest, cursor.fetchone()[0])
    return range(highest + 1, highest + 1 + count)


def _adapter(field: Field, connection) -> Callable | None:
    """How a value of ``field`` is made ready for the driver; ``None`` when it goes as is."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    ops = connection.ops
    if kind == "DateTimeField":
        return _datetime_adapter(field, connection)
    if kind == "DateField":
        return ops.adapt_datefield_value

    def slow(value):
        return field.get_db_prep_save(value, connection)

    # The usual values of two common types, as ``get_db_prep_save`` would give them.
    if kind == "UUIDField":
        if connection.features.has_native_uuid_field:
            return lambda value: value if value.__class__ is UUID else slow(value)
        return lambda value: value.hex if value.__class__ is UUID else slow(value)
    if kind == "DecimalField":
        # Both backends take a ``Decimal`` as it is (``adapt_decimalfield_value``).
        return lambda value: value if value.__class__ is Decimal else slow(value)
    return slow


def _datetime_adapter(field: Field, connection) -> Callable:
    """``adapt_datetimefield_value(get_prep_value(value))``, with a shortcut for the usual
    value, an aware ``datetime``: as it is for PostgreSQL, its text in the connection's time
    zone for SQLite (what Django's SQLite backend stores)."""
    ops = connection.ops

    def slow(value):
        return ops.adapt_datetimefield_value(field.get_prep_value(value))

    if not settings.USE_TZ:
        return slow
    if connection.vendor == "postgresql":
        return lambda value: value if type(value) is datetime and value.tzinfo else slow(value)
    zone = connection.timezone

    def adapt(value):
        if type(value) is datetime and value.tzinfo is zone is UTC:
            return value.isoformat(" ")[:-6]  # the same text, without a conversion
        if type(value) is datetime and value.tzinfo is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return slow(value)

    return adapt


def _filler(field: Field, connection, now) -> Callable:
    """The value of a field the caller does not give, for every row."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = field.get_db_prep_save(now, connection)
        return lambda row: value
    if field.has_default() and callable(field.default):
        make = field.default
        return lambda row: field.get_db_prep_save(make(), connection)
    value = field.get_db_prep_save(field.get_default(), connection)
    return lambda row: value
