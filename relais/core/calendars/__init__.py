"""Calendars: French public holidays and the administrative calendar (Monday to Friday,
closures per organization, business hours). See ``administrative`` for the conventions.

The dealership's Monday-to-Saturday calendar lives with the CRM (``relais.crm.calendar``);
school holidays with the agenda (``relais.crm.agenda.holidays``).
"""

from relais.core.calendars.administrative import (
    DEFAULT_HOURS,
    AdministrativeCalendar,
    calendar_for_organization,
)
from relais.core.calendars.holidays import is_public_holiday, public_holidays

__all__ = [
    "DEFAULT_HOURS",
    "AdministrativeCalendar",
    "calendar_for_organization",
    "is_public_holiday",
    "public_holidays",
]
