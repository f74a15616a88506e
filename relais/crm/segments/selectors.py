"""Segment reads, scoped to the workspace and checked against the user's role."""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace
from relais.crm.models import Customer, Segment
from relais.crm.permissions import Permission
from relais.crm.segments.query import segment_customers, segment_queryset

PREVIEW_ROWS = 10


def segment_list(*, user, workspace: Workspace) -> QuerySet[Segment]:
    """The workspace's saved segments: every member of the workspace sees them all."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return Segment.objects.in_workspace(workspace).select_related("owner").order_by("name", "id")


def segment_get(*, user, workspace: Workspace, public_id) -> Segment:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    key = public_id_or_not_found(public_id, _("Segment introuvable."))
    segment = Segment.objects.in_workspace(workspace).filter(public_id=key).first()
    if segment is None:
        raise NotFound(_("Segment introuvable."))
    return segment


def segment_members(
    *, user, segment: Segment, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """The segment's customers, in its order, with what a list row shows (none when its
    definition no longer validates, see ``segment_customers``)."""
    ensure_permission(user, Permission.CRM_VIEW, segment.workspace)
    return segment_customers(segment, today=today).select_related("person", "company")


def segment_preview(
    *, user, workspace: Workspace, definition, today: datetime.date | None = None
) -> tuple[int, list[Customer]]:
    """How many customers a definition being built selects, and the first few of them.

    Raises ``ValidationError`` (French) when the definition is invalid.
    """
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    customers = segment_queryset(definition, workspace=workspace, today=today)
    count = customers.count()
    rows = list(customers.select_related("person", "company")[:PREVIEW_ROWS]) if count else []
    return count, rows
