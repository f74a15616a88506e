"""What an organization owns, as a comparable snapshot, for the isolation guards.

``organization_state(organization)`` reads every row of every model that belongs to the
organization — directly (an ``organization`` or ``workspace`` foreign key) or through one or
two foreign keys (a company contact through its company, an enrollment through its class) —
with all its column values: any insert, update or delete shows up as a difference.
``cross_links(organization, other_organization)`` lists rows of the organization that point at
records of another organization (an appointment of A for B's customer).
"""

from django.apps import apps
from django.db import models

from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Workspace

# The one place naming the registry of the models that belong to a workspace's records
# (the sandbox registry): the lead repoints this import when it moves to core.workspaces.
from relais.core.workspaces.sandbox import sandbox_models as record_models  # noqa: F401

# Tables that change on their own or that no organization owns.
_SKIPPED_APPS = {"sessions", "axes", "contenttypes", "auth", "admin", "huey_monitor"}


def _path_to_organization(model, depth: int = 0) -> str | None:
    """The lookup from ``model`` to its organization's primary key, or ``None``."""
    if model is Organization:
        return "pk"
    if model is Workspace:
        return "organization_id"
    fields = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for name in ("workspace", "organization"):
        for field in fields:
            if field.name == name:
                return f"{name}__organization_id" if name == "workspace" else "organization_id"
    if depth >= 2:
        return None
    for field in fields:
        target = field.related_model
        if target is model or target._meta.app_label in _SKIPPED_APPS:
            continue
        sub = _path_to_organization(target, depth + 1)
        if sub is not None:
            return f"{field.name}__{sub}"
    return None


def owned_models() -> dict:
    """Every model with a path to an organization, with that path."""
    owned = {}
    for model in apps.get_models():
        if model._meta.app_label in _SKIPPED_APPS or model._meta.proxy:
            continue
        path = _path_to_organization(model)
        if path is not None:
            owned[model] = path
    return owned


def organization_state(organization) -> dict:
    """Every row the organization owns, keyed by model label then primary key."""
    state = {}
    covered = owned_models()
    missing = [m for m in record_models() if m not in covered]
    assert not missing, f"the isolation snapshot misses the workspace models {missing}"
    for model, path in covered.items():
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model.objects.filter(**{path: organization.pk}).values_list(*columns)
        state[model._meta.label] = {row[columns.index(model._meta.pk.attname)]: row for row in rows}
    return state


def state_difference(before: dict, after: dict) -> list[str]:
    """Readable differences between two snapshots (empty when nothing changed)."""
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        for pk in sorted(set(old) | set(new), key=str):
            if old.get(pk) != new.get(pk):
                changes.append(f"{label} #{pk}: {old.get(pk)} -> {new.get(pk)}")
    return changes


def cross_links(organization, other_organization) -> list[str]:
    """Rows of ``organization`` whose foreign keys point at records of another organization."""
    links = []
    for model, path in owned_models().items():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey):
                continue
            target_path = _path_to_organization(field.related_model)
            if target_path is None:
                continue
            target = f"{field.name}__{target_path}"
            if target == path:
                continue  # the key that makes the row the organization's own
            lookup = {path: organization.pk, target: other_organization.pk}
            for pk in model.objects.filter(**lookup).values_list("pk", flat=True):
                links.append(f"{model._meta.label} #{pk}.{field.name}")
    return links
