"""Actions on appointments."""

import datetime

from django.db import transaction

from relais.crm.models import Appointment, AppointmentSource, Customer


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
    **details,
) -> Appointment:
    """Create an appointment in ``workspace``; ``details`` are further model fields."""
    appointment = Appointment(
        workspace=workspace,
        owner=actor,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        customer=customer,
        source=source,
        **details,
    )
    appointment.full_clean()
    appointment.save()
    return appointment
