"""Vehicles, mileage readings, invoices, activities, notes: the records under a customer."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts import validators as v
from relais.core.interactions.services import forget_source, record, sync_for_source
from relais.crm.interaction_events import activity_interaction, invoice_interaction
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.permissions import Permission
from relais.crm.services.customers import (
    _apply,
    _check_owner,
    customer_refresh_status,
    customer_reindex,
)

VEHICLE_FIELDS = {
    "make",
    "model",
    "trim",
    "energy",
    "plate",
    "vin",
    "first_registration_date",
    "usage",
    "financing_type",
    "financing_date",
    "financing_amount",
    "financing_months",
}
INVOICE_FIELDS = {"kind", "number", "issued_on", "mileage", "vehicle"}
ACTIVITY_FIELDS = {
    "kind",
    "direction",
    "subject",
    "body",
    "occurred_at",
    "owner",
    "outcome",
    "next_follow_up_on",
}
MAX_INVOICE_LINES = 500
NOTE_FIELDS = {
    "wished_vehicles",
    "projects",
    "expectations",
    "household_size",
    "interests",
    "daily_mileage_km",
    "body",
}


def _contact_kwargs(customer: Customer) -> dict:
    return {"person": customer.person, "company": customer.company}


# --- Vehicles -------------------------------------------------------------------------------


def _clean_vehicle(vehicle: Vehicle) -> None:
    errors = {}
    for field, normalize in (("plate", v.normalize_plate), ("vin", v.normalize_vin)):
        value = getattr(vehicle, field)
        if value:
            try:
                setattr(vehicle, field, normalize(value))
            except ValidationError as exc:
                errors[field] = exc.messages
    if vehicle.first_registration_date and vehicle.first_registration_date > timezone.localdate():
        errors["first_registration_date"] = [
            _("La date de mise en circulation ne peut pas être dans le futur.")
        ]
    if errors:
        raise ValidationError(errors)
    vehicle.full_clean(exclude=["workspace", "customer"])


@transaction.atomic
def vehicle_create(*, actor, customer: Customer, data: dict) -> Vehicle:
    """Add a vehicle to a customer; the plate and VIN are validated and normalised."""
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    vehicle = Vehicle(workspace=customer.workspace, customer=customer)
    _apply(vehicle, data, VEHICLE_FIELDS)
    _clean_vehicle(vehicle)
    vehicle.save()
    customer_reindex(customer=customer)
    return vehicle


@transaction.atomic
def vehicle_update(*, actor, vehicle: Vehicle, data: dict) -> Vehicle:
    ensure_permission(actor, Permission.CRM_EDIT, vehicle.workspace)
    _apply(vehicle, data, VEHICLE_FIELDS)
    _clean_vehicle(vehicle)
    vehicle.save()
    customer_reindex(customer=vehicle.customer)
    return vehicle


@transaction.atomic
def vehicle_delete(*, actor, vehicle: Vehicle) -> None:
    ensure_permission(actor, Permission.CRM_DELETE, vehicle.workspace)
    customer = vehicle.customer
    audit_log(actor=actor, action="vehicle.delete", target=vehicle, before=snapshot(vehicle))
    vehicle.delete()
    customer_reindex(customer=customer)


@transaction.atomic
def mileage_reading_add(*, actor, vehicle: Vehicle, read_on, mileage: int) -> MileageReading:
    """Record the odometer; a reading lower than an earlier one is refused."""
    ensure_permission(actor, Permission.CRM_EDIT, vehicle.workspace)
    reading = MileageReading(
        workspace=vehicle.workspace, vehicle=vehicle, read_on=read_on, mileage=mileage
    )
    _check_mileage_order(reading)
    reading.full_clean(exclude=["workspace", "vehicle", "invoice"])
    reading.save()
    return reading


@transaction.atomic
def mileage_reading_delete(*, actor, reading: MileageReading) -> None:
    ensure_permission(actor, Permission.CRM_EDIT, reading.workspace)
    if reading.invoice_id:
        raise ValidationError(_("Ce relevé vient d'une facture : modifiez la facture."))
    reading.delete()


EARLIEST_READING = datetime.date(1900, 1, 1)


def _check_mileage_order(reading: MileageReading) -> None:
    others = reading.vehicle.mileage_readings.exclude(pk=reading.pk)
    if reading.read_on and reading.read_on > timezone.localdate():
        raise ValidationError({"read_on": [_("Un relevé ne peut pas être daté dans le futur.")]})
    if reading.read_on and reading.read_on < EARLIEST_READING:
        raise ValidationError(
            {"read_on": [_("Date invalide : un relevé ne peut pas être daté d'avant 1900.")]}
        )
    earlier = (
        others.filter(read_on__lt=reading.read_on, mileage__gt=reading.mileage)
        .order_by("-mileage")
        .first()
    )
    later = (
        others.filter(read_on__gt=reading.read_on, mileage__lt=reading.mileage)
        .order_by("mileage")
        .first()
    )
    if earlier:
        raise ValidationError(
            {
                "mileage": [
                    _("Le kilométrage ne peut pas baisser : %(km)s km relevés dès le %(date)s.")
                    % {
                        "km": f"{earlier.mileage:,}".replace(",", " "),
                        "date": earlier.read_on.strftime("%d/%m/%Y"),
                    }
                ]
            }
        )
    if later:
        raise ValidationError(
            {
                "mileage": [
                    _(
                        "Le kilométrage ne peut pas baisser : seulement %(km)s km relevés le %(date)s."
                    )
                    % {
                        "km": f"{later.mileage:,}".replace(",", " "),
                        "date": later.read_on.strftime("%d/%m/%Y"),
                    }
                ]
            }
        )


# --- Invoices -------------------------------------------------------------------------------


def _clean_invoice(invoice: Invoice, lines: list[dict]) -> list[InvoiceLine]:
    errors: dict[str, list] = {}
    if invoice.vehicle is not None and invoice.vehicle.customer_id != invoice.customer_id:
        errors["vehicle"] = [_("Ce véhicule n'appartient pas à ce client.")]
    if invoice.kind == InvoiceKind.AFTER_SALES:
        if invoice.vehicle is None:
            errors["vehicle"] = [_("Une facture après-vente porte sur un véhicule du client.")]
        if invoice.mileage is None:
            errors["mileage"] = [_("Indiquez le kilométrage relevé lors du passage à l'atelier.")]
    elif invoice.kind in InvoiceKind.purchases() and invoice.vehicle is None:
        errors["vehicle"] = [_("Une facture d'achat porte sur le véhicule vendu.")]
    if invoice.issued_on and invoice.issued_on > timezone.localdate():
        errors["issued_on"] = [_("Une facture ne peut pas être datée dans le futur.")]
    if (
        Invoice.objects.filter(workspace=invoice.workspace, number=invoice.number)
        .exclude(pk=invoice.pk)
        .exists()
    ):
        errors["number"] = [
            _("Le numéro de facture %(number)s existe déjà.") % {"number": invoice.number}
        ]
    if len(lines) > MAX_INVOICE_LINES:
        raise ValidationError(
            {
                "lines": [
                    _("Une facture compte au plus %(max)s lignes.") % {"max": MAX_INVOICE_LINES}
                ]
            }
        )
    built = []
    for index, data in enumerate(lines, start=1):
        line = InvoiceLine(
            invoice=invoice,
            **{
                k: data[k]
                for k in ("label", "quantity", "unit_price_excl_tax", "vat_rate")
                if k in data
            },
        )
        try:
            line.full_clean(exclude=["invoice"])
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault("lines", []).extend(f"Ligne {index} — {m}" for m in messages)
        built.append(line)
    if not built:
        errors.setdefault("lines", []).append(_("Une facture compte au moins une ligne."))
    try:
        invoice.full_clean(
            exclude=["workspace", "customer", "vehicle", "total_excl_tax", "total_incl_tax"]
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    invoice.total_excl_tax = sum((line.total_excl_tax for line in built), Decimal("0"))
    invoice.total_incl_tax = sum((line.total_incl_tax for line in built), Decimal("0"))
    return built


def _sync_invoice_reading(invoice: Invoice) -> None:
    MileageReading.objects.filter(invoice=invoice).delete()
    if invoice.kind == InvoiceKind.AFTER_SALES and invoice.vehicle and invoice.mileage is not None:
        reading = MileageReading(
            workspace=invoice.workspace,
            vehicle=invoice.vehicle,
            read_on=invoice.issued_on,
            mileage=invoice.mileage,
            invoice=invoice,
        )
        _check_mileage_order(reading)
        reading.save()


@transaction.atomic
def invoice_create(*, actor, customer: Customer, data: dict, lines: list[dict]) -> Invoice:
    """Issue an invoice with its lines. The customer stops being a prospect; an after-sales
    invoice also records the vehicle's mileage; the invoice enters the interaction log."""
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    invoice = Invoice(workspace=customer.workspace, customer=customer)
    _apply(invoice, data, INVOICE_FIELDS)
    built = _clean_invoice(invoice, lines)
    invoice.save()
    for line in built:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    _sync_invoice_reading(invoice)
    customer_refresh_status(customer=customer)
    record(
        workspace=customer.workspace,
        actor=actor,
        source=invoice,
        **_contact_kwargs(customer),
        **invoice_interaction(invoice),
    )
    return invoice


@transaction.atomic
def invoice_update(
    *, actor, invoice: Invoice, data: dict, lines: list[dict] | None = None
) -> Invoice:
    ensure_permission(actor, Permission.CRM_EDIT, invoice.workspace)
    before = snapshot(invoice)
    _apply(invoice, data, INVOICE_FIELDS)
    current = [
        {
            "label": ln.label,
            "quantity": ln.quantity,
            "unit_price_excl_tax": ln.unit_price_excl_tax,
            "vat_rate": ln.vat_rate,
        }
        for ln in invoice.lines.all()
    ]
    built = _clean_invoice(invoice, current if lines is None else lines)
    invoice.save()
    if lines is not None:
        invoice.lines.all().delete()
        for line in built:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(built)
    _sync_invoice_reading(invoice)
    sync_for_source(source=invoice, **invoice_interaction(invoice))
    audit_log(
        actor=actor, action="invoice.update", target=invoice, before=before, after=snapshot(invoice)
    )
    return invoice


@transaction.atomic
def invoice_delete(*, actor, invoice: Invoice) -> None:
    """Delete an invoice; a customer left without any turns back into a prospect."""
    ensure_permission(actor, Permission.CRM_DELETE, invoice.workspace)
    customer = invoice.customer
    before = snapshot(invoice)
    before["lines"] = [
        {
            "label": ln.label,
            "quantity": ln.quantity,
            "unit_price_excl_tax": ln.unit_price_excl_tax,
            "vat_rate": ln.vat_rate,
        }
        for ln in invoice.lines.all()
    ]
    audit_log(actor=actor, action="invoice.delete", target=invoice, before=before)
    forget_source(source=invoice)
    invoice.delete()
    customer_refresh_status(customer=customer)


# --- Activities -----------------------------------------------------------------------------


def _clean_activity(activity: Activity) -> None:
    _check_owner(activity.owner, activity.workspace)
    activity.full_clean(exclude=["workspace", "customer"])
    if (
        activity.next_follow_up_on
        and activity.occurred_at
        and activity.next_follow_up_on < timezone.localtime(activity.occurred_at).date()
    ):
        raise ValidationError(
            {"next_follow_up_on": [_("La relance ne peut pas précéder l'activité.")]}
        )


@transaction.atomic
def activity_create(*, actor, customer: Customer, data: dict) -> Activity:
    """Log a call, mail, letter, SMS, campaign or appointment, and its next follow-up."""
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    activity = Activity(workspace=customer.workspace, customer=customer, owner=actor)
    _apply(activity, data, ACTIVITY_FIELDS)
    if activity.occurred_at is None:
        activity.occurred_at = timezone.now()
    _clean_activity(activity)
    activity.save()
    record(
        workspace=customer.workspace,
        source=activity,
        **_contact_kwargs(customer),
        **activity_interaction(activity),
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, data: dict) -> Activity:
    ensure_permission(actor, Permission.CRM_EDIT, activity.workspace)
    _apply(activity, data, ACTIVITY_FIELDS)
    _clean_activity(activity)
    activity.save()
    # The code stays what it was recorded with (a campaign's message remains one).
    sync_for_source(source=activity, **activity_interaction(activity, event_code=None))
    return activity


@transaction.atomic
def activity_delete(*, actor, activity: Activity) -> None:
    ensure_permission(actor, Permission.CRM_DELETE, activity.workspace)
    audit_log(actor=actor, action="activity.delete", target=activity, before=snapshot(activity))
    forget_source(source=activity)
    activity.delete()


# --- Notes ----------------------------------------------------------------------------------


@transaction.atomic
def note_create(*, actor, customer: Customer, data: dict) -> Note:
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    note = Note(workspace=customer.workspace, customer=customer, author=actor)
    _apply(note, data, NOTE_FIELDS)
    if not any(getattr(note, f) not in ("", None) for f in NOTE_FIELDS):
        raise ValidationError(
            _("Une note vide n'est pas enregistrée : remplissez au moins un champ.")
        )
    note.full_clean(exclude=["workspace", "customer", "author"])
    note.save()
    return note


@transaction.atomic
def note_update(*, actor, note: Note, data: dict) -> Note:
    ensure_permission(actor, Permission.CRM_EDIT, note.workspace)
    _apply(note, data, NOTE_FIELDS)
    note.full_clean(exclude=["workspace", "customer", "author"])
    note.save()
    return note


@transaction.atomic
def note_delete(*, actor, note: Note) -> None:
    ensure_permission(actor, Permission.CRM_DELETE, note.workspace)
    audit_log(actor=actor, action="note.delete", target=note, before=snapshot(note))
    note.delete()
