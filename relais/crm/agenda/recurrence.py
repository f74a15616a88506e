"""Occurrences of an appointment over a period, computed with dateutil's ``rrule``.

A recurring appointment is one row. Its occurrences are expanded on the wall clock of the
project's time zone (Europe/Paris): a meeting at 10:00 every week stays at 10:00 across the
daylight-saving changes, as a person expects, rather than drifting by an hour as a fixed UTC
step would. ``recurrence_exceptions`` lists the local dates of cancelled occurrences.
"""

import datetime
from dataclasses import dataclass

from dateutil import rrule
from django.utils import timezone

from relais.crm.models import Appointment, Recurrence

FREQUENCIES = {
    Recurrence.DAILY: rrule.DAILY,
    Recurrence.WEEKLY: rrule.WEEKLY,
    Recurrence.MONTHLY: rrule.MONTHLY,
}
# A series without end is expanded lazily; this bounds the work of one period's expansion.
MAX_OCCURRENCES_PER_PERIOD = 1000


@dataclass(frozen=True)
class Occurrence:
    appointment: Appointment
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def date(self) -> datetime.date:
        """The local date that names this occurrence (the key of an exception)."""
        return timezone.localtime(self.starts_at).date()


def _local_naive(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def _aware(naive: datetime.datetime) -> datetime.datetime:
    # zoneinfo resolves a wall-clock time that falls in the spring-forward gap or the
    # autumn overlap with fold=0: the earlier offset, a valid instant either way.
    return naive.replace(tzinfo=timezone.get_current_timezone())


def exception_dates(appointment: Appointment) -> set[datetime.date]:
    dates = set()
    for value in appointment.recurrence_exceptions or []:
        try:
            dates.add(datetime.date.fromisoformat(str(value)))
        except ValueError:
            continue  # the service never stores one; an odd import must not break the agenda
    return dates


def rule_for(appointment: Appointment) -> rrule.rrule | None:
    """The ``rrule`` of a recurring appointment on local wall-clock times, or ``None``."""
    if not appointment.recurrence:
        return None
    until = None
    if appointment.recurrence_until:
        # The "until" date is inclusive: any occurrence starting that day counts.
        until = datetime.datetime.combine(appointment.recurrence_until, datetime.time.max)
    return rrule.rrule(
        FREQUENCIES[appointment.recurrence],
        dtstart=_local_naive(appointment.starts_at),
        interval=max(1, appointment.recurrence_interval or 1),
        until=until,
        count=appointment.recurrence_count or None,
    )


def occurrences(
    appointment: Appointment,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[Occurrence]:
    """Occurrences of ``appointment`` overlapping ``[start, end)``, cancelled ones left out.

    An occurrence keeps the wall-clock duration of the first one (a monthly 10:00-11:00
    meeting is 10:00-11:00 every month, whatever the DST offset).
    """
    duration = _local_naive(appointment.ends_at) - _local_naive(appointment.starts_at)
    skipped = exception_dates(appointment)
    window_start = _local_naive(start) - duration
    window_end = _local_naive(end)
    found: list[Occurrence] = []
    rule = rule_for(appointment)
    if rule is None:
        candidates = [_local_naive(appointment.starts_at)]
    else:
        candidates = rule.between(window_start, window_end, inc=True)
    for local_start in candidates[:MAX_OCCURRENCES_PER_PERIOD]:
        if local_start.date() in skipped:
            continue
        occurrence = Occurrence(
            appointment=appointment,
            starts_at=_aware(local_start),
            ends_at=_aware(local_start + duration),
        )
        if occurrence.starts_at < end and (
            occurrence.ends_at > start
            # A zero-length appointment still shows at its instant.
            or (occurrence.ends_at == occurrence.starts_at and occurrence.starts_at >= start)
        ):
            found.append(occurrence)
    return found


def occurrence_on(appointment: Appointment, day: datetime.date) -> Occurrence | None:
    """The occurrence of ``appointment`` that starts on the local date ``day``, if any."""
    if day in exception_dates(appointment):
        return None
    start = _aware(datetime.datetime.combine(day, datetime.time.min))
    end = _aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    for occurrence in occurrences(appointment, start=start, end=end):
        if occurrence.date == day:
            return occurrence
    return None


def upcoming(appointment: Appointment, *, after: datetime.datetime, limit: int = 10) -> list:
    """The next ``limit`` occurrences starting at or after ``after``."""
    duration = _local_naive(appointment.ends_at) - _local_naive(appointment.starts_at)
    skipped = exception_dates(appointment)
    threshold = _local_naive(after)
    rule = rule_for(appointment)
    if rule is None:
        starts = iter([_local_naive(appointment.starts_at)])
    else:
        starts = rule.xafter(threshold, inc=True)
    result = []
    for local_start in starts:
        if len(result) >= limit:
            break
        if local_start < threshold or local_start.date() in skipped:
            continue
        result.append(
            Occurrence(
                appointment=appointment,
                starts_at=_aware(local_start),
                ends_at=_aware(local_start + duration),
            )
        )
    return result


def last_occurrence_date(appointment: Appointment) -> datetime.date | None:
    """The local date of the series' last occurrence, ``None`` when the series never ends."""
    rule = rule_for(appointment)
    if rule is None:
        return timezone.localtime(appointment.starts_at).date()
    if not appointment.recurrence_until and not appointment.recurrence_count:
        return None
    starts = list(rule)
    return starts[-1].date() if starts else None
