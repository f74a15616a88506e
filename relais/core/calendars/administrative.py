"""The administrative calendar: Monday to Friday, French public holidays, an organization's
closures, and business hours.

``AdministrativeCalendar`` answers the questions of a public body or an office: is a day
worked, what is the day ``n`` working days after another, how many working days separate two
days, when does a delay of ``h`` business hours end. ``calendar_for_organization`` builds the
calendar of one organization with its ``Closure`` rows.

Conventions (the tests hold them):

* ``add_working_days(day, n)``: for ``n > 0`` the ``n``-th working day strictly after
  ``day`` (Friday + 1 = Monday, whatever ``day`` is); for ``n < 0`` the ``|n|``-th working
  day strictly before it; ``n == 0`` returns ``day`` unchanged, worked or not.
* ``working_days_between(start, end)``: the working days after ``start`` up to and including
  ``end`` — the length of a delay in working days (a request filed on Friday and answered on
  Tuesday took 2 working days). Antisymmetric: ``working_days_between(a, b) ==
  -working_days_between(b, a)``, 0 when ``a == b``. For any day ``d`` and ``n >= 0``,
  ``working_days_between(d, add_working_days(d, n)) == n``; for ``n < 0`` the same holds
  when ``d`` is a working day.
* ``add_business_hours(moment, hours)``: ``moment`` must be timezone-aware; business time is
  counted in the calendar's time zone (Europe/Paris) period by period, and the arithmetic is
  done in UTC, so a daylight-saving change does not add or lose an hour. A moment outside
  business hours starts at the next opening; a delay ending exactly at a closing time ends
  there (17:00, not 08:30 the next working day). ``hours`` is non-negative; 0 returns
  ``moment`` unchanged (in the calendar's time zone).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from relais.core.calendars.holidays import is_public_holiday, public_holidays

ONE_DAY = datetime.timedelta(days=1)
PARIS = "Europe/Paris"
# Opening periods of a working day, local time.
DEFAULT_HOURS = (
    (datetime.time(8, 30), datetime.time(12, 0)),
    (datetime.time(13, 30), datetime.time(17, 0)),
)
FRIDAY = 4


@dataclass(frozen=True)
class AdministrativeCalendar:
    """Monday to Friday, without French public holidays (plus the Alsace-Moselle days with
    ``alsace_moselle``) and without ``closures`` (pairs of first and last closed day), open
    during ``hours`` (pairs of local opening and closing times, in order) in ``time_zone``."""

    alsace_moselle: bool = False
    closures: tuple[tuple[datetime.date, datetime.date], ...] = ()
    hours: tuple[tuple[datetime.time, datetime.time], ...] = DEFAULT_HOURS
    time_zone: str = PARIS
    _closed: frozenset[datetime.date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        closures = tuple((start, end) for start, end in self.closures)
        hours = tuple((start, end) for start, end in self.hours)
        previous_end = None
        for start, end in hours:
            if start >= end or (previous_end is not None and start < previous_end):
                raise ValueError(
                    "Business hours must be (opening, closing) pairs, in order, without overlap."
                )
            previous_end = end
        if not hours:
            raise ValueError("A calendar needs at least one opening period.")
        closed = set()
        for start, end in closures:
            day = start
            while day <= end:
                closed.add(day)
                day += ONE_DAY
        object.__setattr__(self, "closures", closures)
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "_closed", frozenset(closed))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    # --- days ---------------------------------------------------------------------------------

    def holidays(self, year: int) -> dict[datetime.date, str]:
        """The public holidays of ``year`` this calendar observes, day -> French name."""
        return public_holidays(year, alsace_moselle=self.alsace_moselle)

    def is_working_day(self, day: datetime.date) -> bool:
        """Monday to Friday, not a public holiday, not closed."""
        return (
            day.weekday() <= FRIDAY
            and not is_public_holiday(day, alsace_moselle=self.alsace_moselle)
            and day not in self._closed
        )

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def previous_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The ``n``-th working day after ``day`` (before it for ``n < 0``); ``day`` for 0."""
        step = ONE_DAY if n > 0 else -ONE_DAY
        left = abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (``start``, ``end``]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    # --- hours --------------------------------------------------------------------------------

    def _periods(self, day: datetime.date):
        """The opening periods of a working day as (start, end) in UTC."""
        zone = self.zone
        for opening, closing in self.hours:
            yield (
                datetime.datetime.combine(day, opening, tzinfo=zone).astimezone(datetime.UTC),
                datetime.datetime.combine(day, closing, tzinfo=zone).astimezone(datetime.UTC),
            )

    def is_business_time(self, moment: datetime.datetime) -> bool:
        """Whether the office is open at ``moment`` (opening included, closing excluded)."""
        instant = _aware(moment).astimezone(datetime.UTC)
        day = instant.astimezone(self.zone).date()
        if not self.is_working_day(day):
            return False
        return any(start <= instant < end for start, end in self._periods(day))

    def add_business_hours(
        self, moment: datetime.datetime, hours: float | Decimal | datetime.timedelta
    ) -> datetime.datetime:
        """The moment ``hours`` business hours after ``moment``, in the calendar's zone."""
        remaining = _duration(hours)
        cursor = _aware(moment).astimezone(datetime.UTC)
        if not remaining:
            return cursor.astimezone(self.zone)
        day = cursor.astimezone(self.zone).date()
        while True:
            if self.is_working_day(day):
                for start, end in self._periods(day):
                    if cursor >= end:
                        continue
                    cursor = max(cursor, start)
                    available = end - cursor
                    if remaining <= available:
                        return (cursor + remaining).astimezone(self.zone)
                    remaining -= available
                    cursor = end
            day += ONE_DAY


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime) or moment.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required.")
    return moment


def _duration(hours) -> datetime.timedelta:
    duration = hours if isinstance(hours, datetime.timedelta) else _hours(hours)
    if duration < datetime.timedelta(0):
        raise ValueError("Business hours to add must not be negative.")
    return duration


def _hours(hours) -> datetime.timedelta:
    return datetime.timedelta(seconds=round(Decimal(str(hours)) * 3600))


def calendar_for_organization(
    organization,
    *,
    alsace_moselle: bool = False,
    hours: Iterable[tuple[datetime.time, datetime.time]] = DEFAULT_HOURS,
) -> AdministrativeCalendar:
    """The administrative calendar of ``organization``: its ``Closure`` days are not worked.

    No access check: closures are not confidential, and callers have checked who may act on
    the organization's behalf. One query.
    """
    from relais.core.calendars.models import Closure

    closures = Closure.objects.filter(organization=organization).values_list("start", "end")
    return AdministrativeCalendar(
        alsace_moselle=alsace_moselle, closures=tuple(closures), hours=tuple(hours)
    )
