"""Sales figures: customers and prospects, conversion, revenue (by month, per customer)."""

from decimal import Decimal

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Cast, Round, TruncMonth
from django.utils.translation import gettext as _

from relais.crm.dashboards.selectors.data import CENT, EURO, PERCENT, Series, WidgetData, display
from relais.crm.dashboards.selectors.scope import Scope, _monthly, _names
from relais.crm.models import Customer, CustomerStatus, Invoice, InvoiceKind

TOP_CUSTOMERS = 10


def _status_counts(customers) -> dict[str, int]:
    return customers.aggregate(
        clients=Count("pk", filter=Q(status=CustomerStatus.CUSTOMER)),
        prospects=Count("pk", filter=Q(status=CustomerStatus.PROSPECT)),
    )


def customers_count(scope: Scope) -> WidgetData:
    customers = scope.customers(Customer.objects.in_workspace(scope.workspace), path="")
    customers = scope.moments(customers, "created_at")
    counts = _status_counts(customers)
    total = counts["clients"] + counts["prospects"]
    return WidgetData(
        label_header=_("Statut"),
        labels=[_("Clients"), _("Prospects")],
        series=[Series(_("Fiches"), [counts["clients"], counts["prospects"]])],
        headline=total,
        headline_caption=_("fiches, dont %(clients)s clients et %(prospects)s prospects")
        % {"clients": display(counts["clients"]), "prospects": display(counts["prospects"])},
    )


def conversion(scope: Scope) -> WidgetData:
    customers = scope.customers(Customer.objects.in_workspace(scope.workspace), path="")
    counts = _status_counts(customers)
    total = counts["clients"] + counts["prospects"]
    rate = (Decimal(counts["clients"]) * 100 / total).quantize(Decimal("0.1")) if total else None
    labels = [_("Prospects"), _("Clients")]
    values = [counts["prospects"], counts["clients"]]
    if scope.start is not None:
        # A newcomer's first invoice falls in the period: one in it, none before it.
        invoices = Invoice.objects.filter(customer_id=OuterRef("pk"))
        newcomers = customers.filter(
            Exists(scope.dates(invoices, "issued_on")),
            ~Exists(invoices.filter(issued_on__lt=scope.start)),
            status=CustomerStatus.CUSTOMER,
        ).count()
        labels.append(_("Nouveaux clients sur la période"))
        values.append(newcomers)
    rows = [[label, value] for label, value in zip(labels, values, strict=True)]
    rows.append([_("Taux de transformation (%)"), rate])
    return WidgetData(
        label_header=_("Indicateur"),
        labels=labels,
        series=[Series(_("Fiches"), values)],
        headline=rate,
        headline_unit=PERCENT,
        headline_caption=_("des %(total)s fiches sont devenues clientes")
        % {"total": display(total)},
        columns=[_("Indicateur"), _("Valeur")],
        rows=rows,
    )


def _cents():
    """The sum of invoice totals in whole cents: exact on every engine (SQLite adds decimals
    as floating-point numbers, which can be a cent off over a year of invoices)."""
    return Sum(Cast(Round(F("total_excl_tax") * 100), output_field=BigIntegerField()))


def _euros(cents) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT)


def revenue_by_month(scope: Scope) -> WidgetData:
    invoices = scope.dates(
        scope.customers(Invoice.objects.in_workspace(scope.workspace)), "issued_on"
    )
    rows = list(
        invoices.annotate(month=TruncMonth("issued_on"))
        .values("month", key=F("kind"))
        .annotate(cents=_cents())
        .order_by()
    )
    for row in rows:
        row["total"] = _euros(row["cents"])
    labels, series = _monthly(scope, rows, list(InvoiceKind.choices), "total")
    return WidgetData(
        label_header=_("Mois"),
        labels=labels,
        series=series,
        unit=EURO,
        stacked=True,
        headline=sum((sum(s.values) for s in series), Decimal(0)),
        headline_unit=EURO,
        headline_caption=_("de chiffre d'affaires HT"),
    )


def revenue_per_customer(scope: Scope) -> WidgetData:
    invoices = scope.dates(
        scope.customers(Invoice.objects.in_workspace(scope.workspace)), "issued_on"
    )
    overall = invoices.aggregate(cents=_cents(), customers=Count("customer_id", distinct=True))
    top = list(
        invoices.values("customer_id")
        .annotate(cents=_cents())
        .order_by("-cents", "customer_id")[:TOP_CUSTOMERS]
    )
    for row in top:
        row["total"] = _euros(row["cents"])
    names = _names(row["customer_id"] for row in top)
    total = _euros(overall["cents"])
    average = (total / overall["customers"]).quantize(CENT) if overall["customers"] else Decimal(0)
    return WidgetData(
        label_header=_("Client"),
        labels=[names[row["customer_id"]] for row in top],
        series=[Series(_("Chiffre d'affaires HT"), [row["total"] for row in top])],
        unit=EURO,
        headline=total,
        headline_unit=EURO,
        headline_caption=_("HT pour %(count)s clients facturés (%(average)s en moyenne)")
        % {"count": display(overall["customers"]), "average": display(average, EURO)},
    )
