"""Excel snapshots: export a training workspace to a workbook, and replace one from a workbook.

Who may do what:

* a learner exports and imports their own sandbox;
* a trainer the templates of their organization and the sandboxes of their classes (an
  administrator: every template and sandbox of the organization);
* ``actor=None`` is the operator at the command line (``export_snapshot`` /
  ``import_snapshot``), trusted like ``manage.py`` itself.

Live workspaces are never exported nor replaced here: a snapshot import wipes the target.
"""

from __future__ import annotations

import functools
import gc
import json
import queue
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import user_has_role
from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied, NotFound, public_id_or_not_found
from relais.core.jobs.models import Job
from relais.core.jobs.services import job_start
from relais.core.organizations.models import Organization
from relais.core.rows import insert_columns, reserve_ids, stored_datetime_texts
from relais.core.workspaces.cloning import workspace_records_delete
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.core.workspaces.sandbox import workspace_where
from relais.crm.models import Customer, CustomerKind
from relais.crm.search import CUSTOMER_INDEX
from relais.crm.services.customers import customer_derived, customers_reindex
from relais.training.models import Anomaly, Enrollment, SchoolBase
from relais.training.permissions import Permission
from relais.training.snapshots.workbook import (
    ANOMALY_COLUMNS,
    ANOMALY_SHEET,
    FORMAT_NAME,
    FORMAT_VERSION,
    HIDDEN_COLUMNS,
    Column,
    DateTimeColumn,
    ParsedSnapshot,
    ParsedTable,
    SheetData,
    Table,
    encode_text,
    read_workbook,
    seal_hidden,
    seal_records,
    stored_cell_writer,
    stored_column_writer,
    table_queryset,
    table_rows,
    tables,
    write_workbook,
)

EXPORT_JOB_KIND = "training.snapshot_export"
TRAINING_KINDS = {WorkspaceKind.SANDBOX, WorkspaceKind.TEMPLATE}
# A fixed namespace: the new public ids given on a clash are the same on every machine.
SNAPSHOT_NAMESPACE = uuid.UUID("6f1d5c2e-3b1a-4e0f-9a57-2f0c8d1e7b42")
Progress = Callable[[str], None] | None


@dataclass
class SnapshotImportResult:
    workspace: Workspace
    created: bool = False
    rows: int = 0
    renamed_ids: int = 0  # public ids already used elsewhere, replaced by derived ones
    unknown_users: list[str] = field(default_factory=list)
    unopened_keys: int = 0  # sealed identity keys of another installation (none restored)
    reindexed: int = 0  # customers whose search text in the file was stale

    def summary(self) -> str:
        text = _("%(rows)s lignes importées dans « %(name)s ».") % {
            "rows": self.rows,
            "name": self.workspace.name,
        }
        if self.renamed_ids:
            text += " " + _(
                "%(count)s identifiants déjà utilisés dans un autre espace ont été remplacés."
            ) % {"count": self.renamed_ids}
        if self.unopened_keys:
            text += " " + _(
                "%(count)s clés d'identité cachées viennent d'une autre installation et n'ont "
                "pas pu être relues : les fusions de ces fiches ne seront pas notées."
            ) % {"count": self.unopened_keys}
        if self.unknown_users:
            text += " " + _("Utilisateurs inconnus remplacés par l'importateur : %s.") % ", ".join(
                self.unknown_users[:10]
            )
        return text


def _collector_paused(function):
    """Run ``function`` with Python's cyclic garbage collector paused.

    An export or import holds hundreds of thousands of cells while it makes as many new
    lists and tuples: each allocation burst starts a collection that walks everything held,
    which cost about a third of the time. Nothing made here needs the cycle collector
    (reference counting frees it); it runs again as soon as the call returns."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


# --- Permissions -------------------------------------------------------------------------------


def snapshot_workspace_check(actor, workspace: Workspace) -> None:
    """Raise unless ``actor`` may export or replace ``workspace`` (see the module docstring)."""
    if actor is None:
        if workspace.kind not in TRAINING_KINDS:
            raise AccessDenied(_("Seuls les bacs à sable et les bases école ont des sauvegardes."))
        return
    if not actor.is_authenticated or not actor.is_active:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    not_found = NotFound(_("Espace de travail introuvable."))
    if workspace.kind not in TRAINING_KINDS:
        raise not_found
    if actor.is_superuser:
        return
    if actor.has_role_permission(Permission.TRAINING_MANAGE):
        organization_id = workspace.organization_id
        if not actor.has_role_permission(Permission.TRAINING_MANAGE, organization=organization_id):
            raise not_found
        if workspace.kind == WorkspaceKind.TEMPLATE or user_has_role(
            actor, Role.ADMINISTRATOR, organization=organization_id
        ):
            return
        if Enrollment.objects.filter(sandbox=workspace, training_class__trainer=actor).exists():
            return
        raise not_found
    if (
        actor.has_role_permission(Permission.TRAINING_PRACTISE)
        and Enrollment.objects.filter(sandbox=workspace, learner=actor).exists()
    ):
        return
    raise not_found


def snapshot_workspace_get(*, actor, public_id) -> Workspace:
    """The workspace ``public_id`` if ``actor`` may export or replace it, else ``NotFound``."""
    public_id = public_id_or_not_found(public_id, _("Espace de travail introuvable."))
    workspace = Workspace.objects.filter(public_id=public_id).select_related("template").first()
    if workspace is None:
        raise NotFound(_("Espace de travail introuvable."))
    snapshot_workspace_check(actor, workspace)
    return workspace


# --- Export ------------------------------------------------------------------------------------


def _external_ids(layout: tuple[Table, ...], workspace) -> dict:
    """``{model: {pk: external id}}`` for every record of the workspace."""
    result: dict = {}
    for table in layout:
        queryset = table_queryset(table, workspace).order_by("pk")
        if table.has_public_id:
            write = stored_cell_writer(
                Column("public_id", table.model._meta.get_field("public_id"), "value")
            )
            result[table.model] = {
                pk: write(public_id)
                for pk, public_id in table_rows(table, workspace, ["public_id"])
            }
            continue
        # No public id: "<parent's external id>/<rank among its siblings>", stable because an
        # import inserts rows in file order and the export reads them back in key order.
        parents = result[table.parent.related_model]
        ranks: dict = defaultdict(int)
        ids = {}
        for pk, parent_pk in queryset.values_list("pk", table.parent.attname):
            ranks[parent_pk] += 1
            ids[pk] = f"{parents[parent_pk]}/{ranks[parent_pk]}"
        result[table.model] = ids
    return result


def snapshot_metadata(workspace: Workspace, actor=None) -> dict:
    school = SchoolBase.objects.filter(workspace=workspace).first()
    template = workspace.template
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "workspace_id": str(workspace.public_id),
        "workspace_name": workspace.name,
        "workspace_kind": workspace.kind,
        "template_id": str(template.public_id) if template else "",
        "template_name": template.name if template else "",
        "reference_date": school.reference_date.isoformat() if school else "",
        "school_seed": str(school.seed) if school else "",
        "tables": ",".join(table.sheet for table in tables()),
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "exported_by": getattr(actor, "username", "") or "",
    }


@_collector_paused
def snapshot_export(*, actor, workspace: Workspace, path, progress: Progress = None) -> Path:
    """Write ``workspace``'s records to the workbook ``path``; returns the path."""
    snapshot_workspace_check(actor, workspace)
    path = Path(path)
    layout = tables()
    external = _external_ids(layout, workspace)
    usernames = dict(get_user_model()._base_manager.values_list("pk", "username"))
    sheets = []
    for table in layout:
        if progress:
            progress(_("Export de %s") % table.sheet)
        attnames = [column.field.attname for column in table.columns]
        own = external[table.model]
        plain, linked = _column_writers(table, external, usernames)
        # By column: each column's values are written by one call (see _column_writers).
        data = list(table_rows(table, workspace, attnames))
        if data:
            pks, *values = (list(column) for column in zip(*data, strict=True))
        else:
            pks, values = [], [[] for _ in table.columns]
        del data
        ids = [own[pk] for pk in pks]
        columns = [write(column) for write, column in zip(plain, values, strict=True)]
        for index, write in linked:
            columns[index] = write(values[index], values, ids)
        rows = list(zip(ids, *columns, strict=True))
        sheets.append(SheetData(table.sheet, table.header, rows))
    school = SchoolBase.objects.filter(workspace=workspace).first()
    if workspace.kind == WorkspaceKind.TEMPLATE:
        anomalies = Anomaly.objects.filter(school_base=school).order_by("pk") if school else []
        sheets.append(
            SheetData(
                ANOMALY_SHEET,
                ANOMALY_COLUMNS,
                [
                    [
                        str(rank),
                        encode_text(anomaly.kind),
                        encode_text(anomaly.description) or None,
                        encode_text(anomaly.expected_correction) or None,
                        encode_text(_json(seal_records(str(rank), anomaly.records))),
                    ]
                    for rank, anomaly in enumerate(anomalies, start=1)
                ],
            )
        )
    write_workbook(path, snapshot_metadata(workspace, actor), sheets)
    audit_log(
        actor=actor,
        action="snapshot.export",
        target=workspace,
        workspace=workspace,
        after={"rows": sum(len(sheet.rows) for sheet in sheets)},
    )
    return path


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _column_writers(table: Table, external: dict, usernames: dict) -> tuple[list, list]:
    """How each column's values, as ``table_rows`` reads them, are written; looked up once
    per table, each writer taking a whole column.

    ``plain``: one ``write(values)`` per column; ``linked``: ``[(index, write(values,
    columns, external ids))]`` for the columns that read the rest of the row (a generic link
    reads its content type) or the row's id (a hidden column is sealed to its place), run
    after.
    """
    names = {pk: encode_text(name) for pk, name in usernames.items() if name}
    positions = {column.name: index for index, column in enumerate(table.columns)}

    @functools.cache
    def model_of(ct_id):
        return ContentType.objects.get_for_id(ct_id).model_class() if ct_id else None

    def label_of(ct_id) -> str:
        return model_of(ct_id)._meta.label_lower

    plain, linked = [], []
    for index, column in enumerate(table.columns):
        kind = column.kind
        if (table.sheet, column.name) in HIDDEN_COLUMNS:

            def write(values, columns, ids, name=column.name):
                return [
                    seal_hidden(table.sheet, ext, name, value)
                    for ext, value in zip(ids, values, strict=True)
                ]

            linked.append((index, write))
            plain.append(_nones)
        elif kind == "record":
            ids = external[column.target]
            plain.append(lambda values, ids=ids: list(map(ids.get, values)))  # None: None
        elif kind == "user":
            plain.append(lambda values: list(map(names.get, values)))
        elif kind == "contenttype":
            plain.append(lambda values: [None if v is None else label_of(v) for v in values])
        elif kind == "generic":
            ct_index = positions[column.ct_field]

            def write(values, columns, ids, ct_index=ct_index):
                return [
                    None
                    if value is None
                    else external.get(model_of(ct_id), {}).get(value, int(value))
                    for value, ct_id in zip(values, columns[ct_index], strict=True)
                ]

            linked.append((index, write))
            plain.append(_nones)
        elif kind == "other_fk":
            plain.append(
                lambda values: [
                    None if v is None else int(v) if isinstance(v, int) else encode_text(str(v))
                    for v in values
                ]
            )
        else:
            plain.append(stored_column_writer(column))
    return plain, linked


def _nones(values: list) -> list:
    return [None] * len(values)


# --- Import ------------------------------------------------------------------------------------


def _resolve_target(
    actor, parsed: ParsedSnapshot, workspace, organization
) -> tuple[Workspace, bool]:
    meta = parsed.meta
    if workspace is not None:
        snapshot_workspace_check(actor, workspace)
        return workspace, False
    if actor is not None:
        raise ValidationError(_("Choisissez l'espace de travail à remplacer."))
    existing = Workspace.objects.filter(public_id=meta["workspace_id"]).first()
    if existing is not None:
        snapshot_workspace_check(None, existing)
        return existing, False
    kind = meta.get("workspace_kind")
    if kind not in TRAINING_KINDS:
        raise ValidationError(_("Type d'espace « %s » non pris en charge.") % kind)
    if organization is None:
        raise ValidationError(
            _("L'espace « %s » n'existe pas ici : indiquez l'organisation où le créer.")
            % meta["workspace_name"]
        )
    template = None
    if meta.get("template_id"):
        template = Workspace.objects.filter(
            public_id=meta["template_id"], kind=WorkspaceKind.TEMPLATE
        ).first()
    created = Workspace.objects.create(
        public_id=meta["workspace_id"],
        organization=organization,
        name=str(meta["workspace_name"])[:200],
        kind=kind,
        template=template,
    )
    return created, True


def _free_public_ids(model, wanted: list[uuid.UUID], workspace) -> set[uuid.UUID]:
    """The public ids among ``wanted`` already held by rows outside ``workspace``.

    One plain query per 5,000 ids (the ORM spends longer building an ``IN`` of UUIDs than
    the database answering it); on PostgreSQL one query with the ids as one array parameter
    (``= ANY``), which the server plans in a fraction of the time of 5,000 placeholders. That
    parameter goes as the array's text (``{id,id,…}``, cast to ``uuid[]`` by the server):
    quoting it as an array of UUIDs, on the client, took longer than the query itself."""
    meta = model._meta
    quote = connection.ops.quote_name
    column = quote(meta.get_field("public_id").column)
    workspace_column = quote(meta.get_field("workspace").column)
    native = connection.features.has_native_uuid_field
    taken = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names come from the model, never from input.
            cursor.execute(
                f"SELECT {column} FROM {quote(meta.db_table)} "  # noqa: S608
                f"WHERE ({workspace_column} IS NULL OR {workspace_column} <> %s) "
                f"AND {column} = ANY(%s::uuid[])",
                [workspace.pk, "{" + ",".join(map(str, wanted)) + "}"],
            )
            return {
                value if isinstance(value, uuid.UUID) else uuid.UUID(value)
                for (value,) in cursor.fetchall()
            }
        for start in range(0, len(wanted), 5000):
            batch = wanted[start : start + 5000]
            # Names come from the model, never from input.
            cursor.execute(
                f"SELECT {column} FROM {quote(meta.db_table)} "  # noqa: S608
                f"WHERE ({workspace_column} IS NULL OR {workspace_column} <> %s) "
                f"AND {column} IN ({', '.join(['%s'] * len(batch))})",
                [workspace.pk, *(batch if native else [u.hex for u in batch])],
            )
            taken.update(
                value if isinstance(value, uuid.UUID) else uuid.UUID(value)
                for (value,) in cursor.fetchall()
            )
    return taken


@_collector_paused
def snapshot_import(
    *, actor, path, workspace: Workspace | None = None, organization=None, progress: Progress = None
) -> Workspace:
    """Replace a training workspace's records with those of the workbook at ``path``.

    The whole file is read and checked; any fault raises ``ValidationError`` (French) and
    nothing changes. In one transaction: the target's records are deleted and the file's
    rows inserted, parents first, keeping the file's public ids unless another workspace
    already uses them (new ones are then derived, the same on every machine). When the
    target is given, its records are deleted while the file is read (in another thread):
    a refused file rolls the deletion back with the rest.

    Target: ``workspace``; or, for the command line (``actor=None``) without one, the
    workspace with the file's id, else a new one in ``organization`` with the file's id, name
    and kind. The returned workspace carries the details in ``snapshot_result``.
    """
    if workspace is not None:
        snapshot_workspace_check(actor, workspace)
    elif actor is not None:
        raise ValidationError(_("Choisissez l'espace de travail à remplacer."))
    reading = _WorkbookReading(Path(path), progress)
    try:
        with transaction.atomic(), ExitStack() as replacing:
            writer = None
            if workspace is not None:
                _enter_replacement(replacing, workspace, progress)
                reading.alongside(lambda: _records_delete(workspace))
                # Each sheet is written as soon as it is checked, while the next ones are
                # read: the database's work (the rows, their indexes) overlaps the reading.
                writer = _TableWriter(workspace, actor, progress)
                for parsed_table in reading.tables():
                    writer.early(parsed_table)
            parsed = reading.result()
            if writer is not None:
                writer.raise_failure()  # once the file is known right: its faults come first
            user_ids, unknown_users, content_types = _links(parsed)
            target, created = _resolve_target(actor, parsed, workspace, organization)
            result = SnapshotImportResult(
                workspace=target,
                created=created,
                unknown_users=unknown_users,
                unopened_keys=parsed.unopened_keys,
            )
            if writer is None:
                _enter_replacement(replacing, target, progress)
                _records_delete(target)
                writer = _TableWriter(target, actor, progress)
            writer.finish(parsed, user_ids, content_types)
            result.rows, result.renamed_ids = writer.rows, writer.renamed_ids
            # Derived columns are never trusted: recomputed from the file's rows (the same
            # computation as ``customers_reindex``, without reading them back), and the
            # customers whose columns as written differ from it are updated.
            if progress:
                progress(_("Recalcul des textes de recherche"))
            derived = _derive_customers(parsed, writer.new_pks)
            replacing.close()  # the search index filled, the page cache back
            result.reindexed = derived.apply(target)
            _restore_school(parsed, target)
            if created and actor is not None:
                Membership.objects.get_or_create(workspace=target, user=actor)
            audit_log(
                actor=actor,
                action="snapshot.import",
                target=target,
                workspace=target,
                after={
                    "rows": result.rows,
                    "source_workspace": parsed.meta["workspace_id"],
                    "checksum": parsed.meta["checksum"],
                    "renamed_ids": result.renamed_ids,
                    "created": created,
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Le classeur contient des données incohérentes (doublon ou lien invalide) : %s")
            % str(exc).splitlines()[0][:200]
        ) from exc
    except DatabaseError as exc:
        raise ValidationError(_("Import impossible : %s") % str(exc).splitlines()[0][:200]) from exc
    target.snapshot_result = result
    return target


class _WorkbookReading:
    """``read_workbook`` run in a worker thread, so that the database can work meanwhile.

    The thread reads with the caller's language (the messages) and only queues its progress
    messages: the caller's thread gives them (a progress callback may use the database,
    whose connection belongs to that thread)."""

    def __init__(self, path: Path, progress: Progress):
        self._messages: queue.SimpleQueue = queue.SimpleQueue()
        self._progress = progress
        language = translation.get_language()

        self._tables: queue.SimpleQueue = queue.SimpleQueue()

        def read() -> ParsedSnapshot:
            with translation.override(language):
                return read_workbook(
                    path, self._messages.put if progress else None, self._tables.put
                )

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-import")
        self._future = self._pool.submit(read)
        self._pool.shutdown(wait=False)

    def _relay(self) -> None:
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                return
            if self._progress:
                self._progress(message)

    def alongside(self, work: Callable[[], None]) -> None:
        """Run ``work`` (database work) while the file is read. Its database error, if any,
        is raised only once the file is read: a fault of the file is reported first, as
        when the file was read before anything else."""
        try:
            work()
        except DatabaseError as exc:
            self.result()
            raise exc from None

    def tables(self) -> Iterator[ParsedTable]:
        """Each record sheet once its own cells are checked, while the rest is read (see
        ``read_workbook``); ends when the reading does, whether it succeeded or not."""
        while True:
            try:
                parsed_table = self._tables.get(timeout=0.05)
            except queue.Empty:
                self._relay()
                # A table is queued before the reading ends: none can come after this.
                if self._future.done() and self._tables.empty():
                    return
                continue
            self._relay()
            yield parsed_table

    def result(self) -> ParsedSnapshot:
        """The file as read and checked (its ``ValidationError`` raised here), once read."""
        while True:
            try:
                parsed = self._future.result(timeout=0.05)
            except FutureTimeout:
                self._relay()
                continue
            except BaseException:
                self._relay()
                raise
            self._relay()
            return parsed


def _links(parsed: ParsedSnapshot) -> tuple[dict, list[str], dict]:
    """``(user ids by username, unknown usernames, content types by label)`` for the users
    and content types the file names; an unknown content type refuses the file."""
    usernames = _values_of_kind(parsed.tables, "user")
    user_ids = dict(
        get_user_model()._base_manager.filter(username__in=usernames).values_list("username", "pk")
    )
    unknown_users = sorted(usernames - set(user_ids))
    labels = _values_of_kind(parsed.tables, "contenttype")
    return user_ids, unknown_users, _content_types(parsed.tables, labels)


def _values_of_kind(parsed_tables: list[ParsedTable], kind: str) -> set:
    """The values, blanks left out, of the tables' columns of ``kind`` (``"user"``,
    ``"contenttype"``)."""
    values = set()
    for parsed_table in parsed_tables:
        for index, column in enumerate(parsed_table.table.columns):
            if column.kind == kind:
                values.update(parsed_table.columns[index])
    values.discard(None)
    return values


def _enter_replacement(stack: ExitStack, target: Workspace, progress: Progress) -> None:
    """The contexts the records are replaced in (the search index kept per workspace, a
    larger page cache), entered on ``stack``."""
    if progress:
        progress(_("Suppression du contenu actuel de « %s »") % target.name)
    stack.enter_context(_search_index_by_workspace(target))
    stack.enter_context(_large_page_cache())


def _records_delete(target: Workspace) -> None:
    """Delete the target's records. On PostgreSQL the foreign keys the deletion touched are
    checked now rather than at commit (the same checks, on the same rows: ``SET
    CONSTRAINTS ALL IMMEDIATE`` runs the pending ones), so that the server does this work
    while the file is still being read; later statements are deferred again as before."""
    workspace_records_delete(target)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _search_index_by_workspace(workspace: Workspace):
    """On SQLite, the customers' full-text index is kept in step for the whole workspace at
    once instead of row by row: its triggers on insert and delete are dropped, the
    workspace's documents removed from the index by one statement before its rows are
    deleted, and the new rows' documents added by one statement after they are inserted,
    then the triggers created again (about four times less work than a trigger per row).

    Inside the import's transaction: SQLite's schema changes are transactional, so a failed
    import rolls the triggers back with everything else, and no other writer can run in
    between. The update trigger stays (the search text recomputation goes through it)."""
    index = CUSTOMER_INDEX
    names = [f"{index.name}_ai", f"{index.name}_ad"]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)", names
        )
        if len(cursor.fetchall()) != len(names):
            yield  # not set up as expected: the triggers (if any) do the work
            return
        n, c, pk, t = index.name, index.column, index.pk, index.table
        where = workspace_where(Customer)
        # Identifiers come from the index's declaration in code, never from input.
        cursor.execute(
            f"INSERT INTO {n}({n}, rowid, {c}) SELECT 'delete', {pk}, {c} FROM {t} "  # noqa: S608
            f"WHERE {where}",
            [workspace.pk],
        )
        for name in names:
            cursor.execute(f"DROP TRIGGER {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {n}(rowid, {c}) SELECT {pk}, {c} FROM {t} WHERE {where}",  # noqa: S608
            [workspace.pk],
        )
        for statement in index.sqlite_setup:
            if any(f"TRIGGER IF NOT EXISTS {name} " in statement for name in names):
                cursor.execute(statement)


@contextmanager
def _large_page_cache(kib: int = 256 * 1024):
    """On SQLite, a page cache of up to ``kib`` KiB for this connection while the records
    are replaced, then the configured one again.

    The settings' 32 MB hold less than a 10,000-customer workspace's tables and indexes: the
    import's changes then spill out of the cache and its pages are read again. Only memory
    changes (pages are allocated as they are used); durability does not (``synchronous``
    and the journal are untouched)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (configured,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(configured)}")


def _content_types(parsed_tables: list[ParsedTable], labels: set[str]) -> dict:
    """``{"app_label.model": ContentType}`` for the labels the tables name; an unknown one
    refuses the file."""
    content_types = {}
    for label in sorted(labels):
        try:
            app_label, model_name = label.split(".")
            content_types[label] = ContentType.objects.get_by_natural_key(app_label, model_name)
        except (ValueError, ContentType.DoesNotExist):
            sheet = next(
                pt.table.sheet
                for pt in parsed_tables
                for index, column in enumerate(pt.table.columns)
                if column.kind == "contenttype" and label in pt.columns[index]
            )
            raise ValidationError(
                _("Feuille « %(sheet)s » : type « %(label)s » inconnu.")
                % {"sheet": sheet, "label": label}
            ) from None
    return content_types


class _TableWriter:
    """Writes the file's record tables into ``target``, each with ``insert_columns`` (one
    prepared statement or COPY per table, each column's values resolved and adapted in one
    pass): links become the keys reserved for the rows they point at, users and content
    types this installation's.

    ``early`` takes a table while the rest of the file is being read: it is written as soon
    as its links can be resolved (every table it links to given, generic links included: an
    interaction about an invoice waits for the invoices); otherwise, or if the file is
    refused, it waits for ``finish``. An error while writing early is kept for
    ``raise_failure``, once the reading is over: a fault of the file is reported first, as
    when the file was read before anything was written. The foreign keys are checked at
    commit (deferred), so the order of the tables does not matter to the database."""

    def __init__(self, target: Workspace, actor, progress: Progress):
        self.target = target
        self.actor_id = getattr(actor, "pk", None)
        self.progress = progress
        self.new_pks: dict = {}  # {model: {external id: new key}}
        self.rows = 0
        self.renamed_ids = 0
        self.written: set = set()
        self.failure: Exception | None = None
        self._user_ids: dict = {}
        self._waiting: list[ParsedTable] = []
        self._targets: dict = {}
        self._labels = {table.model._meta.label_lower: table.model for table in tables()}

    def early(self, parsed_table: ParsedTable) -> None:
        if self.failure is not None:
            return
        try:
            self._reserve(parsed_table)
            self._waiting.append(parsed_table)
            while ready := [pt for pt in self._waiting if self._ready(pt)]:
                for parsed in ready:
                    self._waiting.remove(parsed)
                    self._write(
                        parsed, self._users(parsed), self._labels, self._content_type_ids(parsed)
                    )
        except Exception as exc:  # noqa: BLE001 - raised by raise_failure, after the file's faults
            self.failure = exc

    def _ready(self, parsed_table: ParsedTable) -> bool:
        """Whether every row the table links to has its key (its table given)."""
        model = parsed_table.table.model
        if model not in self._targets:  # looked at once: a waiting table is asked again
            self._targets[model] = self._linked_models(parsed_table)
        return self._targets[model] <= self.new_pks.keys()

    def _linked_models(self, parsed_table: ParsedTable) -> frozenset:
        """The models the table's rows link to (``None`` for a generic link's unknown
        label: such a table waits for the end, as before)."""
        columns = parsed_table.table.columns
        positions = {column.name: index for index, column in enumerate(columns)}
        targets = set()
        for index, column in enumerate(columns):
            if column.kind == "record":
                targets.add(column.target)
            elif column.kind == "generic":
                label_cells = parsed_table.columns[positions[column.ct_field]]
                labels = {
                    label
                    for value, label in zip(parsed_table.columns[index], label_cells, strict=True)
                    if value.__class__ is str
                }
                targets.update(self._labels.get(label) for label in labels)
        return frozenset(targets)

    def _content_type_ids(self, parsed_table: ParsedTable) -> dict:
        labels = _values_of_kind([parsed_table], "contenttype")
        if not labels:
            return {}
        found = _content_types([parsed_table], labels)
        return {label: ct.pk for label, ct in found.items()}

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def finish(self, parsed: ParsedSnapshot, user_ids: dict, content_types: dict) -> None:
        """Write the tables not written yet, in the file's order (parents first)."""
        labels = self._labels
        content_type_ids = {label: ct.pk for label, ct in content_types.items()}
        for parsed_table in parsed.tables:
            self._reserve(parsed_table)
        for parsed_table in parsed.tables:
            if parsed_table.table.model not in self.written:
                self._write(parsed_table, user_ids, labels, content_type_ids)

    def _reserve(self, parsed_table: ParsedTable) -> None:
        model = parsed_table.table.model
        if model not in self.new_pks:
            pks = reserve_ids(model, len(parsed_table)) if len(parsed_table) else []
            self.new_pks[model] = dict(zip(parsed_table.external_ids, pks, strict=True))

    def _users(self, parsed_table: ParsedTable) -> dict:
        """``{username: key}`` for the users the table names, asked once each."""
        usernames = _values_of_kind([parsed_table], "user")
        missing = usernames - self._user_ids.keys()
        if missing:
            found = dict(
                get_user_model()
                ._base_manager.filter(username__in=missing)
                .values_list("username", "pk")
            )
            self._user_ids.update({name: found.get(name) for name in missing})
        return {name: self._user_ids[name] for name in usernames if self._user_ids[name]}

    def _write(self, parsed_table, user_ids, labels, content_type_ids) -> None:
        table = parsed_table.table
        model = table.model
        self.written.add(model)
        count = len(parsed_table)
        if not count:
            return
        if self.progress:
            self.progress(
                _("Import de %(sheet)s (%(count)s lignes)") % {"sheet": table.sheet, "count": count}
            )
        columns = _resolved_columns(
            parsed_table, self.new_pks, labels, user_ids, self.actor_id, content_type_ids
        )
        fields = [column.field.attname for column in table.columns]
        lead, lead_columns = [], []
        target = self.target
        if table.direct:
            lead.append("workspace_id")
            lead_columns.append([target.pk] * count)
        mapping = self.new_pks[model]
        ids = [mapping[ext] for ext in parsed_table.external_ids]
        if not table.has_public_id:
            insert_columns(model, [*lead, *fields], [*lead_columns, *columns], ids=ids)
            self.rows += count
            return
        fields = ["public_id", *lead, *fields]
        try:
            # The file's public ids as they are, in a savepoint: the unique index finds any
            # held by another workspace while the rows go in, instead of asking for all of
            # them first (the rare clash undoes the table, which then goes the long way).
            with transaction.atomic():
                insert_columns(
                    model, fields, [parsed_table.public_ids, *lead_columns, *columns], ids=ids
                )
        except IntegrityError:
            public_ids = parsed_table.public_ids
            renamed = _free_public_ids(model, public_ids, target)
            if renamed:
                self.renamed_ids += len(renamed)
                public_ids = [
                    uuid.uuid5(SNAPSHOT_NAMESPACE, f"{target.public_id}:{ext}")
                    if public_id in renamed
                    else public_id
                    for ext, public_id in zip(parsed_table.external_ids, public_ids, strict=True)
                ]
            # A clash of another kind (or within the file) raises again, as before.
            insert_columns(model, fields, [public_ids, *lead_columns, *columns], ids=ids)
        self.rows += count


class _Related:
    """What ``vehicles.all()`` / ``contacts.all()`` give ``customer_derived``: a list."""

    __slots__ = ("items",)

    def __init__(self):
        self.items: list = []

    def all(self) -> list:
        return self.items


@dataclass
class _Derived:
    """The outcome of ``_derive_customers``: the customers whose derived columns as written
    (the file's) differ from the recomputed ones, and those left to recompute from the
    database."""

    changed: list = field(default_factory=list)  # [(new key, sort_name, document)]
    pending: list = field(default_factory=list)  # [(new key, file's sort_name, document)]

    def apply(self, target) -> int:
        """Write the recomputed columns of the changed customers, recompute the pending ones
        as ``customers_reindex`` does; returns how many customers differed from the file.
        After the rows and their search index are in (the index's update trigger then keeps
        it in step on SQLite)."""
        if self.changed:
            meta = Customer._meta
            quote = connection.ops.quote_name
            sort_name, document = (
                quote(meta.get_field(name).column) for name in ("sort_name", "search_document")
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {quote(meta.db_table)} SET {sort_name} = %s, {document} = %s "  # noqa: S608 - names from the model
                    f"WHERE {quote(meta.pk.column)} = %s",
                    [(sort, text, pk) for pk, sort, text in self.changed],
                )
        return len(self.changed) + self.recompute(target)

    def recompute(self, target) -> int:
        """Recompute the pending customers as ``customers_reindex`` does; returns how many of
        them differ from the file."""
        if not self.pending:
            return 0
        pks = [pk for pk, _sort, _document in self.pending]
        customers_reindex(workspace=target, customer_ids=pks)
        stored = dict(
            (pk, (sort_name, document))
            for pk, sort_name, document in Customer._base_manager.filter(pk__in=pks).values_list(
                "pk", "sort_name", "search_document"
            )
        )
        return sum(stored[pk] != (sort, document) for pk, sort, document in self.pending)


def _records(parsed_table) -> dict:
    """``{external id: row}`` of a parsed table, each row an object with one attribute per
    column (references still external ids)."""
    names = [column.name for column in parsed_table.table.columns]
    return {
        external_id: SimpleNamespace(**dict(zip(names, values, strict=True)))
        for external_id, values in zip(
            parsed_table.external_ids, zip(*parsed_table.columns, strict=True), strict=True
        )
    }


def _derive_customers(parsed: ParsedSnapshot, new_pks: dict) -> _Derived:
    """The customers' sort key and search text recomputed from the file's persons,
    companies, company contacts and vehicles (``customer_derived``), and those that differ
    from the file's (written as they are, then updated by ``_Derived.apply``).

    Related rows are taken in the order the database would give them (the models'
    ``ordering``, with the new keys): vehicles by first registration, latest first (empty
    dates first on PostgreSQL, last on SQLite, as each sorts them), then key; a company's
    contacts by last name in the database's collation (``_collation_ranks``), then key. A
    customer whose kind does not match its contact (which the database refuses anyway)
    keeps the file's values here and is recomputed from the database once written
    (``_Derived.recompute``)."""
    by_sheet = {parsed_table.table.sheet: parsed_table for parsed_table in parsed.tables}
    customers = by_sheet.get("crm.customer")
    result = _Derived()
    if customers is None or not len(customers) or connection.vendor not in {"sqlite", "postgresql"}:
        return result
    persons = _records(by_sheet["contacts.person"])
    companies = _records(by_sheet["contacts.company"])
    for company in companies.values():
        company.contacts = _Related()
    links = by_sheet["contacts.companycontact"]
    link_pks = new_pks[links.table.model]
    for external_id, link in _records(links).items():
        link.person = persons[link.person]
        companies[link.company].contacts.items.append((link_pks[external_id], link))
    names = set()
    for company in companies.values():
        company_names = {link.person.last_name for _pk, link in company.contacts.items}
        if len(company_names) > 1:
            names |= company_names
    rank = _collation_ranks(names)
    for company in companies.values():
        items = company.contacts.items
        if len(items) > 1:
            items.sort(key=lambda item: (rank.get(item[1].person.last_name, 0), item[0]))
        company.contacts.items = [link for _pk, link in items]
    vehicles_of: dict = defaultdict(list)
    vehicles = by_sheet["crm.vehicle"]
    vehicle_pks = new_pks[vehicles.table.model]
    empty_first = connection.vendor == "postgresql"
    for external_id, vehicle in _records(vehicles).items():
        date = vehicle.first_registration_date
        key = (
            (date is not None) == empty_first,
            -date.toordinal() if date is not None else 0,
            vehicle_pks[external_id],
        )
        vehicles_of[vehicle.customer].append((key, vehicle))
    positions = {column.name: index for index, column in enumerate(customers.table.columns)}
    columns = customers.columns
    sort_names = columns[positions["sort_name"]]
    documents = columns[positions["search_document"]]
    customer_pks = new_pks[customers.table.model]
    rows = zip(
        customers.external_ids,
        columns[positions["kind"]],
        columns[positions["person"]],
        columns[positions["company"]],
        strict=True,
    )
    for index, (external_id, kind, person_id, company_id) in enumerate(rows):
        person, company = persons.get(person_id), companies.get(company_id)
        consistent = (kind == CustomerKind.INDIVIDUAL and person and company_id is None) or (
            kind == CustomerKind.COMPANY and company and person_id is None
        )
        if not consistent:
            result.pending.append((customer_pks[external_id], sort_names[index], documents[index]))
            continue
        related = _Related()
        related.items = [vehicle for _key, vehicle in sorted(vehicles_of.get(external_id, ()))]
        customer = SimpleNamespace(
            kind=kind,
            person_id=person_id,
            company_id=company_id,
            person=person,
            company=company,
            contact=person if kind == CustomerKind.INDIVIDUAL else company,
            vehicles=related,
        )
        derived = customer_derived(customer)
        if derived != (sort_names[index], documents[index]):
            result.changed.append((customer_pks[external_id], *derived))
    return result


def _collation_ranks(names: set[str]) -> dict[str, int]:
    """``{name: rank}`` of ``names`` sorted as the database sorts a text column: SQLite's
    default (binary) collation compares UTF-8 bytes, the order of code points, as Python
    does; PostgreSQL's depends on the database's collation, so it sorts them itself."""
    if connection.vendor != "postgresql":
        return {name: rank for rank, name in enumerate(sorted(names))}
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM unnest(%s::text[]) AS t(n) ORDER BY n", [sorted(names)])
        return {name: rank for rank, (name,) in enumerate(cursor.fetchall())}


def _resolved_columns(parsed_table, new_pks, labels, user_ids, actor_id, content_type_ids):
    """The table's columns with each link as written (external id, username, model label)
    turned into a key of this database, a column at a time."""
    table = parsed_table.table
    columns = list(parsed_table.columns)
    positions = {column.name: index for index, column in enumerate(table.columns)}
    for index, column in enumerate(table.columns):
        cells = parsed_table.columns[index]
        if cells.__class__ is DateTimeColumn:
            # The stored text taken from the file's (checked) text: formatting each parsed
            # value again (SQLite) or dumping it (PostgreSQL) was a large part of the insert.
            columns[index] = stored_datetime_texts(cells.texts) or cells
        elif column.kind == "record":
            columns[index] = list(map(new_pks[column.target].get, cells))  # None stays None
        elif column.kind == "user":
            columns[index] = [None if v is None else user_ids.get(v, actor_id) for v in cells]
        elif column.kind == "contenttype":
            columns[index] = list(map(content_type_ids.get, cells))
        elif column.kind == "generic":
            # Reads the content-type column's labels (the file's, not yet keys).
            label_cells = parsed_table.columns[positions[column.ct_field]]
            columns[index] = [
                # A number is the raw key of a row outside the workspace: kept.
                new_pks[labels[label]][value] if value.__class__ is str else value
                for value, label in zip(cells, label_cells, strict=True)
            ]
    return columns


def _restore_school(parsed: ParsedSnapshot, target: Workspace) -> None:
    """A school database keeps its reference day and its list of anomalies."""
    meta = parsed.meta
    if target.kind != WorkspaceKind.TEMPLATE or not meta.get("reference_date"):
        return
    customers = next(
        (len(pt) for pt in parsed.tables if pt.table.model._meta.label_lower == "crm.customer"),
        0,
    )
    school, _created = SchoolBase.objects.update_or_create(
        workspace=target,
        defaults={
            "seed": int(meta.get("school_seed") or 0),
            "reference_date": meta["reference_date"],
            "customer_count": customers,
        },
    )
    school.anomalies.all().delete()
    Anomaly.objects.bulk_create(
        Anomaly(school_base=school, **anomaly) for anomaly in parsed.anomalies
    )


# --- Background export -------------------------------------------------------------------------


def snapshot_export_start(*, actor, workspace: Workspace) -> Job:
    """Create the export job and queue it once this transaction commits."""
    snapshot_workspace_check(actor, workspace)
    return job_start(
        actor=actor,
        workspace=workspace,
        kind=EXPORT_JOB_KIND,
        label=_("Sauvegarde Excel de « %s »") % workspace.name,
    )


def snapshot_filename(workspace: Workspace) -> str:
    return f"sauvegarde-{str(workspace.public_id)[:8]}-{timezone.localdate():%Y-%m-%d}.xlsx"


def organization_get(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise ValidationError(_("Organisation « %s » introuvable.") % slug)
    return organization


__all__ = [
    "SnapshotImportResult",
    "snapshot_export",
    "snapshot_export_start",
    "snapshot_import",
    "snapshot_workspace_check",
    "snapshot_workspace_get",
]
