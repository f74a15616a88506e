"""Agenda reads: appointments and their occurrences, follow-ups, holidays, all scoped by
workspace and checked against the user's permission."""

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.workspaces.models import Workspace
from relais.crm.agenda import holidays as hol
from relais.crm.agenda import recurrence as rec
from relais.crm.models import Activity, Appointment, Customer
from relais.crm.permissions import Permission
from relais.crm.selectors import customer_list

SIDE_LIST_SIZE = 15


def appointment_get(*, user, workspace: Workspace, appointment_id) -> Appointment:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    public_id = public_id_or_not_found(appointment_id, _("Rendez-vous introuvable."))
    appointment = (
        Appointment.objects.in_workspace(workspace)
        .select_related("customer__person", "customer__company", "owner")
        .filter(public_id=public_id)
        .first()
    )
    if appointment is None:
        raise NotFound(_("Rendez-vous introuvable."))
    return appointment


def appointments_overlapping(
    *,
    user,
    workspace: Workspace,
    start: datetime.datetime,
    end: datetime.datetime,
    owner=None,
) -> QuerySet[Appointment]:
    """Appointments of the workspace that may have an occurrence in ``[start, end)``.

    A series is a candidate when it began before ``end`` and has not ended before ``start``
    (a series ended by a count is checked occurrence by occurrence afterwards).
    """
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    single = Q(recurrence="", starts_at__lt=end, ends_at__gte=start)
    series = (
        ~Q(recurrence="")
        & Q(starts_at__lt=end)
        & (Q(recurrence_until__isnull=True) | Q(recurrence_until__gte=start.date()))
    )
    appointments = (
        Appointment.objects.in_workspace(workspace)
        .filter(single | series)
        .select_related("customer__person", "customer__company", "owner")
    )
    if owner is not None:
        appointments = appointments.filter(owner=owner)
    return appointments


def follow_ups_between(
    *, user, workspace: Workspace, first_day: datetime.date, last_day: datetime.date
) -> QuerySet[Activity]:
    """Activities whose next follow-up falls in ``[first_day, last_day]``."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return (
        Activity.objects.in_workspace(workspace)
        .filter(next_follow_up_on__gte=first_day, next_follow_up_on__lte=last_day)
        .select_related("customer__person", "customer__company")
        .order_by("next_follow_up_on", "id")
    )


def _iso_day(day: datetime.date) -> str:
    return day.isoformat()


def agenda_events(
    *,
    user,
    workspace: Workspace,
    start: datetime.datetime,
    end: datetime.datetime,
    zone: str = hol.DEFAULT_ZONE,
    mine_only: bool = False,
) -> list[dict]:
    """Everything the calendar shows over ``[start, end)``, in FullCalendar's event format:
    appointment occurrences, follow-up tasks, and holidays as background events."""
    can_edit = user.has_role_permission(Permission.CRM_EDIT, workspace=workspace)
    events: list[dict] = []
    appointments = appointments_overlapping(
        user=user, workspace=workspace, start=start, end=end, owner=user if mine_only else None
    )
    for appointment in appointments:
        for occurrence in rec.occurrences(appointment, start=start, end=end):
            events.append(_appointment_event(occurrence, can_edit=can_edit))
    first_day = timezone.localtime(start).date()
    last_day = (timezone.localtime(end) - datetime.timedelta(microseconds=1)).date()
    for activity in follow_ups_between(
        user=user, workspace=workspace, first_day=first_day, last_day=last_day
    ):
        events.append(_follow_up_event(activity))
    for period in hol.public_holidays_between(first_day=first_day, last_day=last_day):
        events.append(_holiday_event(period))
    for period in hol.school_holidays(zone, first_day=first_day, last_day=last_day):
        events.append(_holiday_event(period))
    notice = hol.school_holidays_notice(last_day) if zone else ""
    if notice:
        # Not drawn on the calendar (display "none"): the page lists it under the holidays.
        events.append(
            {
                "id": "school-holidays-notice",
                "title": notice,
                "start": _iso_day(first_day),
                "allDay": True,
                "display": "none",
                "extendedProps": {"kind": "notice"},
            }
        )
    return events


def _appointment_event(occurrence: rec.Occurrence, *, can_edit: bool) -> dict:
    appointment = occurrence.appointment
    day = occurrence.date.isoformat()
    detail = reverse("crm:appointment-detail", kwargs={"appointment_id": appointment.public_id})
    if appointment.all_day:
        start = _iso_day(timezone.localtime(occurrence.starts_at).date())
        # FullCalendar's all-day end is exclusive; the model's last day is inclusive.
        end = _iso_day(timezone.localtime(occurrence.ends_at).date() + datetime.timedelta(1))
    else:
        start = timezone.localtime(occurrence.starts_at).isoformat()
        end = timezone.localtime(occurrence.ends_at).isoformat()
    customer = appointment.customer
    return {
        "id": f"{appointment.public_id}:{day}",
        "title": appointment.title,
        "start": start,
        "end": end,
        "allDay": appointment.all_day,
        "url": f"{detail}?occurrence={day}" if appointment.recurrence else detail,
        "editable": can_edit,
        "classNames": ["relais-appointment"]
        + (["relais-appointment-recurring"] if appointment.recurrence else []),
        "extendedProps": {
            "kind": "appointment",
            "appointmentId": str(appointment.public_id),
            "occurrence": day,
            "recurring": bool(appointment.recurrence),
            "customer": customer.display_name if customer else "",
            "location": appointment.location,
            "moveUrl": reverse(
                "crm:appointment-move", kwargs={"appointment_id": appointment.public_id}
            ),
        },
    }


def _follow_up_event(activity: Activity) -> dict:
    customer = activity.customer
    return {
        "id": f"relance-{activity.public_id}",
        "title": _("Relance : %(customer)s — %(subject)s")
        % {"customer": customer.display_name, "subject": activity.subject},
        "start": _iso_day(activity.next_follow_up_on),
        "allDay": True,
        "url": reverse("crm:activity-edit", kwargs={"activity_id": activity.public_id}),
        "editable": False,
        "classNames": ["relais-follow-up"],
        "extendedProps": {"kind": "follow_up", "customer": customer.display_name},
    }


def _holiday_event(period: hol.HolidayPeriod) -> dict:
    title = period.name
    if period.kind == "school":
        title = _("%(name)s (zone %(zone)s)") % {"name": period.name, "zone": period.zone}
    return {
        "id": f"{period.kind}-{period.zone}-{period.first_day.isoformat()}",
        "title": title,
        "start": _iso_day(period.first_day),
        "end": _iso_day(period.last_day + datetime.timedelta(days=1)),
        "allDay": True,
        "display": "background",
        "classNames": [f"relais-holiday-{period.kind}"],
        "extendedProps": {
            "kind": f"{period.kind}_holiday",
            "lastDay": _iso_day(period.last_day),
        },
    }


def appointments_for_export(*, user, workspace: Workspace) -> QuerySet[Appointment]:
    """The user's own appointments in the workspace, for the iCalendar export."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return (
        Appointment.objects.in_workspace(workspace)
        .filter(owner=user)
        .select_related("customer__person", "customer__company")
        .order_by("starts_at", "id")
    )


def agenda_customers(*, user, workspace: Workspace, query: str = "") -> list[Customer]:
    """The first customers matching ``query`` for the agenda's side list."""
    return list(customer_list(user=user, workspace=workspace, query=query)[: SIDE_LIST_SIZE + 1])
