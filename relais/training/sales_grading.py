"""The truth the sales-tool exercises are graded against, computed on a learner's sandbox.

What the learner should have built with the sales tools — the customers a target rule selects
in an area, those a channel can reach, how the recorded merges compare with the school base's
hidden identities — computed here directly with the ORM, every query restricted to the sandbox
workspace. The checks that score against it are ``relais.training.checks.sales``.

The rules are data (``TARGET_RULES``, ``CHANNELS``) and small functions.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.text import fold
from relais.crm.models import Customer, CustomerMerge, Invoice, InvoiceKind, Vehicle

# Target rules: customers of the target area whose vehicle is older than ``years`` years and
# who have had no after-sales visit (APV invoice) for ``months`` months, never-seen included.
TARGET_RULES = {
    "vehicule-ancien-sans-atelier": {
        "label": _("véhicule de plus de 4 ans et aucun passage atelier depuis 12 mois"),
        "years": 4,
        "months": 12,
    }
}
# Channel -> the contact fields that allow a message: consent, then every address field.
CHANNELS = {
    "email": ("consent_email", ("email",)),
    "sms": ("consent_sms", ("phone_mobile",)),
    "letter": ("consent_mail", ("street", "postal_code", "city")),
}
CHANNEL_LABELS = {"email": _("e-mail"), "sms": _("SMS"), "letter": _("courrier")}
# Each wrong merge (two different people made one) cancels this many right ones.
WRONG_MERGE_PENALTY = 2
AREA_TARGET_KIND = "sales_target_area"
# The target area is a département: the first two characters of the postcode.
AREA_LENGTH = 2
# A campaign being sent has its recipients frozen already: it counts as sent.
SENT_STATUSES = ("sending", "sent")


# -- dates and names ---------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# -- the truth ---------------------------------------------------------------------------------


def _in_area(area: str) -> Q:
    return Q(person__postal_code__startswith=area) | Q(company__postal_code__startswith=area)


def _recent_visits(workspace, *, today: datetime.date, months: int):
    # "In the last N months", bounds included, as the segment builder reads it.
    return Invoice.objects.in_workspace(workspace).filter(
        kind=InvoiceKind.AFTER_SALES,
        issued_on__gte=months_before(today, months),
        issued_on__lte=today,
    )


def _rule_customers(workspace, *, rule: str, today: datetime.date):
    """The customers of ``workspace`` that ``rule`` selects, wherever they live."""
    params = TARGET_RULES[rule]
    old = Vehicle.objects.in_workspace(workspace).filter(
        first_registration_date__lt=months_before(today, 12 * params["years"])
    )
    recent = _recent_visits(workspace, today=today, months=params["months"])
    return (
        Customer.objects.in_workspace(workspace)
        .filter(pk__in=old.values("customer_id"))
        .exclude(pk__in=recent.values("customer_id"))
    )


def expected_customers(workspace, *, rule: str, area: str, today: datetime.date) -> set[int]:
    """The primary keys of the customers ``rule`` selects in ``area`` on ``today``."""
    customers = _rule_customers(workspace, rule=rule, today=today).filter(_in_area(area))
    return set(customers.values_list("pk", flat=True))


def area_pick(workspace, *, rule: str = "vehicule-ancien-sans-atelier", today=None) -> str:
    """The postcode area of ``workspace`` where ``rule`` selects the most customers ("" if
    none)

    The same for every exercise of a sandbox, so that the campaign targets the segment built
    in the previous exercise."""
    # Grouped in the database: a base of 100,000 customers gives a few hundred rows.
    rows = (
        _rule_customers(workspace, rule=rule, today=today or timezone.localdate())
        .annotate(
            area=Substr(Coalesce("person__postal_code", "company__postal_code"), 1, AREA_LENGTH)
        )
        .order_by()
        .values("area")
        .annotate(n=Count("pk"))
        .values_list("area", "n")
    )
    counts: Counter = Counter()
    for area, n in rows:
        if len((area or "").strip()) == AREA_LENGTH:
            counts[area] += n
    if not counts:
        return ""
    return min(counts, key=lambda c: (-counts[c], fold(c), c))


def area_exists(workspace, area: str) -> bool:
    return bool(area) and Customer.objects.in_workspace(workspace).filter(_in_area(area)).exists()


def reachable(workspace, pks, channel: str) -> set[int]:
    """Those of ``pks`` whose contact accepts ``channel`` and has an address for it."""
    consent, address = CHANNELS[channel]
    fields = [consent, *address]
    reachable = set()
    rows = (
        Customer.objects.in_workspace(workspace)
        .filter(pk__in=list(pks))
        .values("pk", "person_id", *(f"{c}__{f}" for c in ("person", "company") for f in fields))
    )
    for row in rows:
        contact = "person" if row["person_id"] else "company"
        values = [row[f"{contact}__{f}"] for f in address]
        if row[f"{contact}__{consent}"] and all(_valid_address(channel, v) for v in values):
            reachable.add(row["pk"])
    return reachable


def _valid_address(channel: str, value) -> bool:
    value = (value or "").strip()
    if not value:
        return False
    if channel == "email":
        try:
            validate_email(value)
        except ValidationError:
            return False
    return True


# -- merges ------------------------------------------------------------------------------------


class MergeTally(NamedTuple):
    """The learner's merges against the hidden identities: ``right`` (same person), ``wrong``
    (two people made one), duplicates ``at_start`` of the exercise and ``left`` now."""

    right: int
    wrong: int
    at_start: int
    left: int


def merge_tally(workspace) -> MergeTally:
    """Count the sandbox's live merges as right or wrong by the records' hidden identity
    keys; merges of records typed by the learner (no key) have no truth and do not count."""
    live = Counter(
        dict(
            Customer.objects.in_workspace(workspace)
            .exclude(identity_key="")
            .values_list("identity_key")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("identity_key", "n")
        )
    )
    absorbed: Counter = Counter()
    right = wrong = 0
    merges = CustomerMerge.objects.filter(
        workspace=workspace, survivor__workspace=workspace, undone_at__isnull=True
    ).values_list("absorbed_identity_key", "survivor__identity_key")
    for absorbed_key, survivor_key in merges:
        if not absorbed_key or not survivor_key:
            continue
        absorbed[absorbed_key] += 1
        if absorbed_key == survivor_key:
            right += 1
        else:
            wrong += 1
    keys = set(live) | set(absorbed)
    at_start = sum(max(0, live[k] + absorbed[k] - 1) for k in keys)
    left = sum(max(0, n - 1) for n in live.values())
    return MergeTally(right=right, wrong=wrong, at_start=at_start, left=left)
