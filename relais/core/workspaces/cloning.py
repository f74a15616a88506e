"""Copying, resetting and deleting a workspace's records, set-based, inside the database.

Only the models registered with ``relais.core.workspaces.sandbox.register_sandbox_models``
are touched, table by table in ``sandbox_models()`` order (parents first for a copy, children
first for a deletion): one ``INSERT … SELECT`` or one ``DELETE`` per table, no row loaded into
Python.

A copy shifts the source rows' primary keys by a per-table offset, so that every foreign key
to a record table (and every generic ``*_type``/``*_id`` pair) is remapped with the same
offset in the same statement. What an app needs beyond a faithful copy (dates moved to the day
of use, some tables regenerated instead of copied, user links given to the sandbox's learner)
it passes as options: see ``workspace_records_clone``.

A copy's per-table offsets are its *key map* (``workspace_records_copy`` returns it): a copied
row's key is its source row's key plus the offset, and the offset's key range is reserved for
the copy alone. With the map kept, a reset can be *differential* (``workspace_records_reset``):
instead of deleting every row and copying them all again, it compares each row of the copy
with what a fresh copy would write, in SQL, and rewrites only the rows that differ — the rows
the learner added, changed or deleted, whatever service, import or merge did it.
"""

from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from relais.core.accounts.models import User
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.sandbox import sandbox_models, workspace_where

# ``owner`` default of ``workspace_records_clone``: user links are copied as they are.
KEEP_USERS = object()

# ``date_sql(cursor, model, field, column, source) -> (sql, params)``: the SQL expression
# written for a date or datetime column (``column`` is the source's, e.g. ``s."due_on"``).
DateSql = Callable[..., tuple[str, list]]


# ``{"source": pk, "tables": {label: [offset, low, high]}}``: for each copied table, the number
# added to the source's keys and the source key range whose copies' keys are reserved. JSON.
KeyMap = dict


class CopyResult(NamedTuple):
    written: int
    key_map: KeyMap


class ResetCounts(NamedTuple):
    deleted: int
    copied: int
    # The key map of the records after the reset (to keep for the next one).
    key_map: KeyMap | None = None
    # Whether only the rows that differ from the source were rewritten.
    differential: bool = False


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _uuid_sql() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    # Django stores UUIDs on SQLite as 32 hex digits without dashes.
    return "lower(hex(randomblob(16)))"


def _is_auto_timestamp(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def workspace_records_delete(workspace: Workspace) -> int:
    """Delete every record of ``workspace`` with one DELETE per registered table, children
    first.

    Rows of unregistered models (memberships, jobs, the audit trail…) are kept. Run inside a
    transaction. Returns the number of rows deleted.
    """
    deleted = 0
    with connection.cursor() as cursor:
        for model in reversed(sandbox_models()):
            table = _q(model._meta.db_table)
            cursor.execute(
                f"DELETE FROM {table} WHERE {workspace_where(model)}",  # noqa: S608
                [workspace.pk],
            )
            deleted += max(cursor.rowcount, 0)
    return deleted


def workspace_records_clone(
    *,
    source: Workspace,
    target: Workspace,
    exclude: Iterable[type[models.Model]] = (),
    owner=KEEP_USERS,
    date_sql: DateSql | None = None,
) -> int:
    """Copy every record of ``source`` into ``target`` inside the database; returns the
    number of rows written.

    Public ids (unique UUID fields) are new; creation and modification times are now; links
    between records follow the copies. Options:

    * ``exclude``: registered models not copied (the caller regenerates them); links to their
      rows become NULL;
    * ``owner``: a user (or ``None``) that every non-null user link (owner, author, actor…)
      is given to; by default user links are kept;
    * ``date_sql``: how other date and datetime columns are written (see ``DateSql``); by
      default they are copied as they are.

    Run inside a transaction; ``target`` should be empty. ``workspace_records_copy`` does the
    same and also returns the copy's key map.
    """
    return workspace_records_copy(
        source=source, target=target, exclude=exclude, owner=owner, date_sql=date_sql
    ).written


def workspace_records_copy(
    *,
    source: Workspace,
    target: Workspace,
    exclude: Iterable[type[models.Model]] = (),
    owner=KEEP_USERS,
    date_sql: DateSql | None = None,
) -> CopyResult:
    """``workspace_records_clone``, returning the rows written and the copy's key map (keep
    it: ``workspace_records_reset`` given it can rewrite only what changed)."""
    options = _options(
        source=source, target=target, exclude=exclude, owner=owner, date_sql=date_sql
    )
    with connection.cursor() as cursor:
        offsets = {model: _reserve_offset(cursor, model, source) for model in options.copied}
        written = _copy_all(cursor, source, offsets, options)
    return CopyResult(written, _key_map(source, offsets))


def _options(*, source, target, exclude, owner, date_sql) -> "_CopyOptions":
    excluded = tuple(exclude)
    copied = tuple(m for m in sandbox_models() if m not in excluded)
    return _CopyOptions(
        target=target,
        now=timezone.now(),
        owner=owner,
        date_sql=date_sql,
        excluded=excluded,
        excluded_type_ids=sorted(
            ct.pk for ct in ContentType.objects.get_for_models(*excluded).values()
        ),
        content_types=ContentType.objects.get_for_models(*copied),
        copied=copied,
    )


def workspace_records_reset(
    *,
    workspace: Workspace,
    source: Workspace,
    exclude: Iterable[type[models.Model]] = (),
    owner=KEEP_USERS,
    date_sql: DateSql | None = None,
    key_map: KeyMap | None = None,
    differential: bool = True,
) -> ResetCounts:
    """Replace the records of ``workspace`` by a copy of those of ``source``, with the same
    options as ``workspace_records_clone``. Run inside a transaction.

    Given the ``key_map`` of the records' last copy (``workspace_records_copy``, or a former
    reset) and when it still fits the source — same source, every source key inside its
    table's reserved range, no table the map does not know — the keys are kept and, with
    ``differential``, only the rows that differ are rewritten, children first then parents:

    * a row of ``workspace`` that is not exactly what a copy of its source row would be
      (compared column by column, null-safe: every column but the key, public ids and
      creation and modification times) or that has no source row (the learner's own) is
      deleted;
    * every source row whose copy is then missing is copied again, with the same key.

    The result is a fresh copy's, row for row and key for key (public ids and timestamps of
    the rows kept are theirs). Without a fitting map (an older copy, a source that gained
    rows beyond its range since), every record is deleted and copied under new keys; a map
    that fits with ``differential=False`` deletes and copies everything under the same keys.
    Returns the rows deleted and copied, the key map to keep, and which way it went.
    """
    options = _options(
        source=source, target=workspace, exclude=exclude, owner=owner, date_sql=date_sql
    )
    with connection.cursor() as cursor:
        offsets = _fitting_offsets(cursor, key_map, source, options) if key_map else None
        if offsets is not None and differential:
            deleted = 0
            for model in reversed(sandbox_models()):
                deleted += _delete_differing(cursor, model, source, offsets, options)
            copied = _copy_all(cursor, source, offsets, options, missing=True)
            return ResetCounts(deleted, copied, _key_map(source, offsets), differential=True)
    deleted = workspace_records_delete(workspace)
    with connection.cursor() as cursor:
        if offsets is None:
            offsets = {model: _reserve_offset(cursor, model, source) for model in options.copied}
        copied = _copy_all(cursor, source, offsets, options)
    return ResetCounts(deleted, copied, _key_map(source, offsets), differential=False)


# --- the copy ---------------------------------------------------------------------------------


class _CopyOptions(NamedTuple):
    target: Workspace
    now: object
    owner: object
    date_sql: DateSql | None
    excluded: tuple
    excluded_type_ids: list[int]
    content_types: dict
    copied: tuple


class _Keys(NamedTuple):
    """A copied table's keys: the offset added to the source's keys, and the source key range
    [low, high] whose copies' keys (low + offset … high + offset) are reserved for the copy."""

    offset: int
    low: int
    high: int


def _reserve_offset(cursor, model, source: Workspace) -> _Keys | None:
    """The number added to the source rows' keys so that the copies get free keys.

    On PostgreSQL the range is taken from the table's sequence in one statement (so ordinary
    inserts running meanwhile get keys above it); on SQLite writers are serialised and keys
    above both the table's maximum and the highest key it ever gave (``sqlite_sequence``:
    Django's keys are ``AUTOINCREMENT``) are free — the maximum alone could give out again
    the keys of a copy whose last rows were deleted, which its reset would take back.
    ``None`` when the source has no rows in the table.
    """
    table = _q(model._meta.db_table)
    pk = _q(model._meta.pk.column)
    where = workspace_where(model, "s")
    if connection.vendor == "postgresql":
        # One round trip: the source's key range, and the range taken from the sequence.
        sequence = "pg_get_serial_sequence(%s, %s)"
        cursor.execute(
            f"WITH b AS (SELECT MIN(s.{pk}) AS low, MAX(s.{pk}) AS high "  # noqa: S608
            f"FROM {table} s WHERE {where}) "
            f"SELECT low, high, CASE WHEN low IS NULL THEN NULL ELSE setval({sequence}, "
            f"GREATEST(nextval({sequence}), (SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table})) "
            "+ (high - low + 1)) - (high - low + 1) END FROM b",
            [source.pk, *[model._meta.db_table, model._meta.pk.column] * 2],
        )
        low, high, first = cursor.fetchone()
        return None if low is None else _Keys(first - low, low, high)
    cursor.execute(f"SELECT MIN(s.{pk}), MAX(s.{pk}) FROM {table} s WHERE {where}", [source.pk])  # noqa: S608
    low, high = cursor.fetchone()
    if low is None:
        return None
    cursor.execute(
        f"SELECT MAX(COALESCE((SELECT MAX({pk}) FROM {table}), 0), "  # noqa: S608
        "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
        [model._meta.db_table],
    )
    return _Keys(cursor.fetchone()[0] + 1 - low, low, high)


def _fitting_offsets(cursor, key_map: KeyMap, source: Workspace, options) -> dict | None:
    """The key map's offsets when they still fit ``source`` (same source, each copied table's
    source keys inside the range the map reserved, no source rows in a table it does not
    know); ``None`` otherwise. One statement for every table."""
    tables = key_map.get("tables") or {}
    if key_map.get("source") != source.pk:
        return None
    parts, params = [], []
    for index, model in enumerate(options.copied):
        table = _q(model._meta.db_table)
        pk = _q(model._meta.pk.column)
        parts.append(
            f"SELECT {index}, MIN(s.{pk}), MAX(s.{pk}) FROM {table} s "  # noqa: S608
            f"WHERE {workspace_where(model, 's')}"
        )
        params.append(source.pk)
    cursor.execute(" UNION ALL ".join(parts), params)
    offsets: dict = {}
    for index, low, high in cursor.fetchall():
        model = options.copied[index]
        entry = tables.get(model._meta.label_lower)
        if low is None:
            # No source rows: the map's range (if any) stays reserved for later.
            offsets[model] = _Keys(*entry) if entry else None
        elif entry is None or not (entry[1] <= low and high <= entry[2]):
            return None
        else:
            offsets[model] = _Keys(*entry)
    return offsets


def _key_map(source: Workspace, offsets: dict) -> KeyMap:
    return {
        "source": source.pk,
        "tables": {
            model._meta.label_lower: list(keys)
            for model, keys in offsets.items()
            if keys is not None
        },
    }


def _copy_all(cursor, source, offsets: dict, options: _CopyOptions, *, missing=False) -> int:
    """Copy each table, parents first; with ``missing``, only the source rows whose copy is
    not in the target (the rest is already there)."""
    written = 0
    for model in options.copied:
        if offsets[model] is not None:
            written += _copy_table(cursor, model, source, offsets, options, missing=missing)
    return written


def _expressions(cursor, model, source, offsets: dict, options: _CopyOptions):
    """What a copy writes in each column of ``model``, as SQL over the source row ``s``:
    ``[(field, expression, params, compared)]``; ``compared`` is False for the columns that a
    copy makes new each time (key, public id, creation and modification times)."""
    generic = {
        gfk.fk_field: gfk.ct_field
        for gfk in model._meta.private_fields
        if isinstance(gfk, GenericForeignKey)
    }
    generic_types = {
        model._meta.get_field(ct_field).column: ct_field for ct_field in generic.values()
    }
    excluded_ids = options.excluded_type_ids
    result = []
    for field in model._meta.concrete_fields:
        column = f"s.{_q(field.column)}"
        params: list = []
        compared = True
        if field.primary_key:
            expression = f"{column} + %s"
            params.append(int(offsets[model].offset))
            compared = False
        elif field.name == "workspace" and field.related_model is Workspace:
            expression = "%s"
            params.append(options.target.pk)
        elif field.is_relation and field.related_model in offsets:
            keys = offsets[field.related_model]
            expression = f"{column} + %s" if keys is not None else "NULL"
            params += [int(keys.offset)] if keys is not None else []
        elif field.is_relation and field.related_model in options.excluded:
            expression = "NULL"
        elif field.is_relation and field.related_model is User and options.owner is not KEEP_USERS:
            expression = f"CASE WHEN {column} IS NULL THEN NULL ELSE %s END"
            params.append(options.owner.pk if options.owner is not None else None)
        elif field.name in generic:
            ct_column = _q(model._meta.get_field(generic[field.name]).column)
            # In content-type order: the statement's text must not depend on the order the
            # content-type cache hands them out (one text per template and day, compiled once).
            linked = sorted(
                (
                    (ct, offsets[related])
                    for related, ct in options.content_types.items()
                    if offsets.get(related) is not None
                ),
                key=lambda pair: pair[0].pk,
            )
            cases = " ".join(f"WHEN {int(ct.pk)} THEN {column} + %s" for ct, _keys in linked)
            params += [int(keys.offset) for _ct, keys in linked]
            # A link to an excluded row would point outside the copy.
            cases += "".join(f" WHEN {int(pk)} THEN NULL" for pk in excluded_ids)
            expression = f"CASE s.{ct_column} {cases} ELSE {column} END" if cases else column
        elif field.column in generic_types and excluded_ids:
            excluded = ", ".join(str(int(pk)) for pk in excluded_ids)
            expression = f"CASE WHEN {column} IN ({excluded}) THEN NULL ELSE {column} END"
        elif isinstance(field, models.UUIDField) and field.unique:
            expression = _uuid_sql()
            compared = False
        elif _is_auto_timestamp(field):
            expression = "%s"
            params.append(options.now)
            compared = False
        elif isinstance(field, models.DateField) and options.date_sql is not None:
            # DateTimeField is a DateField.
            expression, params = options.date_sql(cursor, model, field, column, source)
        else:
            expression = column
        result.append((field, expression, list(params), compared))
    return result


def _copy_table(
    cursor, model, source: Workspace, offsets: dict, options: _CopyOptions, *, missing=False
) -> int:
    columns, expressions, params = [], [], []
    for field, expression, expression_params, _compared in _expressions(
        cursor, model, source, offsets, options
    ):
        columns.append(_q(field.column))
        expressions.append(expression)
        params += expression_params
    table = _q(model._meta.db_table)
    pk = _q(model._meta.pk.column)
    only_missing, only_missing_params = "", []
    if missing:
        # The copy already holds the row with this key: it was kept.
        only_missing = (
            f" AND NOT EXISTS (SELECT 1 FROM {table} t "  # noqa: S608
            f"WHERE t.{pk} = s.{pk} + %s)"
        )
        only_missing_params = [int(offsets[model].offset)]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the models
        f"SELECT {', '.join(expressions)} FROM {table} s WHERE {workspace_where(model, 's')}"
        f"{only_missing} ORDER BY s.{pk}"
    )
    cursor.execute(sql, [*params, source.pk, *only_missing_params])
    return max(cursor.rowcount, 0)


def _same_sql(left: str, right: str) -> str:
    """Null-safe equality."""
    if connection.vendor == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def _delete_differing(cursor, model, source: Workspace, offsets: dict, options) -> int:
    """Delete the rows of the target that a fresh copy would not write as they are: those
    without a source row (added, or of a table not copied) and those with a column that
    differs from its source row's copy. One statement."""
    table = _q(model._meta.db_table)
    target_where = workspace_where(model, "t")
    keys = offsets.get(model)
    if keys is None:  # not copied (excluded, or no source rows): every row goes
        cursor.execute(
            f"DELETE FROM {table} AS t WHERE {target_where}",  # noqa: S608
            [options.target.pk],
        )
        return max(cursor.rowcount, 0)
    pk = _q(model._meta.pk.column)
    checks, params = [], []
    for field, expression, expression_params, compared in _expressions(
        cursor, model, source, offsets, options
    ):
        if not compared or (field.name == "workspace" and field.related_model is Workspace):
            continue  # the target's own rows are selected by it already
        checks.append(_same_sql(f"t.{_q(field.column)}", expression))
        params += expression_params
    same = "".join(f" AND {check}" for check in checks)
    sql = (
        f"DELETE FROM {table} AS t WHERE {target_where} AND NOT ("  # noqa: S608 - model names
        f"t.{pk} BETWEEN %s AND %s AND EXISTS (SELECT 1 FROM {table} s "
        f"WHERE s.{pk} = t.{pk} - %s AND {workspace_where(model, 's')}{same}))"
    )
    cursor.execute(
        sql,
        [
            options.target.pk,
            keys.low + keys.offset,
            keys.high + keys.offset,
            int(keys.offset),
            source.pk,
            *params,
        ],
    )
    return max(cursor.rowcount, 0)
