"""Working days of a French dealership: every day but Sundays and public holidays.

Public holidays are those of metropolitan France (without the Alsace-Moselle extras), from
the ``holidays`` package, named in French. The generator of school databases uses this module
so that no appointment, workshop visit or invoice falls on a day the dealership is closed.
"""

from datetime import date, timedelta
from functools import cache

import holidays as _holidays

SUNDAY = 6


@cache
def _holidays_of(year: int) -> dict[date, str]:
    calendar = _holidays.country_holidays("FR", years=year, language="fr")
    return dict(sorted(calendar.items()))


def public_holidays(year: int) -> dict[date, str]:
    """The French public holidays of ``year`` (metropolitan France), day -> French name."""
    return dict(_holidays_of(year))  # a copy: the cached one is shared


def is_working_day(day: date) -> bool:
    """Whether the dealership is open on ``day``: not a Sunday, not a public holiday."""
    return day.weekday() != SUNDAY and day not in _holidays_of(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day
