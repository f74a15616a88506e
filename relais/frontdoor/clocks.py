"""Deadlines and legal clocks of the front door, on the kernel's administrative calendar.

Two kinds of delays:

* **Commitments** (Services Publics+): acknowledgement of receipt, first answer and
  resolution, in working days of the body's calendar (Monday to Friday, French public
  holidays, the organization's closures), per channel and priority (``Commitment`` rows,
  else ``DEFAULT_COMMITMENTS``). A delay of ``n`` working days from a request received on
  day ``d`` ends on ``calendar.add_working_days(d, n)``.
* **The two CRPA clocks** (code des relations entre le public et l'administration):
  L114-3 — the implicit *rejection* delay runs from receipt by the body first seized (the
  request's ``received_at``), the implicit *acceptance* delay only from receipt by the
  competent body (the ``received_at`` of the assignment of the body that takes the request
  in charge). Both last ``network.implicit_decision_months`` months (L231-1: two months).
  A delay in months ends on the same day number (the month's last day when it has fewer
  days); one ending on a Saturday, a Sunday, a public holiday or a closed day is extended
  to the next working day (the rule of article 642 of the code of civil procedure).
  L114-2: a body that is not competent transmits the request; ``transfer_delay_days``
  (working days, per network) bounds how long a body may hold a request without deciding.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.calendars import AdministrativeCalendar, calendar_for_organization
from relais.frontdoor.models import ELECTRONIC_CHANNELS, Commitment, Priority, RequestChannel

# Acknowledgement within one week electronically, two weeks by post (Services Publics+),
# i.e. five and ten working days; phone and counter as electronic.
ACKNOWLEDGEMENT_DAYS = {"electronic": 5, "post": 10}
# (first answer, resolution) in working days, per priority.
DEFAULT_COMMITMENTS = {
    Priority.NORMAL: (10, 30),
    Priority.HIGH: (5, 15),
    Priority.CRITICAL: (1, 5),
}
PARIS = "Europe/Paris"


@dataclass(frozen=True)
class Delays:
    acknowledgement: int
    first_answer: int
    resolution: int


def network_calendar() -> AdministrativeCalendar:
    """The calendar used before any body holds a request: national, no closures."""
    return AdministrativeCalendar()


def body_calendar(body) -> AdministrativeCalendar:
    """The body's calendar: its organization's closures, Alsace-Moselle days if set."""
    return calendar_for_organization(body.organization, alsace_moselle=body.alsace_moselle)


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, timezone=_zone()).date()


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(PARIS)


def delays_for(body, channel: str, priority: str) -> Delays:
    """The body's committed delays for ``channel`` and ``priority`` (working days)."""
    ack_default = ACKNOWLEDGEMENT_DAYS["post" if channel == RequestChannel.LETTER else "electronic"]
    first, resolution = DEFAULT_COMMITMENTS.get(priority, DEFAULT_COMMITMENTS[Priority.NORMAL])
    if body is None:
        return Delays(ack_default, first, resolution)
    rows = {
        row.channel: row
        for row in Commitment.objects.filter(
            body=body, priority=priority, channel__in=[channel, ""]
        )
    }
    row = rows.get(channel) or rows.get("")
    if row is None:
        return Delays(ack_default, first, resolution)
    return Delays(row.acknowledgement_days, row.first_answer_days, row.resolution_days)


def add_working_days(
    calendar: AdministrativeCalendar, moment: datetime.datetime, days: int
) -> datetime.date:
    """The day ``days`` working days after the local day of ``moment``."""
    return calendar.add_working_days(local_date(moment), days)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day number ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def implicit_decision_date(
    calendar: AdministrativeCalendar, received_at: datetime.datetime, months: int
) -> datetime.date:
    """When the silence kept since ``received_at`` becomes an implicit decision: ``months``
    months later, extended to the next working day of ``calendar``."""
    return calendar.next_working_day(add_months(local_date(received_at), months))


def is_electronic(channel: str) -> bool:
    return channel in ELECTRONIC_CHANNELS


@dataclass(frozen=True)
class Clock:
    """One deadline as a referent sees it."""

    key: str
    label: str
    started_at: datetime.datetime | None
    due: datetime.date | None
    met_at: datetime.datetime | None
    remaining: int | None  # working days from today; negative when overdue
    legal: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        if self.due is None:
            return "none"
        if self.met_at is not None:
            return "met" if local_date(self.met_at) <= self.due else "met_late"
        if self.remaining is not None and self.remaining < 0:
            return "overdue"
        return "running"

    @property
    def status_label(self) -> str:
        return str(
            {
                "none": _("sans échéance"),
                "met": _("respecté"),
                "met_late": _("respecté en retard"),
                "overdue": _("dépassé"),
                "running": _("en cours"),
            }[self.status]
        )

    @property
    def overdue_days(self) -> int:
        return -self.remaining if self.remaining and self.remaining < 0 else 0


def remaining_working_days(
    calendar: AdministrativeCalendar, due: datetime.date | None, today: datetime.date | None = None
) -> int | None:
    """Working days left until ``due`` (0 on the day itself, negative once past)."""
    if due is None:
        return None
    today = today or local_date(timezone.now())
    return calendar.working_days_between(today, due)


def request_clocks(request, assignments=None, today: datetime.date | None = None) -> list[Clock]:
    """The request's clocks: acknowledgement, first answer, resolution, the CRPA rejection
    clock, and per body the decision (transfer) delay and the CRPA acceptance clock."""
    first_calendar = body_calendar(request.first_body) if request.first_body_id else None
    calendar = first_calendar or network_calendar()
    if assignments is None:
        assignments = list(request.assignments.select_related("body__organization"))
    closed = request.closed_at
    clocks = [
        Clock(
            "acknowledgement",
            str(_("Accusé de réception")),
            request.received_at,
            request.acknowledgement_due,
            request.acknowledged_at,
            _left(calendar, request.acknowledgement_due, request.acknowledged_at, today),
        ),
        Clock(
            "first_answer",
            str(_("Première réponse")),
            request.received_at,
            request.first_answer_due,
            request.first_answered_at,
            _left(calendar, request.first_answer_due, request.first_answered_at, today),
        ),
        Clock(
            "resolution",
            str(_("Résolution")),
            request.received_at,
            request.resolution_due,
            closed,
            _left(calendar, request.resolution_due, closed, today),
        ),
        Clock(
            "rejection",
            str(
                _(
                    "Délai de rejet implicite (CRPA L114-3), depuis la réception par le premier organisme"
                )
            ),
            request.received_at,
            request.rejection_deadline,
            request.first_answered_at,
            _left(calendar, request.rejection_deadline, request.first_answered_at, today),
            legal=True,
        ),
    ]
    for assignment in assignments:
        cal = body_calendar(assignment.body)
        decided = assignment.decided_at
        clocks.append(
            Clock(
                f"decision-{assignment.pk}",
                str(_("Prise en charge ou transmission par %(body)s (CRPA L114-2)"))
                % {"body": assignment.body.name},
                assignment.received_at,
                assignment.decision_due,
                decided,
                _left(cal, assignment.decision_due, decided, today),
            )
        )
        if assignment.acceptance_deadline:
            clocks.append(
                Clock(
                    f"acceptance-{assignment.pk}",
                    str(
                        _(
                            "Délai d'acceptation implicite (CRPA L114-3), depuis la "
                            "réception par %(body)s, organisme compétent"
                        )
                    )
                    % {"body": assignment.body.name},
                    assignment.received_at,
                    assignment.acceptance_deadline,
                    assignment.answered_at,
                    _left(cal, assignment.acceptance_deadline, assignment.answered_at, today),
                    legal=True,
                )
            )
    return clocks


def _left(calendar, due, met_at, today):
    if met_at is not None:
        return None
    return remaining_working_days(calendar, due, today)
