"""Which models belong to a sandbox: the registry of a workspace's copyable records.

A workspace's *records* (customers, invoices, contacts, interactions…) are what a training
sandbox clones from its template, what a reset wipes and copies again, and what a snapshot
carries. A model is a record only if its app says so at start-up, from its
``AppConfig.ready()``::

    from relais.core.workspaces.sandbox import register_sandbox_models

    register_sandbox_models(Customer, Vehicle, Invoice, InvoiceLine)

A model that is not registered (a forum post, a front-door request, a job, the audit trail)
is never copied, reset nor deleted by ``relais.core.workspaces.cloning``, even if it has a
``workspace`` foreign key.

A registered model either has a ``workspace`` foreign key, or hangs from a registered model
that has one through a non-null foreign key (an invoice's lines): its rows of a workspace are
those of its parent's rows of that workspace. ``sandbox_models()`` gives them parents before
children (foreign keys between registered models), in a stable order.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

_registry: list[type[models.Model]] = []
_ordered: tuple[type[models.Model], ...] | None = None


def register_sandbox_models(*models_: type[models.Model]) -> None:
    """Declare ``models_`` as records of a workspace, copied into sandboxes.

    Each must be a concrete model with a ``workspace`` foreign key, or with a non-null
    foreign key to a model that has one (registered too, possibly later). Registering a
    model twice raises ``ImproperlyConfigured``.
    """
    global _ordered
    for model in models_:
        if model._meta.proxy or model._meta.abstract:
            raise ImproperlyConfigured(f"{model._meta.label}: only concrete models are records.")
        if model in _registry:
            raise ImproperlyConfigured(f"{model._meta.label} is already a sandbox model.")
        if not has_workspace_field(model) and workspace_parent_field(model) is None:
            raise ImproperlyConfigured(
                f"{model._meta.label} has neither a workspace foreign key nor a non-null "
                "foreign key to a model that has one."
            )
    _registry.extend(models_)
    _ordered = None


def unregister_sandbox_models(*models_: type[models.Model]) -> None:
    """Remove ``models_`` from the registry (for tests that register a model temporarily)."""
    global _ordered
    for model in models_:
        _registry.remove(model)
    _ordered = None


def is_sandbox_model(model: type[models.Model]) -> bool:
    """Whether ``model`` is a registered record model."""
    return model in _registry


def sandbox_models() -> tuple[type[models.Model], ...]:
    """Every registered record model, parents before children.

    The order is stable: models with a ``workspace`` foreign key in the project's model
    order, then the children, each moved after the registered models it points to. Raises
    ``ImproperlyConfigured`` when a child's parent is not registered (its rows could not be
    found from a workspace).
    """
    global _ordered
    if _ordered is None:
        _ordered = _order(list(_registry))
    return _ordered


def _order(registered: list[type[models.Model]]) -> tuple[type[models.Model], ...]:
    rank = {model: index for index, model in enumerate(apps.get_models())}
    registered.sort(key=lambda model: rank.get(model, len(rank)))
    direct = [m for m in registered if has_workspace_field(m)]
    children = [m for m in registered if not has_workspace_field(m)]
    for child in children:
        parent = workspace_parent_field(child)
        if parent.related_model not in direct:
            raise ImproperlyConfigured(
                f"{child._meta.label} hangs from {parent.related_model._meta.label}, "
                "which is not a registered sandbox model."
            )
    candidates = direct + children
    members = set(candidates)
    ordered: list[type[models.Model]] = []
    pending = list(candidates)
    while pending:
        progressed = False
        for model in list(pending):
            parents = {f.related_model for f in _foreign_keys(model)} & members
            if parents <= set(ordered):
                ordered.append(model)
                pending.remove(model)
                progressed = True
        if not progressed:  # a cycle: keep the remaining ones in the order above
            ordered += pending
            break
    return tuple(ordered)


# --- how a model's rows of one workspace are found --------------------------------------------


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is not model
    ]


def has_workspace_field(model) -> bool:
    """Whether ``model`` has its own ``workspace`` foreign key to ``Workspace``."""
    return any(
        field.name == "workspace"
        and isinstance(field, models.ForeignKey)
        and field.related_model._meta.label_lower == "workspaces.workspace"
        for field in model._meta.concrete_fields
    )


def workspace_parent_field(model) -> models.ForeignKey | None:
    """The non-null foreign key through which a model without ``workspace`` belongs to one."""
    for field in _foreign_keys(model):
        target = field.related_model
        if not field.null and any(f.name == "workspace" for f in target._meta.concrete_fields):
            return field
    return None


def workspace_where(model, alias: str | None = None) -> str:
    """An SQL condition selecting ``model``'s rows of one workspace, with one ``%s``
    parameter (the workspace's primary key); columns prefixed with ``alias.`` if given."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    if has_workspace_field(model):
        return f"{prefix}{quote('workspace_id')} = %s"
    parent = workspace_parent_field(model)
    parent_table = quote(parent.related_model._meta.db_table)
    # Table and column names come from the models, never from input.
    subquery = f"SELECT {quote('id')} FROM {parent_table} WHERE {quote('workspace_id')} = %s"  # noqa: S608
    return f"{prefix}{quote(parent.column)} IN ({subquery})"


def workspace_rows(model, workspace) -> models.QuerySet:
    """``model``'s rows of ``workspace`` as a queryset (through the parent for a child)."""
    manager = model._base_manager
    if has_workspace_field(model):
        return manager.filter(workspace=workspace)
    parent = workspace_parent_field(model)
    return manager.filter(**{f"{parent.name}__workspace": workspace})
