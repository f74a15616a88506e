"""After-sales figures: workshop visits, and the customers' vehicles by energy."""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relais.crm.dashboards.selectors.data import Series, WidgetData
from relais.crm.dashboards.selectors.scope import Scope, _monthly
from relais.crm.models import Energy, Invoice, InvoiceKind, Vehicle


def aftersales_visits(scope: Scope) -> WidgetData:
    invoices = scope.dates(
        scope.customers(
            Invoice.objects.in_workspace(scope.workspace).filter(kind=InvoiceKind.AFTER_SALES)
        ),
        "issued_on",
    )
    rows = list(
        invoices.annotate(month=TruncMonth("issued_on"))
        .values("month")
        .annotate(visits=Count("pk"), customers=Count("customer_id", distinct=True))
        .order_by()
    )
    visits = [{"month": r["month"], "key": "visits", "n": r["visits"]} for r in rows]
    people = [{"month": r["month"], "key": "customers", "n": r["customers"]} for r in rows]
    labels, series = _monthly(
        scope,
        visits + people,
        [("visits", _("Passages (factures APV)")), ("customers", _("Clients distincts"))],
        "n",
    )
    return WidgetData(
        label_header=_("Mois"),
        labels=labels,
        series=series,
        headline=sum(series[0].values) if series else 0,
        headline_caption=_("passages à l'atelier"),
    )


def vehicles_by_energy(scope: Scope) -> WidgetData:
    vehicles = scope.customers(Vehicle.objects.in_workspace(scope.workspace))
    vehicles = scope.dates(vehicles, "first_registration_date")
    counts = dict(vehicles.values_list("energy").annotate(n=Count("pk")).order_by())
    ordered = sorted(
        ((Energy(key).label if key in Energy.values else key, n) for key, n in counts.items()),
        key=lambda item: (-item[1], str(item[0])),
    )
    return WidgetData(
        label_header=_("Énergie"),
        labels=[str(label) for label, _n in ordered],
        series=[Series(_("Véhicules"), [n for _label, n in ordered])],
        headline=sum(counts.values()),
        headline_caption=_("véhicules"),
    )
