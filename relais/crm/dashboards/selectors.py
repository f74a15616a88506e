"""Dashboard reads: the user's dashboards and widgets, and each widget's figures.

Dashboards are personal: a widget of another user is *not found*, whatever the workspace.
Figures are computed in the database (aggregates grouped by month, type or status), in the
current workspace only, optionally restricted to the customers of a saved segment and to a
period; no Python loop runs over the base's rows.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Round, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace
from relais.crm.dashboards.catalogue import CATALOGUE, WidgetSpec
from relais.crm.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Customer,
    CustomerStatus,
    Dashboard,
    DashboardWidget,
    Energy,
    Invoice,
    InvoiceKind,
    Lead,
    LeadStatus,
    LeadType,
    Segment,
    Vehicle,
    WidgetPeriod,
)
from relais.crm.segments.query import segment_customers

TOP_CUSTOMERS = 10
FOLLOW_UP_ROWS = 50
EURO = "€"
CENT = Decimal("0.01")
PERCENT = "%"


# --- the user's dashboards and widgets --------------------------------------------------------


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


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
        .filter(public_id=_uuid(widget_id), dashboard__owner=user)
        .first()
    )
    if widget is None:
        raise NotFound(_("Élément de tableau de bord introuvable."))
    return widget


def segments_for(*, user, workspace: Workspace) -> QuerySet[Segment]:
    """The saved segments a widget may be filtered by: those of the current workspace."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return Segment.objects.in_workspace(workspace).order_by("name", "id")


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    values: list


@dataclass
class WidgetData:
    """What a widget shows, in one shape for the chart, the table alternative and the CSV.

    ``labels`` and ``series`` feed the chart (one value per label in each series); ``columns``
    and ``rows`` are the table (and the CSV), derived from them unless a widget gives its own.
    ``headline`` is the big figure of a KPI tile.
    """

    label_header: str
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    stacked: bool = False
    headline: object = None
    headline_unit: str = ""
    headline_caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    numeric_columns: list[int] | None = None  # right-aligned in the table; default: all but 1st

    def __post_init__(self):
        if self.numeric_columns is None:
            self.numeric_columns = list(range(1, len(self.columns or self.series) + 1))
        if not self.columns:
            self.columns = [self.label_header, *[s.name for s in self.series]]
        if not self.rows:
            self.rows = [
                [label, *[s.values[i] for s in self.series]] for i, label in enumerate(self.labels)
            ]

    @property
    def empty(self) -> bool:
        return not any(value for s in self.series for value in s.values)

    @property
    def display_rows(self) -> list[list[str]]:
        return [[display(value, self.unit) for value in row] for row in self.rows]

    @property
    def display_headline(self) -> str:
        if self.headline is None:
            return ""
        return display(self.headline, self.headline_unit)

    def as_json(self) -> dict:
        """The chart's data for the browser (numbers as numbers)."""
        return {
            "labels": self.labels,
            "series": [
                {"name": s.name, "values": [_number(v) for v in s.values]} for s in self.series
            ],
            "unit": self.unit,
            "stacked": self.stacked,
            "headline": self.display_headline,
            "headline_caption": self.headline_caption,
            "columns": self.columns,
            "rows": self.display_rows,
            "notes": self.notes,
            "empty": self.empty,
        }


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def display(value, unit: str = "") -> str:
    """A figure as French readers write it: ``12 345,60 €``, ``42,5 %``, ``1 234``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    if unit == EURO:
        return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)}\u00a0{EURO}"
    if unit == PERCENT:
        return f"{formats.number_format(value, 1, use_l10n=True, force_grouping=True)}\u00a0%"
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Scope:
    """Where a widget's figures come from: the workspace, a segment's customers, a period."""

    workspace: Workspace
    today: date
    start: date | None = None
    end: date | None = None
    customer_ids: QuerySet | None = None  # a subquery of customer keys, or None for all

    def customers(self, queryset: QuerySet, path: str = "customer") -> QuerySet:
        if self.customer_ids is None:
            return queryset
        lookup = "pk__in" if not path else f"{path}__in"
        return queryset.filter(**{lookup: self.customer_ids})

    def dates(self, queryset: QuerySet, field_name: str) -> QuerySet:
        if self.start is not None:
            queryset = queryset.filter(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            queryset = queryset.filter(**{f"{field_name}__lte": self.end})
        return queryset

    def moments(self, queryset: QuerySet, field_name: str) -> QuerySet:
        """Like ``dates`` for a date-time field, in the local time zone."""
        if self.start is not None:
            queryset = queryset.filter(**{f"{field_name}__gte": _midnight(self.start)})
        if self.end is not None:
            queryset = queryset.filter(**{f"{field_name}__lt": _midnight(self.end + timedelta(1))})
        return queryset


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(period: str, today: date) -> tuple[date | None, date | None]:
    """The first and last days of ``period`` as seen on ``today`` (``None``: unbounded)."""
    if period == WidgetPeriod.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if period == WidgetPeriod.LAST_90_DAYS:
        return today - timedelta(days=89), today
    if period == WidgetPeriod.LAST_12_MONTHS:
        month = today.month - 11
        year = today.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1), today
    if period == WidgetPeriod.THIS_YEAR:
        return date(today.year, 1, 1), today
    return None, None


def _months(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _month_label(month: date) -> str:
    return formats.date_format(month, "M Y")


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _monthly(scope: Scope, rows: list[dict], keys: list[tuple[str, str]], value: str):
    """Spread ``rows`` (each with ``month``, optionally ``key``, and ``value``) over every month
    of the period, zeros included, one series per ``keys`` entry (key, series name)."""
    found = {(_as_date(r["month"]), r.get("key", "")): r[value] for r in rows}
    months_seen = sorted(m for m, _k in found)
    first = scope.start or (months_seen[0] if months_seen else scope.today)
    last = scope.end or (months_seen[-1] if months_seen else scope.today)
    months = _months(first, last) if found else []
    series = [Series(name, [found.get((month, key), 0) for month in months]) for key, name in keys]
    return [_month_label(m) for m in months], series


def _names(customer_ids) -> dict[int, str]:
    """Display names of a few customers (a page of a widget), in one query; done in Python
    because SQLite's UPPER() leaves accented letters as they are."""
    customers = Customer.objects.filter(pk__in=set(customer_ids)).select_related(
        "person", "company"
    )
    return {customer.pk: customer.display_name for customer in customers}


def customers_count(scope: Scope) -> WidgetData:
    customers = scope.customers(Customer.objects.in_workspace(scope.workspace), path="")
    customers = scope.moments(customers, "created_at")
    counts = customers.aggregate(
        clients=Count("pk", filter=Q(status=CustomerStatus.CUSTOMER)),
        prospects=Count("pk", filter=Q(status=CustomerStatus.PROSPECT)),
    )
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
    counts = customers.aggregate(
        clients=Count("pk", filter=Q(status=CustomerStatus.CUSTOMER)),
        prospects=Count("pk", filter=Q(status=CustomerStatus.PROSPECT)),
    )
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


def _leads(scope: Scope) -> QuerySet[Lead]:
    leads = scope.customers(Lead.objects.in_workspace(scope.workspace))
    return scope.moments(leads, "emitted_at")


def leads_by_type(scope: Scope) -> WidgetData:
    counts = dict(_leads(scope).values_list("lead_type").annotate(n=Count("pk")).order_by())
    ordered = sorted(
        ((LeadType(key).label, n) for key, n in counts.items() if key in LeadType.values),
        key=lambda item: (-item[1], item[0]),
    )
    return WidgetData(
        label_header=_("Type de lead"),
        labels=[label for label, _n in ordered],
        series=[Series(_("Leads"), [n for _label, n in ordered])],
        headline=sum(counts.values()),
        headline_caption=_("leads"),
    )


def _age_buckets(today: date) -> list[tuple[str, Q]]:
    """Age of a lead in whole days since its emission day, as the sales team counts it."""
    limits = [(_("Moins de 3 jours"), 2), (_("3 à 7 jours"), 7), (_("8 à 14 jours"), 14),
              (_("15 à 21 jours"), 21)]  # fmt: skip
    buckets, newer = [], None
    for label, days in limits:
        since = _midnight(today - timedelta(days=days))
        condition = Q(emitted_at__gte=since)
        buckets.append((label, condition if newer is None else condition & ~newer))
        newer = condition if newer is None else newer | condition
    buckets.append((_("Plus de 21 jours"), ~newer))
    return buckets


def leads_by_age(scope: Scope) -> WidgetData:
    buckets = _age_buckets(scope.today)
    bucket = Case(
        *[When(condition, then=Value(index)) for index, (_label, condition) in enumerate(buckets)]
    )
    counts = {
        (row["bucket"], row["status"]): row["n"]
        for row in _leads(scope)
        .annotate(bucket=bucket)
        .values("bucket", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    series = [
        Series(str(label), [counts.get((index, status), 0) for index in range(len(buckets))])
        for status, label in LeadStatus.choices
    ]
    return WidgetData(
        label_header=_("Ancienneté"),
        labels=[str(label) for label, _condition in buckets],
        series=series,
        stacked=True,
        headline=sum(counts.values()),
        headline_caption=_("leads"),
    )


def follow_ups(scope: Scope) -> WidgetData:
    end_of_week = scope.today + timedelta(days=6 - scope.today.weekday())
    activities = scope.customers(Activity.objects.in_workspace(scope.workspace))
    later = Activity.objects.filter(
        customer_id=OuterRef("customer_id"), occurred_at__gt=OuterRef("occurred_at")
    )
    due = activities.filter(next_follow_up_on__lte=end_of_week).filter(~Exists(later))
    counts = due.aggregate(
        overdue=Count("pk", filter=Q(next_follow_up_on__lt=scope.today)),
        week=Count("pk", filter=Q(next_follow_up_on__gte=scope.today)),
    )
    listed = list(
        due.order_by("next_follow_up_on", "id").values(
            "next_follow_up_on", "customer_id", "subject", "owner__first_name", "owner__last_name"
        )[:FOLLOW_UP_ROWS]
    )
    names = _names(row["customer_id"] for row in listed)
    rows = [
        [
            formats.date_format(row["next_follow_up_on"], "SHORT_DATE_FORMAT"),
            names[row["customer_id"]],
            row["subject"],
            " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p),
            _("En retard") if row["next_follow_up_on"] < scope.today else _("Cette semaine"),
        ]
        for row in listed
    ]
    total = counts["overdue"] + counts["week"]
    notes = []
    if total > len(rows):
        notes.append(
            _("Les %(shown)s relances les plus anciennes sur %(total)s sont listées.")
            % {"shown": len(rows), "total": display(total)}
        )
    data = WidgetData(
        label_header=_("Échéance"),
        labels=[_("En retard"), _("Cette semaine")],
        series=[Series(_("Relances"), [counts["overdue"], counts["week"]])],
        headline=total,
        headline_caption=_("relances, dont %(overdue)s en retard")
        % {"overdue": display(counts["overdue"])},
        columns=[_("Relance prévue le"), _("Client"), _("Objet"), _("Responsable"), _("État")],
        rows=rows,
        numeric_columns=[],
        notes=notes,
    )
    return data


# The campaign funnel, from the recipients' reaction flags (``crm.CampaignRecipient``).
CAMPAIGN_FUNNEL = (
    ("delivered", _lazy("Distribués")),
    ("bounced", _lazy("Non distribués")),
    ("opened", _lazy("Ouverts / lus")),
    ("clicked", _lazy("Liens cliqués")),
    ("replied", _lazy("Réponses")),
    ("booked", _lazy("Rendez-vous pris")),
    ("unsubscribed", _lazy("Désinscriptions")),
)


def campaign_recipient_model():
    """The campaign recipients' model, or ``None`` where campaigns are not installed (or not
    in the shape this widget reads): looked up at call time, never imported."""
    try:
        model = apps.get_model("crm", "CampaignRecipient")
        for name in ("workspace", "campaign", "customer", "excluded_reason"):
            model._meta.get_field(name)
        for name, _label in CAMPAIGN_FUNNEL:
            model._meta.get_field(name)
        model._meta.get_field("campaign").related_model._meta.get_field("sent_at")
    except (LookupError, FieldDoesNotExist):
        return None
    return model


def campaign_results(scope: Scope) -> WidgetData:
    """The funnel of the campaigns sent in the period: recipients reached, then how many
    were delivered, opened, clicked, replied, booked or unsubscribed."""
    model = campaign_recipient_model()
    if model is None:
        return _campaign_activities(scope)
    recipients = scope.customers(
        model.objects.filter(
            workspace=scope.workspace, excluded_reason="", campaign__sent_at__isnull=False
        )
    )
    recipients = scope.moments(recipients, "campaign__sent_at")
    counts = recipients.aggregate(
        sent=Count("pk"),
        **{name: Count("pk", filter=Q(**{name: True})) for name, _label in CAMPAIGN_FUNNEL},
    )
    labels = [_("Destinataires"), *[str(label) for _name, label in CAMPAIGN_FUNNEL]]
    values = [counts["sent"], *[counts[name] for name, _label in CAMPAIGN_FUNNEL]]
    rate = (
        (Decimal(counts["replied"]) * 100 / counts["sent"]).quantize(Decimal("0.1"))
        if counts["sent"]
        else Decimal(0)
    )
    return WidgetData(
        label_header=_("Étape"),
        labels=labels,
        series=[Series(_("Destinataires"), values)],
        headline=counts["sent"],
        headline_caption=_("destinataires, dont %(rate)s de réponses")
        % {"rate": display(rate, PERCENT)},
    )


def _campaign_activities(scope: Scope) -> WidgetData:
    """Without the campaigns module: campaign activities of the history, by outcome."""
    activities = scope.customers(
        Activity.objects.in_workspace(scope.workspace).filter(kind=ActivityKind.CAMPAIGN)
    )
    activities = scope.moments(activities, "occurred_at")
    counts = dict(activities.values_list("outcome").annotate(n=Count("pk")).order_by())
    labels, values = [], []
    for key, label in [*ActivityOutcome.choices, ("", _("Sans résultat renseigné"))]:
        if counts.get(key):
            labels.append(str(label))
            values.append(counts[key])
    return WidgetData(
        label_header=_("Résultat"),
        labels=labels,
        series=[Series(_("Envois"), values)],
        headline=sum(values),
        headline_caption=_("envois de campagne"),
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
        if self.widget.title:
            return self.widget.title
        return str(self.spec.title) if self.spec else self.widget.kind


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
