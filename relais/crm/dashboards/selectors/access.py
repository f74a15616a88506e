"""The user's dashboards and widgets: looked up with the permission checks that go with them.

Dashboards are personal: a widget of another user is *not found*, whatever the workspace.
"""

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace
from relais.crm.dashboards.catalogue import CATALOGUE, DEFAULT_LAYOUT
from relais.crm.models import Dashboard, DashboardWidget, Segment
from relais.crm.permissions import Permission

# Default widgets get ids derived from their owner and place, so that the dashboard shown
# before the first change (never written on a GET) and the one saved by that change agree.
_DEFAULT_WIDGET_NAMESPACE = uuid.UUID("0b6f7a53-8d1e-4c57-9f2a-3e61d0c4a9b8")

# --- the user's dashboards and widgets --------------------------------------------------------


def dashboard_of(*, user) -> Dashboard | None:
    """The user's first dashboard, or ``None`` before the first visit."""
    return Dashboard.objects.filter(owner=user).order_by("position", "id").first()


def default_widgets(*, dashboard: Dashboard) -> list[DashboardWidget]:
    """The default widgets of ``dashboard`` (unsaved), with ids fixed by owner and place."""
    widgets = []
    for index, (kind, x, y) in enumerate(DEFAULT_LAYOUT):
        spec = CATALOGUE[kind]
        widgets.append(
            DashboardWidget(
                dashboard=dashboard,
                public_id=uuid.uuid5(_DEFAULT_WIDGET_NAMESPACE, f"{dashboard.owner_id}:{index}"),
                kind=kind,
                chart_type=spec.default_chart,
                x=x,
                y=y,
                w=spec.w,
                h=spec.h,
                period=spec.period,
            )
        )
    return widgets


def dashboard_for_display(*, user) -> Dashboard:
    """The user's dashboard; before their first change, the default one, unsaved.

    Showing a dashboard writes nothing: the default one is saved by the first change
    (``services.dashboard_get_or_create``), with the same widget ids as shown here.
    """
    dashboard = dashboard_of(user=user)
    if dashboard is None:
        dashboard = Dashboard(owner=user, name=_("Mon tableau de bord"))
    return dashboard


def widgets_of(*, dashboard: Dashboard) -> list[DashboardWidget]:
    if dashboard.pk is None:
        return default_widgets(dashboard=dashboard)
    return list(dashboard.widgets.order_by("y", "x", "id"))


def widget_get(*, user, widget_id) -> DashboardWidget:
    """A widget of one of ``user``'s dashboards; anybody else's is reported as not found."""
    if user is None or not user.is_authenticated:
        raise NotFound
    public_id = public_id_or_not_found(widget_id)
    widget = (
        DashboardWidget.objects.select_related("dashboard")
        .filter(public_id=public_id, dashboard__owner=user)
        .first()
    )
    if widget is None and dashboard_of(user=user) is None:
        unsaved = dashboard_for_display(user=user)
        widget = next((w for w in widgets_of(dashboard=unsaved) if w.public_id == public_id), None)
    if widget is None:
        raise NotFound(_("Élément de tableau de bord introuvable."))
    return widget


def segments_for(*, user, workspace: Workspace) -> QuerySet[Segment]:
    """The saved segments a widget may be filtered by: those of the current workspace."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return Segment.objects.in_workspace(workspace).order_by("name", "id")
