"""Which tables hold a workspace's records, in an order that respects their foreign keys.

Sandboxes are cloned, reset and restored from snapshots table by table with set-based SQL;
this module tells them which tables and in what order, by introspection, so that a model
added to a workspace later (segments, appointments, campaigns…) is carried along without
editing a list here.

A *record model* is a concrete model with a ``workspace`` foreign key, or one whose rows hang
from such a model through a non-null foreign key (an invoice's lines, a company's contact
persons).
"""

from functools import cache

from django.apps import apps
from django.db import connection, models

from relais.core.workspaces.models import Workspace

# Rows that belong to the workspace but are not its records: they survive a reset.
KEPT_MODELS = {
    "workspaces.membership",
    "jobs.job",
    "audit.auditentry",
    "training.schoolbase",
    "training.anomaly",
    "knowledge.entry",  # an organization's knowledge base is not a sandbox record
}


def _label(model) -> str:
    return model._meta.label_lower


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is not model
    ]


def workspace_parent_field(model) -> models.ForeignKey | None:
    """The non-null foreign key through which a model without ``workspace`` belongs to one."""
    for field in _foreign_keys(model):
        target = field.related_model
        if not field.null and any(f.name == "workspace" for f in target._meta.concrete_fields):
            return field
    return None


@cache
def record_models() -> tuple[type[models.Model], ...]:
    """Every record model, parents before children."""
    direct = [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and _label(model) not in KEPT_MODELS
        and any(
            f.name == "workspace"
            and isinstance(f, models.ForeignKey)
            and f.related_model is Workspace
            for f in model._meta.concrete_fields
        )
    ]
    direct_set = set(direct)
    children = [
        model
        for model in apps.get_models()
        if model not in direct_set
        and not model._meta.proxy
        and _label(model) not in KEPT_MODELS
        and any(not f.null and f.related_model in direct_set for f in _foreign_keys(model))
    ]
    candidates = direct + children
    ordered: list[type[models.Model]] = []
    pending = list(candidates)
    while pending:
        progressed = False
        for model in list(pending):
            parents = {f.related_model for f in _foreign_keys(model)} & set(candidates)
            if parents <= set(ordered):
                ordered.append(model)
                pending.remove(model)
                progressed = True
        if not progressed:  # a cycle: keep the remaining ones in registry order
            ordered += pending
            break
    return tuple(ordered)


def _workspace_filter(model) -> tuple[str, str]:
    """A WHERE clause selecting the model's rows of one workspace (one ``%s`` parameter)."""
    quote = connection.ops.quote_name
    if any(f.name == "workspace" for f in model._meta.concrete_fields):
        return f"{quote('workspace_id')} = %s", ""
    parent = workspace_parent_field(model)
    parent_table = quote(parent.related_model._meta.db_table)
    # Table and column names come from the models, never from input.
    subquery = f"SELECT {quote('id')} FROM {parent_table} WHERE {quote('workspace_id')} = %s"  # noqa: S608
    return f"{quote(parent.column)} IN ({subquery})", parent.name


def workspace_records_delete(workspace: Workspace) -> int:
    """Delete every record of ``workspace`` with one DELETE per table, children first.

    Memberships, jobs and the audit trail are kept. Run inside a transaction. Returns the
    number of rows deleted.
    """
    deleted = 0
    with connection.cursor() as cursor:
        for model in reversed(record_models()):
            where, _parent = _workspace_filter(model)
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [workspace.pk])  # noqa: S608
            deleted += max(cursor.rowcount, 0)
    return deleted
