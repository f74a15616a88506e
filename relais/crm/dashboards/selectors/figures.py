"""Each widget's figures: the catalogue's figures functions, and the widgets ready to render."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import FieldError, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace
from relais.crm.dashboards.catalogue import CATALOGUE, WidgetSpec, widget_title
from relais.crm.dashboards.selectors.access import widgets_of
from relais.crm.dashboards.selectors.aftersales import aftersales_visits, vehicles_by_energy
from relais.crm.dashboards.selectors.campaigns import campaign_results
from relais.crm.dashboards.selectors.data import WidgetData
from relais.crm.dashboards.selectors.follow_ups import follow_ups
from relais.crm.dashboards.selectors.leads import leads_by_age, leads_by_type
from relais.crm.dashboards.selectors.sales import (
    conversion,
    customers_count,
    revenue_by_month,
    revenue_per_customer,
)
from relais.crm.dashboards.selectors.scope import Scope, period_bounds
from relais.crm.models import Dashboard, DashboardWidget, Segment
from relais.crm.permissions import Permission
from relais.crm.segments.query import segment_customers

FIGURES: dict[str, Callable[[Scope], WidgetData]] = {
    "customers_count": customers_count,
    "conversion": conversion,
    "revenue_by_month": revenue_by_month,
    "revenue_per_customer": revenue_per_customer,
    "aftersales_visits": aftersales_visits,
    "leads_by_type": leads_by_type,
    "leads_by_age": leads_by_age,
    "follow_ups": follow_ups,
    "campaign_results": campaign_results,
    "vehicles_by_energy": vehicles_by_energy,
}
assert FIGURES.keys() == CATALOGUE.keys(), "every catalogue entry needs its figures"


@dataclass
class WidgetView:
    """A widget with its catalogue entry and its figures, ready to render."""

    widget: DashboardWidget
    spec: WidgetSpec | None
    data: WidgetData | None
    segment: Segment | None = None

    @property
    def json_id(self) -> str:
        return f"widget-data-{self.widget.public_id}"

    @property
    def moves(self) -> list[tuple[str, str, str]]:
        """The keyboard alternative to drag and drop: (direction, label, icon)."""
        return [
            ("up", _("Déplacer vers le haut"), "bi-arrow-up"),
            ("down", _("Déplacer vers le bas"), "bi-arrow-down"),
            ("left", _("Déplacer vers la gauche"), "bi-arrow-left"),
            ("right", _("Déplacer vers la droite"), "bi-arrow-right"),
            ("wider", _("Agrandir"), "bi-arrows-expand-vertical"),
            ("narrower", _("Réduire"), "bi-arrows-collapse-vertical"),
            ("taller", _("Plus haut"), "bi-arrows-expand"),
            ("shorter", _("Moins haut"), "bi-arrows-collapse"),
        ]

    @property
    def title(self) -> str:
        return widget_title(self.widget)


def widget_data(
    *, user, workspace: Workspace, widget: DashboardWidget, today: date | None = None
) -> WidgetView:
    """The figures of ``widget`` in ``workspace`` (the user's current one), with its filters.

    A segment that does not exist in this workspace (another workspace's, or deleted, or lost
    in a sandbox reset) is reported in the widget's notes and the figures are left unfiltered.
    """
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    if widget.dashboard.owner_id != user.pk:
        raise NotFound
    return _figures(workspace=workspace, widget=widget, today=today)


def _figures(*, workspace: Workspace, widget: DashboardWidget, today: date | None) -> WidgetView:
    spec = CATALOGUE.get(widget.kind)
    if spec is None:
        return WidgetView(widget, None, None)
    today = today or timezone.localdate()
    notes: list[str] = []
    start, end = period_bounds(widget.period, today) if spec.uses_period else (None, None)
    segment, customer_ids = None, None
    if widget.segment_public_id:
        segment = (
            Segment.objects.in_workspace(workspace)
            .filter(public_id=widget.segment_public_id)
            .first()
        )
        if segment is None:
            notes.append(
                _(
                    "Le segment choisi n'existe pas dans cet espace de travail : "
                    "les données ne sont pas filtrées."
                )
            )
        else:
            try:
                customer_ids = segment_customers(segment, today=today).order_by().values("pk")
                str(customer_ids.query)  # a broken definition fails here, not mid-render
            except (ValidationError, FieldError, ValueError, KeyError, TypeError):
                segment, customer_ids = None, None
                notes.append(
                    _(
                        "Le segment choisi ne peut pas être appliqué : les données ne sont pas filtrées."
                    )
                )
    scope = Scope(workspace=workspace, today=today, start=start, end=end, customer_ids=customer_ids)
    data = FIGURES[widget.kind](scope)
    data.notes = notes + data.notes
    return WidgetView(widget, spec, data, segment)


def dashboard_data(
    *, user, workspace: Workspace, dashboard: Dashboard, today: date | None = None
) -> list[WidgetView]:
    """Every widget of ``dashboard`` with its figures, in reading order."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    if dashboard.owner_id != user.pk:
        raise NotFound
    return [
        _figures(workspace=workspace, widget=widget, today=today)
        for widget in widgets_of(dashboard=dashboard)
    ]
