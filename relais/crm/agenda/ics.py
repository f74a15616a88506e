"""iCalendar (RFC 5545) export of appointments, with RRULE and EXDATE for series."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from relais.crm.agenda import recurrence as rec
from relais.crm.models import Appointment

PRODID = "-//Relais//Agenda//FR"
FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def appointment_event(appointment: Appointment, *, domain: str) -> Event:
    event = Event()
    event.add("uid", f"{appointment.public_id}@{domain}")
    event.add("dtstamp", appointment.updated_at.astimezone(datetime.UTC))
    event.add("created", appointment.created_at.astimezone(datetime.UTC))
    event.add("last-modified", appointment.updated_at.astimezone(datetime.UTC))
    event.add("summary", appointment.title)
    if appointment.all_day:
        first = _local(appointment.starts_at).date()
        event.add("dtstart", first)
        # DTEND of an all-day event is exclusive.
        event.add("dtend", _local(appointment.ends_at).date() + datetime.timedelta(days=1))
    else:
        event.add("dtstart", _local(appointment.starts_at))
        event.add("dtend", _local(appointment.ends_at))
    if appointment.location:
        event.add("location", appointment.location)
    description = appointment.notes
    if appointment.customer_id:
        label = f"Client : {appointment.customer.display_name}"
        description = f"{label}\n{description}" if description else label
    if description:
        event.add("description", description)
    if appointment.recurrence:
        rule = {"FREQ": FREQ[appointment.recurrence]}
        if appointment.recurrence_interval and appointment.recurrence_interval > 1:
            rule["INTERVAL"] = appointment.recurrence_interval
        if appointment.recurrence_count:
            rule["COUNT"] = appointment.recurrence_count
        elif appointment.recurrence_until:
            if appointment.all_day:
                rule["UNTIL"] = appointment.recurrence_until
            else:
                # With a zoned DTSTART, RFC 5545 wants UNTIL in UTC: the end of the local day.
                end_of_day = timezone.make_aware(
                    datetime.datetime.combine(appointment.recurrence_until, datetime.time.max)
                ).replace(microsecond=0)
                rule["UNTIL"] = end_of_day.astimezone(datetime.UTC)
        event.add("rrule", vRecur(rule))
        start_time = _local(appointment.starts_at).timetz()
        for day in sorted(rec.exception_dates(appointment)):
            if appointment.all_day:
                event.add("exdate", day)
            else:
                naive = datetime.datetime.combine(day, start_time.replace(tzinfo=None))
                event.add("exdate", timezone.make_aware(naive))
    return event


def calendar_for(appointments, *, name: str, domain: str = "relais") -> bytes:
    """The ``.ics`` bytes of ``appointments``, time zones included (VTIMEZONE)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(timezone.get_current_timezone()))
    for appointment in appointments:
        calendar.add_component(appointment_event(appointment, domain=domain))
    calendar.add_missing_timezones()
    return calendar.to_ical()
