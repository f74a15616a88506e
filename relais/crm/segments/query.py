"""From a segment's definition to the queryset of its customers (the segment compiler).

Conditions on the customer and computed values filter the customer query itself (computed
values through correlated subqueries attached with ``.alias()``); conditions on related
records become ``EXISTS`` subqueries, so a customer with three matching vehicles is still
one row and counts need no ``DISTINCT``. Ages and "days since" are compared as dates
(``age ≥ 30`` ⇔ ``birth_date ≤ today − 30 years``), the same on SQLite and PostgreSQL.
"""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from relais.core.contacts.models import Company, Person
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    InvoiceKind,
    Lead,
    Note,
    Segment,
    Vehicle,
)
from relais.crm.segments import fields as cat
from relais.crm.segments.definition import validate_definition
from relais.crm.segments.fields import FIELDS

RELATED_MODELS = {
    "vehicle": Vehicle,
    "invoice": Invoice,
    "activity": Activity,
    "note": Note,
    "lead": Lead,
}
# Visit frequency: after-sales visits over this many years, divided by it.
FREQUENCY_YEARS = 3


def segment_customers(
    segment: Segment, *, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """The customers of ``segment``'s workspace that meet its conditions, in its sort order.

    A definition that no longer validates (edited by hand in the database) gives no customer
    rather than an error: dashboards and campaigns calling this must not crash on it.
    """
    try:
        return segment_queryset(segment.definition, workspace=segment.workspace, today=today)
    except ValidationError:
        return Customer.objects.in_workspace(segment.workspace).none()


def segment_queryset(
    definition, *, workspace, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """The customers of ``workspace`` meeting ``definition``; ``ValidationError`` if invalid."""
    definition = validate_definition(definition)
    compiler = Compiler(today or timezone.localdate(), workspace=workspace)
    condition = compiler.group(definition, entity=None)
    order = compiler.ordering(definition.get("sort", []))
    customers = Customer.objects.in_workspace(workspace)
    if compiler.aliases:
        customers = customers.alias(**compiler.aliases)
    return customers.filter(condition).order_by(*order, "sort_name", "id")


def shift(day: datetime.date, amount: int, unit: str, sign: int = -1) -> datetime.date:
    delta = {
        "days": relativedelta(days=amount),
        "weeks": relativedelta(weeks=amount),
        "months": relativedelta(months=amount),
        "years": relativedelta(years=amount),
    }[unit]
    return day - delta if sign < 0 else day + delta


def relative_range(op: str, value, today: datetime.date) -> tuple:
    """``(first, last)`` days, inclusive, that a relative date operator stands for; ``None``
    for an open side."""
    if op == "today":
        return today, today
    if op == "this_week":
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=6)
    if op == "this_month":
        first = today.replace(day=1)
        return first, first + relativedelta(months=1) - datetime.timedelta(days=1)
    if op == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    amount, unit = value["amount"], value["unit"]
    if op == "older_than":
        return None, shift(today, amount, unit) - datetime.timedelta(days=1)
    if op == "in_last":
        return shift(today, amount, unit), today
    if op == "in_next":
        return today, shift(today, amount, unit, sign=+1)
    raise ValueError(op)


class Compiler:
    """Turns one validated definition into a ``Q`` plus the aliases it needs."""

    def __init__(self, today: datetime.date, *, workspace=None):
        self.today = today
        self.workspace = workspace
        self.aliases: dict = {}

    # --- groups --------------------------------------------------------------------------

    def group(self, node: dict, *, entity: str | None) -> Q:
        block = node.get("entity")
        if block and entity is None:
            inner = self._combine(node, entity=block)
            exists = Exists(
                RELATED_MODELS[block].objects.filter(customer=OuterRef("pk")).filter(inner)
            )
            return Q(exists) if node.get("quantifier", "any") == "any" else ~Q(exists)
        return self._combine(node, entity=entity)

    def _combine(self, node: dict, *, entity: str | None) -> Q:
        combined = None
        for child in node["conditions"]:
            term = (
                self.group(child, entity=entity)
                if "conditions" in child
                else self.condition(child, entity=entity)
            )
            if combined is None:
                combined = term
            elif node["match"] == "any":
                combined = combined | term
            else:
                combined = combined & term
        return combined if combined is not None else Q()

    def condition(self, node: dict, *, entity: str | None) -> Q:
        spec = FIELDS[node["field"]]
        if spec.entity in RELATED_MODELS and entity is None:
            # A lone condition on a related record: "has at least one such record".
            inner = self.lookup(spec, node["op"], node.get("value"), path=spec.path)
            return Q(
                Exists(
                    RELATED_MODELS[spec.entity]
                    .objects.filter(customer=OuterRef("pk"))
                    .filter(inner)
                )
            )
        if spec.entity == "customer" and spec.path.startswith("contact:"):
            return self.contact(spec, node["op"], node.get("value"))
        return self.lookup(spec, node["op"], node.get("value"), path=self.path(spec))

    def contact(self, spec, op: str, value) -> Q:
        """A contact detail both a Person and a Company carry: the customer's person or
        company is among those matching. Uncorrelated ``IN`` subqueries, computed once, let
        the database test them before any correlated ``EXISTS``."""
        inner = self.lookup(spec, op, value, path=spec.path.removeprefix("contact:"))
        people, companies = Person.objects.filter(inner), Company.objects.filter(inner)
        if self.workspace is not None:
            people = people.filter(workspace=self.workspace)
            companies = companies.filter(workspace=self.workspace)
        return Q(person__in=people.values("pk")) | Q(company__in=companies.values("pk"))

    # --- fields --------------------------------------------------------------------------

    def path(self, spec) -> str | None:
        """The lookup path of a customer or computed field on the customer query."""
        if spec.entity == "computed":
            return (
                None if spec.type in (cat.YEARS_SINCE, cat.DAYS_SINCE) else self.computed(spec.key)
            )
        if spec.path.startswith("contact:"):
            name = spec.path.removeprefix("contact:")
            alias = f"seg_contact_{name}"
            self.aliases[alias] = Coalesce(f"person__{name}", f"company__{name}")
            return alias
        return spec.path

    def base_path(self, spec) -> str:
        """The date a years_since / days_since field counts from."""
        if spec.base.startswith("computed."):
            return self.computed(spec.base)
        return spec.base

    def computed(self, key: str) -> str:
        """Attach the computed value ``key`` as an alias (once) and return its name."""
        name = "seg_" + key.removeprefix("computed.")
        if name in self.aliases:
            return name
        after_sales = Invoice.objects.filter(customer=OuterRef("pk"), kind=InvoiceKind.AFTER_SALES)
        invoices = Invoice.objects.filter(customer=OuterRef("pk"))
        vehicles = Vehicle.objects.filter(customer=OuterRef("pk"))

        def aggregate(queryset, function):
            return Subquery(
                queryset.order_by()
                .values("customer")
                .annotate(result=function)
                .values("result")[:1]
            )

        short = key.removeprefix("computed.")
        if short == "visit_count":
            expression = Coalesce(aggregate(after_sales, Count("pk")), 0)
        elif short == "visit_frequency":
            since = shift(self.today, FREQUENCY_YEARS, "years")
            recent = after_sales.filter(issued_on__gte=since, issued_on__lte=self.today)
            expression = Coalesce(aggregate(recent, Count("pk")), 0)
        elif short == "invoice_count":
            expression = Coalesce(aggregate(invoices, Count("pk")), 0)
        elif short == "vehicle_count":
            expression = Coalesce(aggregate(vehicles, Count("pk")), 0)
        elif short == "revenue":
            expression = Coalesce(
                aggregate(invoices, Sum("total_excl_tax")),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        elif short == "last_visit_on":
            expression = aggregate(after_sales, Max("issued_on"))
        elif short == "newest_registration":
            expression = aggregate(vehicles, Max("first_registration_date"))
        elif short == "oldest_registration":
            expression = aggregate(vehicles, Min("first_registration_date"))
        else:  # pragma: no cover - the catalogue and this list are written together
            raise ValueError(key)
        self.aliases[name] = expression
        return name

    def scale(self, spec, value):
        """A condition value in the unit the database compares (visit frequency: a count)."""
        if spec.key == "computed.visit_frequency":
            return float(value) * FREQUENCY_YEARS
        return value

    # --- operators -----------------------------------------------------------------------

    def lookup(self, spec, op: str, value, *, path: str | None) -> Q:
        if spec.type in (cat.YEARS_SINCE, cat.DAYS_SINCE):
            return self.elapsed(spec, self.base_path(spec), op, value)
        if spec.type in (cat.DATE, cat.DATETIME):
            return self.dated(spec, path, op, value)
        if spec.type == cat.BOOLEAN:
            return Q(**{path: op == "is_true"})
        if op == "is_empty":
            empty = Q(**{f"{path}__isnull": True})
            return (
                empty | Q(**{path: ""}) if spec.type in (cat.TEXT, cat.CHOICE, cat.USER) else empty
            )
        if op == "is_not_empty":
            filled = Q(**{f"{path}__isnull": False})
            return (
                filled & ~Q(**{path: ""})
                if spec.type in (cat.TEXT, cat.CHOICE, cat.USER)
                else filled
            )
        value = (
            [self.scale(spec, v) for v in value]
            if isinstance(value, list)
            else self.scale(spec, value)
        )
        text = spec.type == cat.TEXT
        # "Different from" means a known value that differs: an empty one is not compared.
        known = Q(**{f"{path}__isnull": False})
        if op == "eq":
            return Q(**{f"{path}__iexact" if text else path: value})
        if op == "ne":
            return ~Q(**{f"{path}__iexact" if text else path: value}) & known
        if op == "contains":
            return Q(**{f"{path}__icontains": value})
        if op == "not_contains":
            return ~Q(**{f"{path}__icontains": value}) & known
        if op == "startswith":
            return Q(**{f"{path}__istartswith": value})
        if op == "in":
            return Q(**{f"{path}__in": value})
        if op == "not_in":
            return ~Q(**{f"{path}__in": value}) & known
        if op in ("lt", "lte", "gt", "gte"):
            return Q(**{f"{path}__{op}": value})
        if op == "between":
            return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
        raise ValueError(op)  # pragma: no cover

    def dated(self, spec, path: str, op: str, value) -> Q:
        if op == "is_empty":
            return Q(**{f"{path}__isnull": True})
        if op == "is_not_empty":
            return Q(**{f"{path}__isnull": False})
        if op in cat.RELATIVE_OPS:
            first, last = relative_range(op, value, self.today)
            return self.day_range(spec, path, first, last)
        if op == "between":
            low, high = (datetime.date.fromisoformat(v) for v in value)
            return self.day_range(spec, path, low, high)
        day = datetime.date.fromisoformat(value)
        one = datetime.timedelta(days=1)
        if op == "eq":
            return self.day_range(spec, path, day, day)
        if op == "ne":
            return ~self.day_range(spec, path, day, day) & Q(**{f"{path}__isnull": False})
        if op == "lt":
            return self.day_range(spec, path, None, day - one)
        if op == "lte":
            return self.day_range(spec, path, None, day)
        if op == "gt":
            return self.day_range(spec, path, day + one, None)
        if op == "gte":
            return self.day_range(spec, path, day, None)
        raise ValueError(op)  # pragma: no cover

    def day_range(self, spec, path: str, first, last) -> Q:
        """Days ``first``..``last`` inclusive; a date-time field is compared with the local
        midnights that bound them, so its index is used."""
        terms = {}
        if spec.type == cat.DATETIME:
            if first is not None:
                terms[f"{path}__gte"] = _midnight(first)
            if last is not None:
                terms[f"{path}__lt"] = _midnight(last + datetime.timedelta(days=1))
        else:
            if first is not None:
                terms[f"{path}__gte"] = first
            if last is not None:
                terms[f"{path}__lte"] = last
        return Q(**terms)

    def elapsed(self, spec, base: str, op: str, value) -> Q:
        """Whole years / days elapsed since the ``base`` date, as date comparisons."""
        if op == "is_empty":
            return Q(**{f"{base}__isnull": True})
        if op == "is_not_empty":
            return Q(**{f"{base}__isnull": False})
        unit = "years" if spec.type == cat.YEARS_SINCE else "days"

        def at_least(n: int) -> Q:  # elapsed >= n  ⇔  base <= today − n
            return Q(**{f"{base}__lte": shift(self.today, n, unit)})

        def below(n: int) -> Q:  # elapsed < n  ⇔  base > today − n
            return Q(**{f"{base}__gt": shift(self.today, n, unit)})

        if op == "gte":
            return at_least(value)
        if op == "gt":
            return at_least(value + 1)
        if op == "lt":
            return below(value)
        if op == "lte":
            return below(value + 1)
        if op == "eq":
            return at_least(value) & below(value + 1)
        if op == "ne":
            return below(value) | at_least(value + 1)
        if op == "between":
            return at_least(value[0]) & below(value[1] + 1)
        raise ValueError(op)  # pragma: no cover

    # --- sort ----------------------------------------------------------------------------

    def ordering(self, keys: list[dict]) -> list:
        order = []
        for key in keys:
            spec = FIELDS[key["field"]]
            descending = key["dir"] == "desc"
            if spec.type in (cat.YEARS_SINCE, cat.DAYS_SINCE):
                # More time elapsed means an earlier date.
                target, descending = self.base_path(spec), not descending
            else:
                target = self.path(spec)
            expression = F(target)
            order.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return order


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
