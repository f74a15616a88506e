from django.db import models
from django.db.models.fields.files import FieldFile

from relais.core.audit.models import AuditEntry


def snapshot(instance: models.Model) -> dict:
    """The stored field values of ``instance``, fit for the audit log."""
    data = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        data[field.attname] = value.name if isinstance(value, FieldFile) else value
    return data


def audit_log(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    workspace=None,
) -> AuditEntry:
    """Append one entry to the audit log. Call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        workspace=workspace if workspace is not None else getattr(target, "workspace", None),
        target_type=target._meta.label,
        target_id=str(getattr(target, "public_id", target.pk)),
        target_repr=str(target)[:200],
        before=before,
        after=after,
    )
