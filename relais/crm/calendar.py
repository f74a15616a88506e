"""Working days of a French dealership: every day but Sundays and public holidays.

Dealers open on Saturdays, unlike offices (``relais.core.calendars.AdministrativeCalendar``).
Public holidays are those of metropolitan France (without the Alsace-Moselle extras), from
core's ``public_holidays``. The generator of school databases uses this module so that no
appointment, workshop visit or invoice falls on a day the dealership is closed.
"""

from datetime import date, timedelta

from relais.core.calendars import is_public_holiday, public_holidays

__all__ = ["is_working_day", "next_working_day", "previous_working_day", "public_holidays"]

SUNDAY = 6


def is_working_day(day: date) -> bool:
    """Whether the dealership is open on ``day``: not a Sunday, not a public holiday."""
    return day.weekday() != SUNDAY and not is_public_holiday(day)


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
