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

import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import user_has_role
from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied, NotFound, public_id_or_not_found
from relais.core.jobs.models import Job
from relais.core.jobs.services import job_start
from relais.core.organizations.models import Organization
from relais.core.workspaces.cloning import workspace_records_delete
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.crm.services.customers import customers_reindex
from relais.training.models import Anomaly, Enrollment, SchoolBase
from relais.training.permissions import Permission
from relais.training.snapshots.workbook import (
    ANOMALY_COLUMNS,
    ANOMALY_SHEET,
    FORMAT_NAME,
    FORMAT_VERSION,
    HIDDEN_COLUMNS,
    ParsedSnapshot,
    SheetData,
    Table,
    encode_text,
    read_workbook,
    seal_hidden,
    seal_records,
    table_queryset,
    tables,
    to_cell,
    write_workbook,
)

EXPORT_JOB_KIND = "training.snapshot_export"
TRAINING_KINDS = {WorkspaceKind.SANDBOX, WorkspaceKind.TEMPLATE}
# A fixed namespace: the new public ids given on a clash are the same on every machine.
SNAPSHOT_NAMESPACE = uuid.UUID("6f1d5c2e-3b1a-4e0f-9a57-2f0c8d1e7b42")
INSERT_BATCH = 1000
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
            result[table.model] = {
                pk: str(public_id) for pk, public_id in queryset.values_list("pk", "public_id")
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
        rows = []
        queryset = table_queryset(table, workspace).order_by("pk").values_list("pk", *attnames)
        for pk, *values in queryset.iterator(chunk_size=5000):
            row = [own[pk]]
            by_name = {}
            for column, value in zip(table.columns, values, strict=True):
                by_name[column.name] = value
                if (table.sheet, column.name) in HIDDEN_COLUMNS:
                    row.append(seal_hidden(table.sheet, own[pk], column.name, value))
                else:
                    row.append(_export_cell(column, value, external, usernames, by_name))
            rows.append(row)
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


def _export_cell(column, value, external, usernames, by_name):
    if value is None:
        return None
    if column.kind == "record":
        return external[column.target].get(value)
    if column.kind == "user":
        username = usernames.get(value)
        return encode_text(username) if username else None
    if column.kind == "contenttype":
        return ContentType.objects.get_for_id(value).model_class()._meta.label_lower
    if column.kind == "generic":
        ct_id = by_name.get(column.ct_field)
        model = ContentType.objects.get_for_id(ct_id).model_class() if ct_id else None
        return external.get(model, {}).get(value, int(value))
    if column.kind == "other_fk":
        return int(value) if isinstance(value, int) else encode_text(str(value))
    return to_cell(column, value)


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


def _allocate_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys, taken from the sequence so concurrent inserts never clash."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the surrounding write transaction holds the database lock.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {quoted}")  # noqa: S608
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return list(range(start + 1, start + 1 + count))


def _free_public_ids(model, wanted: list[str], workspace) -> set[str]:
    """The public ids among ``wanted`` already held by rows outside ``workspace``."""
    taken = set()
    manager = model._base_manager
    for start in range(0, len(wanted), 5000):
        chunk = [uuid.UUID(value) for value in wanted[start : start + 5000]]
        taken |= {
            str(value)
            for value in manager.filter(public_id__in=chunk)
            .exclude(workspace=workspace)
            .values_list("public_id", flat=True)
        }
    return taken


def snapshot_import(
    *, actor, path, workspace: Workspace | None = None, organization=None, progress: Progress = None
) -> Workspace:
    """Replace a training workspace's records with those of the workbook at ``path``.

    The whole file is read and checked first; any fault raises ``ValidationError`` (French)
    and nothing changes. Then, in one transaction: the target's records are deleted and the
    file's rows inserted, parents first, keeping the file's public ids unless another
    workspace already uses them (new ones are then derived, the same on every machine).

    Target: ``workspace``; or, for the command line (``actor=None``) without one, the
    workspace with the file's id, else a new one in ``organization`` with the file's id, name
    and kind. The returned workspace carries the details in ``snapshot_result``.
    """
    if workspace is not None:
        snapshot_workspace_check(actor, workspace)
    elif actor is not None:
        raise ValidationError(_("Choisissez l'espace de travail à remplacer."))
    parsed = read_workbook(Path(path), progress)
    User = get_user_model()
    usernames = {
        name
        for parsed_table in parsed.tables
        for column in parsed_table.table.columns
        if column.kind == "user"
        for _ext, values in parsed_table.rows
        if (name := values.get(column.name))
    }
    user_ids = dict(User._base_manager.filter(username__in=usernames).values_list("username", "pk"))
    unknown_users = sorted(usernames - set(user_ids))
    content_types = {}
    for parsed_table in parsed.tables:
        for column in parsed_table.table.columns:
            if column.kind != "contenttype":
                continue
            for _ext, values in parsed_table.rows:
                label = values.get(column.name)
                if label and label not in content_types:
                    try:
                        app_label, model_name = label.split(".")
                        content_types[label] = ContentType.objects.get_by_natural_key(
                            app_label, model_name
                        )
                    except (ValueError, ContentType.DoesNotExist):
                        raise ValidationError(
                            _("Feuille « %(sheet)s » : type « %(label)s » inconnu.")
                            % {"sheet": parsed_table.table.sheet, "label": label}
                        ) from None

    try:
        with transaction.atomic():
            target, created = _resolve_target(actor, parsed, workspace, organization)
            if progress:
                progress(_("Suppression du contenu actuel de « %s »") % target.name)
            workspace_records_delete(target)
            result = SnapshotImportResult(
                workspace=target,
                created=created,
                unknown_users=unknown_users,
                unopened_keys=parsed.unopened_keys,
            )
            _insert(parsed, target, actor, user_ids, content_types, result, progress)
            # Derived columns are never trusted: recomputed from the rows just written.
            if progress:
                progress(_("Recalcul des textes de recherche"))
            result.reindexed = customers_reindex(workspace=target)
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


def _insert(parsed, target, actor, user_ids, content_types, result, progress) -> None:
    actor_id = getattr(actor, "pk", None)
    labels = {pt.table.model._meta.label_lower: pt.table.model for pt in parsed.tables}
    # Keys for every table first: a generic link may point at a later table (an interaction
    # about an invoice).
    new_pks: dict = {}
    for parsed_table in parsed.tables:
        pks = _allocate_ids(parsed_table.table.model, len(parsed_table.rows))
        new_pks[parsed_table.table.model] = {
            ext: pk for (ext, _values), pk in zip(parsed_table.rows, pks, strict=True)
        }
    quote = connection.ops.quote_name
    for parsed_table in parsed.tables:
        table = parsed_table.table
        model = table.model
        if progress:
            progress(
                _("Import de %(sheet)s (%(count)s lignes)")
                % {"sheet": table.sheet, "count": len(parsed_table.rows)}
            )
        mapping = new_pks[model]
        taken: set[str] = set()
        if table.has_public_id:
            taken = _free_public_ids(model, [ext for ext, _values in parsed_table.rows], target)
            result.renamed_ids += len(taken)
        columns = [model._meta.pk]
        if table.has_public_id:
            columns.append(model._meta.get_field("public_id"))
        if table.direct:
            columns.append(model._meta.get_field("workspace"))
        columns += [column.field for column in table.columns]
        # Table and column names come from the models, never from the file.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(column.column) for column in columns),
            ", ".join(["%s"] * len(columns)),
        )
        prepared = []
        for ext, values in parsed_table.rows:
            row = [mapping[ext]]
            if table.has_public_id:
                row.append(
                    uuid.uuid5(SNAPSHOT_NAMESPACE, f"{target.public_id}:{ext}")
                    if ext in taken
                    else uuid.UUID(ext)
                )
            if table.direct:
                row.append(target.pk)
            for column in table.columns:
                value = values.get(column.name)
                if value is not None:
                    if column.kind == "record":
                        value = new_pks[column.target][value]
                    elif column.kind == "user":
                        value = user_ids.get(value, actor_id)
                    elif column.kind == "contenttype":
                        value = content_types[value].pk
                    elif column.kind == "generic" and isinstance(value, str):
                        value = new_pks[labels[values[column.ct_field]]][value]
                row.append(value)
            prepared.append(
                [
                    None if value is None else db_field.get_db_prep_save(value, connection)
                    for db_field, value in zip(columns, row, strict=True)
                ]
            )
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), INSERT_BATCH):
                cursor.executemany(sql, prepared[start : start + INSERT_BATCH])
        result.rows += len(prepared)


def _restore_school(parsed: ParsedSnapshot, target: Workspace) -> None:
    """A school database keeps its reference day and its list of anomalies."""
    meta = parsed.meta
    if target.kind != WorkspaceKind.TEMPLATE or not meta.get("reference_date"):
        return
    customers = next(
        (
            len(pt.rows)
            for pt in parsed.tables
            if pt.table.model._meta.label_lower == "crm.customer"
        ),
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
