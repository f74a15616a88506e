"""French school holidays by zone and public holidays, as periods for the agenda.

School holidays come from the ``vacances-scolaires-france`` package (MIT), a maintained data
set of the Ministry of Education's calendar shipped inside the package, so the agenda works
offline. Public holidays come from ``relais.core.calendars`` (the ``holidays`` package).
"""

import datetime
import logging
from dataclasses import dataclass
from functools import cache

from django.utils import formats
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from vacances_scolaires_france import SchoolHolidayDates

from relais.core.calendars import public_holidays

ZONES = ("A", "B", "C")
ZONE_CHOICES = [
    ("A", _("Zone A")),
    ("B", _("Zone B")),
    ("C", _("Zone C")),
    ("", _("Aucune (masquer les vacances scolaires)")),
]
# No organisation-wide setting says where a dealership is; zone C (Paris, Île-de-France,
# Occitanie) is the largest and the default until the user picks another one.
DEFAULT_ZONE = "C"

_NAMES = {
    "Vacances de Noël": _("Vacances de Noël"),
    "Vacances d'hiver": _("Vacances d'hiver"),
    "Vacances de printemps": _("Vacances de printemps"),
    "Vacances d'été": _("Vacances d'été"),
    "Vacances de la Toussaint": _("Vacances de la Toussaint"),
    "Pont de l'Ascension": _("Pont de l'Ascension"),
}


@dataclass(frozen=True)
class HolidayPeriod:
    """Consecutive days off, ``last_day`` included."""

    kind: str  # "school" or "public"
    name: str
    first_day: datetime.date
    last_day: datetime.date
    zone: str = ""


logger = logging.getLogger(__name__)
# How an administrator brings the school calendar up to date (the data ships in the package).
UPDATE_COMMAND = "pip install --upgrade vacances-scolaires-france"


@cache
def _school_days() -> dict[datetime.date, dict]:
    # Parsing the package's CSV once per process: ~14,000 rows, a few milliseconds.
    return SchoolHolidayDates().data


def school_holidays_known_until() -> datetime.date:
    """The last day the installed school calendar covers (the end of its last school year)."""
    return max(_school_days())


def school_holidays_notice(last_day: datetime.date) -> str:
    """A French notice when ``last_day`` is past the installed school calendar, saying how
    to update it ("" when the calendar covers it)."""
    known_until = school_holidays_known_until()
    if last_day <= known_until:
        return ""
    return gettext_now(
        "Vacances scolaires inconnues après le %(day)s : le calendrier installé s'arrête là. "
        "Pour le mettre à jour, un administrateur lance « %(command)s » puis redémarre Relais."
    ) % {"day": formats.date_format(known_until, "SHORT_DATE_FORMAT"), "command": UPDATE_COMMAND}


@cache
def _log_outdated(known_until: datetime.date) -> None:
    # Once per process: the agenda asks for every period a user displays.
    logger.warning(
        "Calendrier des vacances scolaires connu jusqu'au %s seulement : lancez « %s » "
        "puis redémarrez Relais.",
        known_until.strftime("%d/%m/%Y"),
        UPDATE_COMMAND,
    )


def school_holidays(
    zone: str, *, first_day: datetime.date, last_day: datetime.date
) -> list[HolidayPeriod]:
    """School holiday periods of ``zone`` that touch ``[first_day, last_day]``, each whole.

    Days past the installed calendar give no period (nothing is guessed): the periods it
    knows are returned, and the log says once how to update it (``school_holidays_notice``
    says it to the user).
    """
    if zone not in ZONES:
        return []
    if last_day > school_holidays_known_until():
        _log_outdated(school_holidays_known_until())
    key = f"vacances_zone_{zone.lower()}"
    days = _school_days()
    # Widen the window so that a period crossing its bounds is reported whole.
    margin = datetime.timedelta(days=80)
    periods: list[HolidayPeriod] = []
    day = first_day - margin
    current: list = []  # [name, first, last]
    while day <= last_day + margin:
        row = days.get(day)
        name = row["nom_vacances"] if row and row[key] else None
        if name and current and current[0] == name and current[2] == day - datetime.timedelta(1):
            current[2] = day
        else:
            if current:
                periods.append(_period(current, zone))
            current = [name, day, day] if name else []
        day += datetime.timedelta(days=1)
    if current:
        periods.append(_period(current, zone))
    return [p for p in periods if p.last_day >= first_day and p.first_day <= last_day]


def _period(current: list, zone: str) -> HolidayPeriod:
    name, first, last = current
    return HolidayPeriod(
        kind="school", name=str(_NAMES.get(name, name)), first_day=first, last_day=last, zone=zone
    )


def public_holidays_between(
    *, first_day: datetime.date, last_day: datetime.date
) -> list[HolidayPeriod]:
    """French public holidays (metropolitan France) from ``first_day`` to ``last_day``."""
    found = []
    for year in range(first_day.year, last_day.year + 1):
        for day, name in public_holidays(year).items():
            if first_day <= day <= last_day:
                found.append(HolidayPeriod(kind="public", name=name, first_day=day, last_day=day))
    return found
