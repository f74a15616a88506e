"""What the CRM writes into the interaction log: stable codes, outcome codes, campaign cases,
and history that outlives its source."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from relais.core.interactions.events import event_codes, outcome_label
from relais.core.interactions.models import Interaction
from relais.crm.agenda.services import appointment_create, appointment_delete, appointment_update
from relais.crm.interaction_events import (
    APPOINTMENT_SCHEDULED,
    EVENT_CODES,
    LEAD_RECEIVED,
    activity_interaction,
    invoice_interaction,
)
from relais.crm.models import ActivityOutcome, InvoiceKind
from relais.crm.services.leads import lead_convert, lead_delete
from tests.factories import ActivityFactory, CustomerFactory, InvoiceFactory, LeadFactory

pytestmark = pytest.mark.django_db


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_the_crm_registers_its_codes_and_outcomes():
    registered = event_codes()
    assert set(EVENT_CODES) <= set(registered)
    assert all(code.startswith("crm.") for code in EVENT_CODES)
    for choice in (*ActivityOutcome, *InvoiceKind):
        assert outcome_label(choice.value, event_code="crm.activity.logged") == choice.label


def test_one_mapping_for_activities_and_invoices(workspace):
    customer = CustomerFactory(workspace=workspace)
    activity = ActivityFactory(
        customer=customer, workspace=workspace, kind="sms", direction="in", outcome="reached"
    )
    fields = activity_interaction(activity)
    assert fields | {"topic": "", "summary": ""} == {
        "event_code": "crm.activity.logged",
        "channel": "sms",
        "direction": "in",
        "topic": "",
        "summary": "",
        "started_at": activity.occurred_at,
        "actor_id": activity.owner_id,
        "outcome": "reached",
    }
    assert "event_code" not in activity_interaction(activity, event_code=None)
    invoice = InvoiceFactory(customer=customer, workspace=workspace, kind="vn")
    fields = invoice_interaction(invoice)
    assert (fields["event_code"], fields["outcome"], fields["channel"]) == (
        "crm.invoice.issued",
        "vn",
        "counter",
    )
    assert fields["started_at"] == timezone.make_aware(
        datetime.datetime.combine(invoice.issued_on, datetime.time(9))
    )


def test_a_converted_lead_stays_the_first_touchpoint_after_its_deletion(
    workspace, agent, supervisor
):
    lead = LeadFactory(workspace=workspace)
    customer = lead_convert(actor=agent, lead=lead)
    interaction = Interaction.objects.get(person=customer.person)
    assert interaction.event_code == LEAD_RECEIVED
    lead.refresh_from_db()
    lead_delete(actor=supervisor, lead=lead)
    interaction.refresh_from_db()
    assert (interaction.source_type, interaction.source_id) == (None, None)
    assert interaction.event_code == LEAD_RECEIVED


def test_an_appointment_moved_to_another_customer_moves_its_history(workspace, agent):
    first, second = CustomerFactory(workspace=workspace), CustomerFactory(workspace=workspace)
    appointment = appointment_create(
        actor=agent,
        workspace=workspace,
        title="Essai",
        starts_at=at(2025, 6, 17, 10),
        ends_at=at(2025, 6, 17, 11),
        customer=first,
    )
    assert Interaction.objects.get().event_code == APPOINTMENT_SCHEDULED
    appointment_update(actor=agent, appointment=appointment, data={"customer": second})
    # The first customer never had that appointment: the row went with the correction.
    interaction = Interaction.objects.get()
    assert interaction.person == second.person
    appointment_update(actor=agent, appointment=appointment, data={"title": "Essai 208"})
    assert Interaction.objects.get().topic == "Essai 208"
    appointment_delete(actor=agent, appointment=appointment)
    kept = Interaction.objects.get()
    assert (kept.topic, kept.source_id, kept.person) == ("Essai 208", None, second.person)
    assert kept.source_type is None
    assert not Interaction.objects.filter(
        source_type=ContentType.objects.get(app_label="crm", model="appointment")
    ).exists()
