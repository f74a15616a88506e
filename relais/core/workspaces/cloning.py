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


class ResetCounts(NamedTuple):
    deleted: int
    copied: int


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

    Run inside a transaction; ``target`` should be empty.
    """
    excluded = tuple(exclude)
    copied = [m for m in sandbox_models() if m not in excluded]
    options = _CopyOptions(
        target=target,
        now=timezone.now(),
        owner=owner,
        date_sql=date_sql,
        excluded=excluded,
        excluded_type_ids=[ct.pk for ct in ContentType.objects.get_for_models(*excluded).values()],
        content_types=ContentType.objects.get_for_models(*copied),
    )
    written = 0
    with connection.cursor() as cursor:
        offsets: dict[type[models.Model], int | None] = {
            model: _reserve_offset(cursor, model, source) for model in copied
        }
        for model in copied:
            if offsets[model] is not None:
                written += _copy_table(cursor, model, source, offsets, options)
    return written


def workspace_records_reset(
    *,
    workspace: Workspace,
    source: Workspace,
    exclude: Iterable[type[models.Model]] = (),
    owner=KEEP_USERS,
    date_sql: DateSql | None = None,
) -> ResetCounts:
    """Replace the records of ``workspace`` by a copy of those of ``source``:
    ``workspace_records_delete`` then ``workspace_records_clone`` with the same options.
    Run inside a transaction. Returns the rows deleted and copied."""
    deleted = workspace_records_delete(workspace)
    copied = workspace_records_clone(
        source=source, target=workspace, exclude=exclude, owner=owner, date_sql=date_sql
    )
    return ResetCounts(deleted=deleted, copied=copied)


# --- the copy ---------------------------------------------------------------------------------


class _CopyOptions(NamedTuple):
    target: Workspace
    now: object
    owner: object
    date_sql: DateSql | None
    excluded: tuple
    excluded_type_ids: list[int]
    content_types: dict


def _reserve_offset(cursor, model, source: Workspace) -> int | None:
    """The number added to the source rows' keys so that the copies get free keys.

    On PostgreSQL the range is taken from the table's sequence in one statement (so ordinary
    inserts running meanwhile get keys above it); on SQLite writers are serialised and keys
    above the table's maximum are free. ``None`` when the source has no rows in the table.
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
            f"SELECT low, CASE WHEN low IS NULL THEN NULL ELSE setval({sequence}, "
            f"GREATEST(nextval({sequence}), (SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table})) "
            "+ (high - low + 1)) - (high - low + 1) END FROM b",
            [source.pk, *[model._meta.db_table, model._meta.pk.column] * 2],
        )
        low, first = cursor.fetchone()
        return None if low is None else first - low
    cursor.execute(f"SELECT MIN(s.{pk}), MAX(s.{pk}) FROM {table} s WHERE {where}", [source.pk])  # noqa: S608
    low, _high = cursor.fetchone()
    if low is None:
        return None
    cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608
    return cursor.fetchone()[0] + 1 - low


def _copy_table(cursor, model, source: Workspace, offsets: dict, options: _CopyOptions) -> int:
    generic = {
        gfk.fk_field: gfk.ct_field
        for gfk in model._meta.private_fields
        if isinstance(gfk, GenericForeignKey)
    }
    generic_types = {
        model._meta.get_field(ct_field).column: ct_field for ct_field in generic.values()
    }
    excluded_ids = options.excluded_type_ids
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        column = f"s.{_q(field.column)}"
        if field.primary_key:
            expression = f"{column} + {int(offsets[model])}"
        elif field.name == "workspace" and field.related_model is Workspace:
            expression = "%s"
            params.append(options.target.pk)
        elif field.is_relation and field.related_model in offsets:
            offset = offsets[field.related_model]
            expression = f"{column} + {int(offset)}" if offset is not None else "NULL"
        elif field.is_relation and field.related_model in options.excluded:
            expression = "NULL"
        elif field.is_relation and field.related_model is User and options.owner is not KEEP_USERS:
            expression = f"CASE WHEN {column} IS NULL THEN NULL ELSE %s END"
            params.append(options.owner.pk if options.owner is not None else None)
        elif field.name in generic:
            ct_column = _q(model._meta.get_field(generic[field.name]).column)
            cases = " ".join(
                f"WHEN {int(ct.pk)} THEN {column} + {int(offsets[related])}"
                for related, ct in options.content_types.items()
                if offsets.get(related) is not None
            )
            # A link to an excluded row would point outside the copy.
            cases += "".join(f" WHEN {int(pk)} THEN NULL" for pk in excluded_ids)
            expression = f"CASE s.{ct_column} {cases} ELSE {column} END" if cases else column
        elif field.column in generic_types and excluded_ids:
            excluded = ", ".join(str(int(pk)) for pk in excluded_ids)
            expression = f"CASE WHEN {column} IN ({excluded}) THEN NULL ELSE {column} END"
        elif isinstance(field, models.UUIDField) and field.unique:
            expression = _uuid_sql()
        elif _is_auto_timestamp(field):
            expression = "%s"
            params.append(options.now)
        elif isinstance(field, models.DateField) and options.date_sql is not None:
            # DateTimeField is a DateField.
            expression, date_params = options.date_sql(cursor, model, field, column, source)
            params += date_params
        else:
            expression = column
        columns.append(_q(field.column))
        expressions.append(expression)
    table = _q(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the models
        f"SELECT {', '.join(expressions)} FROM {table} s WHERE {workspace_where(model, 's')} "
        f"ORDER BY s.{_q(model._meta.pk.column)}"
    )
    cursor.execute(sql, [*params, source.pk])
    return max(cursor.rowcount, 0)
