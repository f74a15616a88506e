"""CRM reads. Every selector takes the user and the workspace and returns only what the
user may see there; a record of another workspace is reported as not found."""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import CompanyContact
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.interactions.selectors import interactions_for_contact
from relais.core.workspaces.models import Workspace
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    InvoiceKind,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.permissions import Permission
from relais.crm.search import filter_by_search

# Deleted customers can be restored from their audit entry for this long (the trash page).
RESTORE_WINDOW_DAYS = 30

CUSTOMER_SORTS = {
    "nom": "sort_name",
    "statut": "status",
    "type": "kind",
    "ville": "city_sort",
    "creation": "created_at",
    "modification": "updated_at",
}


def customer_list(
    *,
    user,
    workspace: Workspace,
    query: str = "",
    status: str = "",
    kind: str = "",
    sort: str = "nom",
) -> QuerySet[Customer]:
    """Customers of the workspace matching ``query`` (see ``relais.crm.search``), sorted by one
    of ``CUSTOMER_SORTS`` (prefix ``-`` for descending)."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    customers = Customer.objects.in_workspace(workspace).select_related("person", "company")
    customers = filter_by_search(customers, query)
    if status:
        customers = customers.filter(status=status)
    if kind:
        customers = customers.filter(kind=kind)
    descending = sort.startswith("-")
    key = CUSTOMER_SORTS.get(sort.lstrip("-"), "sort_name")
    if key == "city_sort":
        customers = customers.annotate(city_sort=Coalesce("person__city", "company__city"))
    order = f"-{key}" if descending else key
    return customers.order_by(order, "sort_name", "id")


def customer_get(*, user, workspace: Workspace, public_id) -> Customer:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    customer = (
        Customer.objects.in_workspace(workspace)
        .select_related("person", "company", "company__parent", "owner")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if customer is None:
        raise NotFound(_("Client introuvable."))
    return customer


def deleted_customers(*, user, workspace: Workspace) -> QuerySet[AuditEntry]:
    """The customers deleted in ``workspace`` that can still be restored, newest first: the
    ``customer.delete`` audit entries of the restore window not undone yet. The heavy
    ``before`` copy is not loaded."""

    ensure_permission(user, Permission.CRM_DELETE, workspace)
    since = timezone.now() - timedelta(days=RESTORE_WINDOW_DAYS)
    restored = (
        AuditEntry.objects.filter(workspace=workspace, action="customer.restore")
        .annotate(source=Cast(KeyTextTransform("restored_from", "after"), IntegerField()))
        .values("source")
    )
    return (
        AuditEntry.objects.filter(
            workspace=workspace,
            action="customer.delete",
            created_at__gte=since,
            before__has_key="restore",
        )
        .exclude(pk__in=restored)
        .select_related("actor")
        .defer("before", "after")
        .order_by("-created_at", "-id")
    )


def customer_attachment_counts(*, customer: Customer) -> dict[str, int]:
    """How many records go with the customer if it is deleted, in one query."""
    counts = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(
            vehicle_count=_count_of(Vehicle),
            invoice_count=_count_of(Invoice),
            activity_count=_count_of(Activity),
            note_count=_count_of(Note),
        )
        .values("vehicle_count", "invoice_count", "activity_count", "note_count")
        .get()
    )
    return {
        "vehicles": counts["vehicle_count"] or 0,
        "invoices": counts["invoice_count"] or 0,
        "activities": counts["activity_count"] or 0,
        "notes": counts["note_count"] or 0,
    }


def _count_of(model):
    rows = model.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    return Subquery(rows.annotate(n=Count("pk")).values("n")[:1])


def company_contacts(*, customer: Customer) -> QuerySet[CompanyContact]:
    if not customer.is_company:
        return CompanyContact.objects.none()
    return customer.company.contacts.select_related("person").order_by("person__last_name", "id")


def company_contact_get(*, user, customer: Customer, contact_id: int) -> CompanyContact:
    ensure_permission(user, Permission.CRM_VIEW, customer.workspace)
    link = company_contacts(customer=customer).filter(pk=contact_id).first()
    if link is None:
        raise NotFound(_("Contact introuvable."))
    return link


def _scoped_get(model, *, user, workspace: Workspace, public_id, related=()):
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    instance = (
        model.objects.in_workspace(workspace)
        .select_related(*related)
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if instance is None:
        raise NotFound(
            _("%(record)s introuvable.") % {"record": model._meta.verbose_name.capitalize()}
        )
    return instance


def vehicle_get(*, user, workspace, public_id) -> Vehicle:
    return _scoped_get(
        Vehicle, user=user, workspace=workspace, public_id=public_id, related=("customer",)
    )


def invoice_get(*, user, workspace, public_id) -> Invoice:
    return _scoped_get(
        Invoice,
        user=user,
        workspace=workspace,
        public_id=public_id,
        related=("customer", "vehicle"),
    )


def activity_get(*, user, workspace, public_id) -> Activity:
    return _scoped_get(
        Activity, user=user, workspace=workspace, public_id=public_id, related=("customer", "owner")
    )


def note_get(*, user, workspace, public_id) -> Note:
    return _scoped_get(
        Note, user=user, workspace=workspace, public_id=public_id, related=("customer", "author")
    )


def lead_get(*, user, workspace, public_id) -> Lead:
    return _scoped_get(
        Lead, user=user, workspace=workspace, public_id=public_id, related=("customer",)
    )


def mileage_reading_get(*, user, workspace, public_id) -> MileageReading:
    return _scoped_get(
        MileageReading, user=user, workspace=workspace, public_id=public_id, related=("vehicle",)
    )


def vehicles_of(*, customer: Customer) -> QuerySet[Vehicle]:
    return customer.vehicles.prefetch_related(
        Prefetch("mileage_readings", queryset=MileageReading.objects.order_by("read_on", "id"))
    ).order_by("-first_registration_date", "id")


def invoices_of(*, customer: Customer) -> QuerySet[Invoice]:
    return (
        customer.invoices.select_related("vehicle")
        .prefetch_related("lines")
        .order_by("-issued_on", "-id")
    )


def activities_of(*, customer: Customer) -> QuerySet[Activity]:
    return customer.activities.select_related("owner").order_by("-occurred_at", "-id")


def notes_of(*, customer: Customer) -> QuerySet[Note]:
    return customer.notes.select_related("author").order_by("-created_at", "-id")


def timeline_of(*, customer: Customer):
    return interactions_for_contact(
        workspace=customer.workspace, person=customer.person, company=customer.company
    )


def lead_list(
    *, user, workspace: Workspace, lead_type: str = "", status: str = ""
) -> QuerySet[Lead]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    leads = Lead.objects.in_workspace(workspace).select_related("customer")
    if lead_type:
        leads = leads.filter(lead_type=lead_type)
    if status:
        leads = leads.filter(status=status)
    return leads.order_by("-emitted_at", "-id")


@dataclass(frozen=True)
class VisitFrequency:
    """How often a vehicle (or a customer) comes to the workshop."""

    visits: int
    first_visit: date | None
    last_visit: date | None
    mean_interval_days: float | None
    visits_per_year: float | None
    next_expected_visit: date | None
    is_overdue: bool


def visit_frequency(visit_dates: list[date], *, today: date | None = None) -> VisitFrequency:
    """Mean interval between after-sales visits, visits a year, and the next expected visit.

    With fewer than two visits there is no interval; the next visit is then unknown.
    """
    today = today or timezone.localdate()
    dates = sorted(set(visit_dates))
    if not dates:
        return VisitFrequency(0, None, None, None, None, None, False)
    if len(dates) < 2:
        return VisitFrequency(1, dates[0], dates[0], None, None, None, False)
    intervals = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    interval = mean(intervals)
    span_years = (dates[-1] - dates[0]).days / 365.25
    per_year = (len(dates) - 1) / span_years if span_years else None
    next_visit = dates[-1] + timedelta(days=round(interval))
    return VisitFrequency(
        visits=len(dates),
        first_visit=dates[0],
        last_visit=dates[-1],
        mean_interval_days=round(interval, 1),
        visits_per_year=round(per_year, 2) if per_year else None,
        next_expected_visit=next_visit,
        is_overdue=next_visit < today,
    )


@dataclass(frozen=True)
class AfterSales:
    invoices: list
    frequency: VisitFrequency
    vehicles: list  # [(vehicle, [readings], VisitFrequency)]
    revenue_excl_tax: object
    revenue_incl_tax: object


def after_sales_invoices(*, customer: Customer) -> QuerySet[Invoice]:
    """The customer's after-sales invoices, newest first."""
    return invoices_of(customer=customer).filter(kind=InvoiceKind.AFTER_SALES)


@dataclass(frozen=True)
class AfterSalesSummary:
    """The after-sales figures of a customer, whatever their number of visits: computed in
    the database or on dates only, so that the tab stays fast with a thousand invoices."""

    frequency: VisitFrequency
    vehicle_frequencies: dict  # vehicle pk -> VisitFrequency
    revenue_excl_tax: object
    revenue_incl_tax: object


def after_sales_summary(*, customer: Customer) -> AfterSalesSummary:
    invoices = customer.invoices.filter(kind=InvoiceKind.AFTER_SALES)
    visits = list(invoices.order_by().values_list("vehicle_id", "issued_on"))
    per_vehicle: dict = {}
    for vehicle_id, issued_on in visits:
        per_vehicle.setdefault(vehicle_id, []).append(issued_on)
    totals = invoices.aggregate(
        excl=Coalesce(
            Sum("total_excl_tax"), 0, output_field=Invoice._meta.get_field("total_excl_tax")
        ),
        incl=Coalesce(
            Sum("total_incl_tax"), 0, output_field=Invoice._meta.get_field("total_incl_tax")
        ),
    )
    return AfterSalesSummary(
        frequency=visit_frequency([day for _vehicle, day in visits]),
        vehicle_frequencies={k: visit_frequency(v) for k, v in per_vehicle.items() if k},
        revenue_excl_tax=totals["excl"],
        revenue_incl_tax=totals["incl"],
    )


def after_sales_of(*, customer: Customer) -> AfterSales:
    """Everything about a customer's after-sales at once: invoices, mileage per vehicle,
    visit frequency (the tab pages them instead: see ``after_sales_summary``)."""
    invoices = list(after_sales_invoices(customer=customer))
    vehicles = list(vehicles_of(customer=customer))
    per_vehicle = []
    for vehicle in vehicles:
        visits = [inv.issued_on for inv in invoices if inv.vehicle_id == vehicle.pk]
        per_vehicle.append((vehicle, list(vehicle.mileage_readings.all()), visit_frequency(visits)))
    return AfterSales(
        invoices=invoices,
        frequency=visit_frequency([inv.issued_on for inv in invoices]),
        vehicles=per_vehicle,
        revenue_excl_tax=sum((inv.total_excl_tax for inv in invoices), 0),
        revenue_incl_tax=sum((inv.total_incl_tax for inv in invoices), 0),
    )


@dataclass(frozen=True)
class CardReadings:
    """A vehicle's mileage readings as the card shows them: the latest few in date order,
    how many older ones there are, and the chart's points thinned to a bounded number."""

    latest: list
    older_count: int
    chart_points: list  # [{"date": ISO day, "km": int}]
    total: int = 0
    first: tuple | None = None  # (day, km) of the oldest reading


def vehicles_card_readings(*, vehicles: list, shown: int, chart_points: int) -> dict:
    """For each of ``vehicles`` (its pk): its ``CardReadings``, the latest ``shown`` readings
    and at most ``chart_points`` chart points, in three queries whatever the numbers."""
    latest = vehicles_latest_readings(vehicles=vehicles, shown=shown)
    points: dict = {vehicle.pk: [] for vehicle in vehicles}
    rows = (
        MileageReading.objects.filter(vehicle_id__in=list(points))
        .order_by("vehicle_id", "read_on", "id")
        .values_list("vehicle_id", "read_on", "mileage")
    )
    for vehicle_id, day, km in rows:
        points[vehicle_id].append((day, km))
    result = {}
    for pk, (readings, older) in latest.items():
        curve = points[pk]
        first = curve[0] if curve else None
        if len(curve) > chart_points:
            # Evenly spaced readings, the first and the last always kept: the curve's shape.
            step = (len(curve) - 1) / (chart_points - 1)
            curve = [curve[round(i * step)] for i in range(chart_points)]
        result[pk] = CardReadings(
            latest=readings,
            older_count=older,
            chart_points=[{"date": day.isoformat(), "km": km} for day, km in curve],
            total=older + len(readings),
            first=first,
        )
    return result


def vehicles_latest_readings(*, vehicles: list, shown: int) -> dict:
    """For each of ``vehicles``: ``(latest readings in date order, how many older)``, in two
    queries whatever the number of vehicles or readings (a window numbers each vehicle's
    readings newest first)."""
    ids = [vehicle.pk for vehicle in vehicles]
    counts = dict(
        MileageReading.objects.filter(vehicle_id__in=ids)
        .order_by()
        .values("vehicle_id")
        .annotate(n=Count("pk"))
        .values_list("vehicle_id", "n")
    )
    rank = Window(
        RowNumber(), partition_by=[F("vehicle_id")], order_by=[F("read_on").desc(), F("id").desc()]
    )
    latest = (
        MileageReading.objects.filter(vehicle_id__in=ids)
        .annotate(rank=rank)
        .filter(rank__lte=shown)
        .order_by("vehicle_id", "read_on", "id")
    )
    per_vehicle: dict = {pk: [] for pk in ids}
    for reading in latest:
        per_vehicle[reading.vehicle_id].append(reading)
    return {pk: (rows, counts.get(pk, 0) - len(rows)) for pk, rows in per_vehicle.items()}


def invoice_totals(*, customer: Customer) -> list[dict]:
    """Count and totals of the customer's invoices per kind, computed in the database."""
    return list(
        customer.invoices.order_by()
        .values("kind")
        .annotate(count=Count("pk"), excl_tax=Sum("total_excl_tax"), incl_tax=Sum("total_incl_tax"))
    )
