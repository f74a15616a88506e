"""Actions on appointments: create, reschedule (a whole series or one occurrence), cancel
one occurrence, delete. Each validates with French messages and keeps the customer's history
(the interaction log) in step."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.exceptions import AccessDenied
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import (
    erase_for_source,
    forget_source,
    record,
    sync_for_source,
)
from relais.crm.agenda import recurrence as rec
from relais.crm.interaction_events import APPOINTMENT_SCHEDULED
from relais.crm.models import Appointment, AppointmentSource, Customer
from relais.crm.permissions import Permission

# Fields a form or a drag may change; ``owner``, ``workspace`` and ``source`` are set here.
APPOINTMENT_FIELDS = {
    "title",
    "customer",
    "starts_at",
    "ends_at",
    "all_day",
    "location",
    "notes",
    "recurrence",
    "recurrence_interval",
    "recurrence_until",
    "recurrence_count",
    "recurrence_exceptions",
}
MAX_DURATION = datetime.timedelta(days=31)
# Far-off years are typing mistakes, and near year 9999 date arithmetic overflows.
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_INTERVAL = 99
MAX_COUNT = 500
SERIES = "series"
OCCURRENCE = "occurrence"
DEFAULT_DURATION = datetime.timedelta(hours=1)


def _clean(appointment: Appointment) -> None:
    """Validate ``appointment`` as a whole; French messages on the fields concerned."""
    errors: dict[str, list[str]] = {}
    if appointment.title is not None:
        appointment.title = appointment.title.strip()
    for name in ("starts_at", "ends_at"):
        moment = getattr(appointment, name)
        if moment and not MIN_YEAR <= moment.year <= MAX_YEAR:
            errors[name] = [
                _("La date doit être comprise entre %(min)d et %(max)d.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            ]
    if errors:
        raise ValidationError(errors)
    if appointment.starts_at and appointment.ends_at:
        if appointment.all_day:
            # An all-day appointment covers whole local days, from midnight to midnight.
            first = timezone.localtime(appointment.starts_at).date()
            last = timezone.localtime(appointment.ends_at).date()
            if last < first:
                errors["ends_at"] = [_("La fin ne peut pas précéder le début.")]
            else:
                appointment.starts_at = _midnight(first)
                appointment.ends_at = _midnight(last)
        elif appointment.ends_at <= appointment.starts_at:
            errors["ends_at"] = [_("La fin du rendez-vous doit être postérieure à son début.")]
        if appointment.ends_at - appointment.starts_at > MAX_DURATION:
            errors.setdefault("ends_at", []).append(
                _("Un rendez-vous ne peut pas durer plus de 31 jours.")
            )
    if not appointment.recurrence:
        appointment.recurrence_interval = 1
        appointment.recurrence_until = None
        appointment.recurrence_count = None
        appointment.recurrence_exceptions = []
    else:
        interval = appointment.recurrence_interval or 0
        if not 1 <= interval <= MAX_INTERVAL:
            errors["recurrence_interval"] = [
                _("L'intervalle doit être compris entre 1 et %(max)d.") % {"max": MAX_INTERVAL}
            ]
        if appointment.recurrence_until and appointment.recurrence_count:
            errors["recurrence_count"] = [
                _("Choisissez une date de fin ou un nombre d'occurrences, pas les deux.")
            ]
        if appointment.recurrence_count is not None and not (
            1 <= appointment.recurrence_count <= MAX_COUNT
        ):
            errors.setdefault("recurrence_count", []).append(
                _("Le nombre d'occurrences doit être compris entre 1 et %(max)d.")
                % {"max": MAX_COUNT}
            )
        if (
            appointment.recurrence_until
            and appointment.starts_at
            and appointment.recurrence_until < timezone.localtime(appointment.starts_at).date()
        ):
            errors["recurrence_until"] = [
                _("La date de fin de la répétition précède le premier rendez-vous.")
            ]
        if (
            appointment.ends_at
            and appointment.starts_at
            and appointment.recurrence == "daily"
            and appointment.ends_at - appointment.starts_at > datetime.timedelta(days=interval or 1)
        ):
            errors.setdefault("ends_at", []).append(
                _("Un rendez-vous quotidien ne peut pas durer plus longtemps que l'intervalle.")
            )
        appointment.recurrence_exceptions = _clean_exceptions(
            appointment.recurrence_exceptions, errors
        )
    if appointment.customer_id and appointment.customer.workspace_id != appointment.workspace_id:
        errors["customer"] = [_("Ce client n'appartient pas à cet espace de travail.")]
    if errors:
        raise ValidationError(errors)
    appointment.full_clean(exclude=["workspace", "customer", "owner"])


def _clean_exceptions(values, errors) -> list[str]:
    if not isinstance(values, list):
        errors["recurrence_exceptions"] = [_("Les exceptions doivent être une liste de dates.")]
        return []
    dates = set()
    for value in values:
        try:
            dates.add(datetime.date.fromisoformat(str(value)))
        except ValueError:
            errors["recurrence_exceptions"] = [
                _("« %(value)s » n'est pas une date valide.") % {"value": str(value)[:20]}
            ]
    if len(dates) > MAX_COUNT:
        errors["recurrence_exceptions"] = [_("Trop d'occurrences annulées.")]
    return [d.isoformat() for d in sorted(dates)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _interaction_fields(appointment: Appointment) -> dict:
    return {
        "channel": Channel.APPOINTMENT,
        "direction": Direction.OUTBOUND,
        "topic": appointment.title,
        "summary": appointment.notes,
        "started_at": appointment.starts_at,
        "ended_at": appointment.ends_at,
        "actor": appointment.owner,
        "outcome": "",
    }


def _record(appointment: Appointment) -> None:
    """Put an appointment with a customer into the customer's history."""
    customer = appointment.customer
    if customer is None:
        return
    record(
        workspace=appointment.workspace,
        event_code=APPOINTMENT_SCHEDULED,
        source=appointment,
        person=customer.person,
        company=customer.company,
        **_interaction_fields(appointment),
    )


def _ensure_can_edit(actor, appointment: Appointment) -> None:
    if actor is not None:
        ensure_permission(actor, Permission.CRM_EDIT, appointment.workspace)


@transaction.atomic
def appointment_create(
    *,
    actor,
    workspace,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    customer: Customer | None = None,
    source: str = AppointmentSource.MANUAL,
    owner=None,
    **details,
) -> Appointment:
    """Create an appointment in ``workspace``; ``details`` are further model fields
    (location, notes, all_day, recurrence…). The actor owns it (``owner`` when given). With a
    customer, the appointment enters the customer's history.

    ``actor`` may be ``None`` for an appointment booked by the campaign simulator, which has
    checked access itself and names its ``owner`` (so that it reaches someone's .ics).
    """
    if actor is not None:
        ensure_permission(actor, Permission.CRM_EDIT, workspace)
    unknown = set(details) - APPOINTMENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown appointment fields: {sorted(unknown)}")
    appointment = Appointment(
        workspace=workspace,
        owner=owner if owner is not None else actor,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        customer=customer,
        source=source,
        **details,
    )
    _clean(appointment)
    appointment.save()
    _record(appointment)
    return appointment


def customer_appointment_title(customer: Customer) -> str:
    return _("Rendez-vous avec %(customer)s") % {"customer": customer.display_name}


def appointment_book_customer(
    *, actor, workspace, customer: Customer, starts_at: datetime.datetime, all_day: bool = False
) -> Appointment:
    """A customer dropped on a slot: a one-hour appointment with them (the whole day when
    ``all_day``)."""
    return appointment_create(
        actor=actor,
        workspace=workspace,
        title=customer_appointment_title(customer),
        starts_at=starts_at,
        ends_at=starts_at if all_day else starts_at + DEFAULT_DURATION,
        all_day=all_day,
        customer=customer,
        source=AppointmentSource.CUSTOMER,
    )


def _apply(appointment: Appointment, data: dict) -> bool:
    """Copy ``data`` onto the appointment; whether the customer changed."""
    unknown = set(data) - APPOINTMENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown appointment fields: {sorted(unknown)}")
    previous_customer = appointment.customer_id
    for name, value in data.items():
        setattr(appointment, name, value)
    return appointment.customer_id != previous_customer


def _save_with_history(appointment: Appointment, *, customer_changed: bool) -> None:
    appointment.save()
    if customer_changed:
        # The row named the wrong customer: it goes, it is not history.
        erase_for_source(source=appointment)
        _record(appointment)
    else:
        sync_for_source(source=appointment, **_interaction_fields(appointment))


def _require_occurrence(appointment: Appointment, day: datetime.date | None) -> rec.Occurrence:
    if day is None:
        raise ValidationError(_("Précisez la date de l'occurrence concernée."))
    occurrence = rec.occurrence_on(appointment, day)
    if occurrence is None:
        raise ValidationError(
            _("Ce rendez-vous n'a pas d'occurrence le %(date)s.")
            % {"date": day.strftime("%d/%m/%Y")}
        )
    return occurrence


@transaction.atomic
def appointment_update(
    *,
    actor,
    appointment: Appointment,
    data: dict,
    scope: str = SERIES,
    occurrence_on: datetime.date | None = None,
) -> Appointment:
    """Change an appointment.

    For a recurring appointment, ``scope=OCCURRENCE`` with ``occurrence_on`` (the local date
    of the occurrence) changes that occurrence only: it is cancelled in the series (an
    exception) and a detached, non-recurring appointment takes its place, which is returned.
    ``scope=SERIES`` changes the whole series.
    """
    _ensure_can_edit(actor, appointment)
    if scope not in (SERIES, OCCURRENCE):
        raise ValidationError(_("Portée de modification inconnue."))
    if scope == OCCURRENCE and appointment.recurrence:
        occurrence = _require_occurrence(appointment, occurrence_on)
        detached = Appointment(
            workspace=appointment.workspace,
            owner=appointment.owner,
            customer=appointment.customer,
            source=appointment.source,
            title=appointment.title,
            location=appointment.location,
            notes=appointment.notes,
            all_day=appointment.all_day,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
        )
        _apply(detached, {k: v for k, v in data.items() if not k.startswith("recurrence")})
        detached.recurrence = ""
        _clean(detached)
        detached.save()
        _record(detached)
        _add_exception(appointment, occurrence.date)
        return detached
    if (
        appointment.recurrence
        and occurrence_on is not None
        and "starts_at" in data
        and "ends_at" in data
    ):
        # The times given are those of one occurrence: move the series by the same shift.
        occurrence = _require_occurrence(appointment, occurrence_on)
        data = {
            **data,
            **_series_times(
                appointment, occurrence, data, shift_until="recurrence_until" not in data
            ),
        }
    # Dates of cancelled occurrences follow the series when it moves by whole days.
    old_start = timezone.localtime(appointment.starts_at).date()
    customer_changed = _apply(appointment, data)
    if appointment.recurrence and "recurrence_exceptions" not in data and appointment.starts_at:
        shift = timezone.localtime(appointment.starts_at).date() - old_start
        if shift:
            appointment.recurrence_exceptions = [
                (datetime.date.fromisoformat(d) + shift).isoformat()
                for d in _exception_list(appointment)
            ]
    _clean(appointment)
    _save_with_history(appointment, customer_changed=customer_changed)
    return appointment


def _exception_list(appointment: Appointment) -> list[str]:
    return sorted(d.isoformat() for d in rec.exception_dates(appointment))


def _add_exception(appointment: Appointment, day: datetime.date) -> None:
    dates = set(_exception_list(appointment)) | {day.isoformat()}
    appointment.recurrence_exceptions = sorted(dates)
    _clean(appointment)
    appointment.save(update_fields=["recurrence_exceptions", "updated_at"])


@transaction.atomic
def appointment_reschedule(
    *,
    actor,
    appointment: Appointment,
    occurrence_on: datetime.date | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    all_day: bool | None = None,
    scope: str = SERIES,
) -> Appointment:
    """Move or resize by dragging: the occurrence of ``occurrence_on`` now runs from
    ``starts_at`` to ``ends_at``. For a whole series the same shift and new duration apply
    to its first occurrence (and so to all of them)."""
    _ensure_can_edit(actor, appointment)
    data: dict = {"starts_at": starts_at, "ends_at": ends_at}
    if all_day is not None:
        data["all_day"] = all_day
    if not appointment.recurrence:
        return appointment_update(actor=actor, appointment=appointment, data=data)
    _require_occurrence(appointment, occurrence_on)
    return appointment_update(
        actor=actor,
        appointment=appointment,
        data=data,
        scope=scope,
        occurrence_on=occurrence_on,
    )


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def _series_times(
    appointment: Appointment, occurrence: rec.Occurrence, data: dict, *, shift_until: bool
) -> dict:
    """The series' new first start and end when one occurrence moves to ``data``'s times.

    The shift is taken on the wall clock, so that "one hour later" stays one hour later in
    every season; the series' end date moves along by the same number of days.
    """
    shift = _naive(data["starts_at"]) - _naive(occurrence.starts_at)
    duration = _naive(data["ends_at"]) - _naive(data["starts_at"])
    first_start = _naive(appointment.starts_at) + shift
    times = {
        "starts_at": timezone.make_aware(first_start),
        "ends_at": timezone.make_aware(first_start + duration),
    }
    if shift_until and appointment.recurrence_until:
        day_shift = first_start.date() - _naive(appointment.starts_at).date()
        times["recurrence_until"] = appointment.recurrence_until + day_shift
    return times


@transaction.atomic
def appointment_cancel_occurrence(
    *, actor, appointment: Appointment, occurrence_on: datetime.date
) -> Appointment:
    """Cancel one occurrence of a recurring appointment (it becomes an exception)."""
    _ensure_can_edit(actor, appointment)
    if not appointment.recurrence:
        raise ValidationError(_("Ce rendez-vous n'est pas répété : supprimez-le pour l'annuler."))
    occurrence = _require_occurrence(appointment, occurrence_on)
    _add_exception(appointment, occurrence.date)
    return appointment


def can_delete(user, appointment: Appointment) -> bool:
    """Supervisors delete any appointment; others only their own."""
    workspace = appointment.workspace
    return user.has_role_permission(Permission.CRM_DELETE, workspace=workspace) or (
        appointment.owner_id == user.pk
        and user.has_role_permission(Permission.CRM_EDIT, workspace=workspace)
    )


@transaction.atomic
def appointment_delete(*, actor, appointment: Appointment) -> None:
    """Delete an appointment (a whole series), audited. Its row in the customer's history
    stays, unlinked: the appointment was scheduled."""
    ensure_permission(actor, Permission.CRM_VIEW, appointment.workspace)
    if not can_delete(actor, appointment):
        raise AccessDenied(_("Votre rôle ne permet pas de supprimer ce rendez-vous."))
    audit_log(
        actor=actor, action="appointment.delete", target=appointment, before=snapshot(appointment)
    )
    forget_source(source=appointment)
    appointment.delete()
