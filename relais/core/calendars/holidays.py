"""French public holidays, from the ``holidays`` package, named in French.

Metropolitan France by default; with ``alsace_moselle=True`` the two extra days of the
Bas-Rhin, Haut-Rhin and Moselle (Good Friday and St Stephen's Day, 26 December) as well.
School holidays are another matter (``relais.crm.agenda.holidays``).
"""

from datetime import date
from functools import cache

import holidays as _holidays

# The ``holidays`` package's subdivision carrying the Alsace-Moselle local law days.
ALSACE_MOSELLE_SUBDIVISION = "57"


@cache
def _holidays_of(year: int, alsace_moselle: bool) -> dict[date, str]:
    subdivision = ALSACE_MOSELLE_SUBDIVISION if alsace_moselle else None
    calendar = _holidays.country_holidays("FR", subdiv=subdivision, years=year, language="fr")
    return dict(sorted(calendar.items()))


def public_holidays(year: int, *, alsace_moselle: bool = False) -> dict[date, str]:
    """The French public holidays of ``year``, day -> French name, in date order:
    metropolitan France, plus Good Friday and 26 December with ``alsace_moselle``."""
    return dict(_holidays_of(year, alsace_moselle))  # a copy: the cached one is shared


def is_public_holiday(day: date, *, alsace_moselle: bool = False) -> bool:
    """Whether ``day`` is a French public holiday (see ``public_holidays``)."""
    return day in _holidays_of(day.year, alsace_moselle)
