"""Dashboard reads: the user's dashboards and widgets, and each widget's figures.

Dashboards are personal: a widget of another user is *not found*, whatever the workspace.
Figures are computed in the database (aggregates grouped by month, type or status), in the
current workspace only, optionally restricted to the customers of a saved segment and to a
period; no Python loop runs over the base's rows.

By topic: ``access`` (dashboards and widgets, permission checks), ``data`` (what a widget
shows), ``scope`` (workspace, segment, period), the figures of ``sales``, ``aftersales``,
``leads``, ``follow_ups`` and ``campaigns``, and ``figures`` (the catalogue's figures and the
widgets ready to render). Every name is re-exported here: import from this package.
"""

from relais.crm.dashboards.selectors.access import (
    dashboard_for_display,
    dashboard_of,
    default_widgets,
    segments_for,
    widget_get,
    widgets_of,
)
from relais.crm.dashboards.selectors.aftersales import aftersales_visits, vehicles_by_energy
from relais.crm.dashboards.selectors.campaigns import (
    CAMPAIGN_FUNNEL,
    campaign_recipient_model,
    campaign_results,
)
from relais.crm.dashboards.selectors.data import (
    CENT,
    EURO,
    PERCENT,
    Series,
    WidgetData,
    display,
)
from relais.crm.dashboards.selectors.figures import (
    FIGURES,
    WidgetView,
    dashboard_data,
    widget_data,
)
from relais.crm.dashboards.selectors.follow_ups import FOLLOW_UP_ROWS, follow_ups
from relais.crm.dashboards.selectors.leads import leads_by_age, leads_by_type
from relais.crm.dashboards.selectors.sales import (
    TOP_CUSTOMERS,
    conversion,
    customers_count,
    revenue_by_month,
    revenue_per_customer,
)
from relais.crm.dashboards.selectors.scope import Scope, _month_label, _months, period_bounds

__all__ = [
    "dashboard_for_display",
    "default_widgets",
    "CAMPAIGN_FUNNEL",
    "CENT",
    "EURO",
    "FIGURES",
    "FOLLOW_UP_ROWS",
    "PERCENT",
    "TOP_CUSTOMERS",
    "Scope",
    "Series",
    "WidgetData",
    "WidgetView",
    "_month_label",
    "_months",
    "aftersales_visits",
    "campaign_recipient_model",
    "campaign_results",
    "conversion",
    "customers_count",
    "dashboard_data",
    "dashboard_of",
    "display",
    "follow_ups",
    "leads_by_age",
    "leads_by_type",
    "period_bounds",
    "revenue_by_month",
    "revenue_per_customer",
    "segments_for",
    "vehicles_by_energy",
    "widget_data",
    "widget_get",
    "widgets_of",
]
