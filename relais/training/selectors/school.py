"""Reads for school databases, for the trainers of their organization."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission, organizations_with_permission
from relais.core.exceptions import NotFound
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    CustomerStatus,
    Invoice,
    InvoiceKind,
    Lead,
    Vehicle,
)
from relais.training.models import Anomaly, AnomalyKind, SchoolBase
from relais.training.permissions import Permission


def school_bases_for_user(*, user) -> QuerySet[SchoolBase]:
    """The school databases of the organizations where the user runs trainings (every one for
    a superuser)."""
    ensure_permission(user, Permission.TRAINING_MANAGE)
    bases = SchoolBase.objects.select_related("workspace", "workspace__organization").annotate(
        anomaly_count=Count("anomalies")
    )
    if not user.is_superuser:
        bases = bases.filter(
            workspace__organization__in=organizations_with_permission(
                user, Permission.TRAINING_MANAGE
            )
        )
    return bases.order_by("-reference_date", "workspace__name", "pk")


def school_base_get(*, user, school_id) -> SchoolBase:
    """One school database the user may manage; anything else is not found."""
    try:
        pk = int(school_id)
    except (TypeError, ValueError):
        raise NotFound(_("Base école introuvable.")) from None
    school_base = school_bases_for_user(user=user).filter(pk=pk).first()
    if school_base is None:
        raise NotFound(_("Base école introuvable."))
    return school_base


def school_base_anomalies(*, user, school_base: SchoolBase) -> QuerySet[Anomaly]:
    school_base_get(user=user, school_id=school_base.pk)
    return school_base.anomalies.order_by("kind", "pk")


@dataclass
class SchoolBaseSummary:
    categories: list[tuple[str, int]] = field(default_factory=list)
    months: list[tuple[date, int, int]] = field(default_factory=list)  # month, invoices, activities
    anomalies: list[tuple[str, int]] = field(default_factory=list)


def _last_twelve_months(today: date) -> list[date]:
    months, year, month = [], today.year, today.month
    for _step in range(12):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(date(year, month, 1))
    return list(reversed(months))


def school_base_summary(*, user, school_base: SchoolBase) -> SchoolBaseSummary:
    """Counts per diversity category, per month of the year before the reference day, and
    per anomaly kind."""
    school_base_get(user=user, school_id=school_base.pk)
    workspace = school_base.workspace
    customers = Customer.objects.in_workspace(workspace)
    invoices = Invoice.objects.in_workspace(workspace)
    purchase = Exists(invoices.filter(customer=OuterRef("pk"), kind__in=InvoiceKind.purchases()))
    after_sales = Exists(invoices.filter(customer=OuterRef("pk"), kind=InvoiceKind.AFTER_SALES))
    activity = Exists(Activity.objects.in_workspace(workspace).filter(customer=OuterRef("pk")))
    fleet = Exists(
        Vehicle.objects.in_workspace(workspace)
        .filter(customer=OuterRef("pk"))
        .values("customer")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    flagged = customers.annotate(
        purchase=purchase, after_sales=after_sales, activity=activity, fleet=fleet
    )
    summary = SchoolBaseSummary()
    summary.categories = [
        (_("Clients et prospects"), customers.count()),
        (_("Particuliers"), customers.filter(kind=CustomerKind.INDIVIDUAL).count()),
        (_("Sociétés"), customers.filter(kind=CustomerKind.COMPANY).count()),
        (_("Sociétés avec une flotte (2 véhicules ou plus)"),
         flagged.filter(kind=CustomerKind.COMPANY, fleet=True).count()),
        (_("Achat VN/VO sans après-vente"),
         flagged.filter(purchase=True, after_sales=False).count()),
        (_("Achat VN/VO avec après-vente"),
         flagged.filter(purchase=True, after_sales=True).count()),
        (_("Après-vente sans achat"), flagged.filter(purchase=False, after_sales=True).count()),
        (_("Prospects sans facture"), customers.filter(status=CustomerStatus.PROSPECT).count()),
        (_("Avec historique d'activités"), flagged.filter(activity=True).count()),
        (_("Sans historique d'activités"), flagged.filter(activity=False).count()),
        (_("Leads"), Lead.objects.in_workspace(workspace).count()),
    ]  # fmt: skip
    months = _last_twelve_months(school_base.reference_date)
    start = months[0]
    per_month_invoices = Counter(
        {
            row["month"]: row["n"]
            for row in invoices.filter(
                issued_on__gte=start, issued_on__lt=school_base.reference_date
            )
            .annotate(month=TruncMonth("issued_on"))
            .values("month")
            .annotate(n=Count("pk"))
        }
    )
    per_month_activities = Counter(
        {
            _as_date(row["month"]): row["n"]
            for row in Activity.objects.in_workspace(workspace)
            .filter(occurred_at__date__gte=start)
            .annotate(month=TruncMonth("occurred_at"))
            .values("month")
            .annotate(n=Count("pk"))
        }
    )
    summary.months = [
        (month, per_month_invoices[month], per_month_activities[month]) for month in months
    ]
    labels = dict(AnomalyKind.choices)
    counts = Counter(school_base.anomalies.values_list("kind", flat=True))
    summary.anomalies = [(str(labels[kind]), counts[kind]) for kind in AnomalyKind.values]
    return summary


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value
