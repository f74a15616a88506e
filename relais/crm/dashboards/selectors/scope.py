"""Where a widget's figures come from (``Scope``) and over which months (``period_bounds``).

Figures are computed in the database, in the current workspace only, optionally restricted to
the customers of a saved segment and to a period.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import formats, timezone

from relais.core.workspaces.models import Workspace
from relais.crm.dashboards.selectors.data import Series
from relais.crm.models import Customer, WidgetPeriod


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
