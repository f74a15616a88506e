"""The user's dashboards and widgets: looked up with the permission checks that go with them.

Dashboards are personal: a widget of another user is *not found*, whatever the workspace.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace
from relais.crm.models import Dashboard, DashboardWidget, Segment
from relais.crm.permissions import Permission

# --- the user's dashboards and widgets --------------------------------------------------------


def dashboard_of(*, user) -> Dashboard | None:
    """The user's first dashboard, or ``None`` before the first visit."""
    return Dashboard.objects.filter(owner=user).order_by("position", "id").first()


def widgets_of(*, dashboard: Dashboard) -> list[DashboardWidget]:
    return list(dashboard.widgets.order_by("y", "x", "id"))


def widget_get(*, user, widget_id) -> DashboardWidget:
    """A widget of one of ``user``'s dashboards; anybody else's is reported as not found."""
    if user is None or not user.is_authenticated:
        raise NotFound
    widget = (
        DashboardWidget.objects.select_related("dashboard")
        .filter(public_id=public_id_or_not_found(widget_id), dashboard__owner=user)
        .first()
    )
    if widget is None:
        raise NotFound(_("Élément de tableau de bord introuvable."))
    return widget


def segments_for(*, user, workspace: Workspace) -> QuerySet[Segment]:
    """The saved segments a widget may be filtered by: those of the current workspace."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return Segment.objects.in_workspace(workspace).order_by("name", "id")
