"""Lead figures: leads by type, and by age and status."""

from datetime import date, timedelta

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from relais.crm.dashboards.selectors.data import Series, WidgetData
from relais.crm.dashboards.selectors.scope import Scope, _midnight
from relais.crm.models import Lead, LeadStatus, LeadType


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
