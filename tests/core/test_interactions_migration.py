"""Interaction log v2 carries the rows of the first log forward (``interactions.0002`` and
``crm.0005``), tested on a database migrated back to the state before them."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from relais.crm.models import Campaign, CampaignMessage, CampaignRecipient
from tests.factories import ActivityFactory, CustomerFactory, InvoiceFactory

BEFORE = [("interactions", "0001_initial"), ("crm", "0004_sales_tools")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_event_codes_outcome_codes_and_case_keys():
    customer = CustomerFactory()
    workspace = customer.workspace
    manual = ActivityFactory(customer=customer, workspace=workspace, kind="call")
    sent = ActivityFactory(customer=customer, workspace=workspace, kind="email")
    reply = ActivityFactory(customer=customer, workspace=workspace, direction="in")
    task = ActivityFactory(customer=customer, workspace=workspace)
    invoice = InvoiceFactory(customer=customer, workspace=workspace)
    campaign = Campaign.objects.create(workspace=workspace, name="Printemps", channel="email")
    recipient = CampaignRecipient.objects.create(
        workspace=workspace, campaign=campaign, customer=customer, activity=sent
    )
    CampaignMessage.objects.create(
        workspace=workspace,
        campaign=campaign,
        recipient=recipient,
        customer=customer,
        received_at=timezone.now(),
        intent="booking",
        body="Oui",
        activity=reply,
        task=task,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        ContentType = old.get_model("contenttypes", "ContentType")
        Interaction = old.get_model("interactions", "Interaction")
        activity_type = ContentType.objects.get(app_label="crm", model="activity").pk
        invoice_type = ContentType.objects.get(app_label="crm", model="invoice").pk

        def row(topic, outcome="", source=None, source_type=None):
            return Interaction.objects.create(
                workspace_id=workspace.pk,
                person_id=customer.person_id,
                channel="email",
                direction="out",
                topic=topic,
                outcome=outcome,
                started_at=datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC),
                source_type_id=source_type,
                source_id=source.pk if source else None,
            ).pk

        ids = {
            "manual": row("Appel", "Message laissé", manual, activity_type),
            "sent": row("Campagne", "Effectué", sent, activity_type),
            "reply": row("Réponse", "Rendez-vous pris", reply, activity_type),
            "task": row("À rappeler", "À faire", task, activity_type),
            "invoice": row("Facture", "Après-vente (APV)", invoice, invoice_type),
            "loose": row("Note libre", "Rappeler lundi"),
        }
    finally:
        call_command("migrate", verbosity=0)

    from relais.core.interactions.models import Interaction as Current

    found = {
        name: Current.objects.values("event_code", "outcome", "case_key").get(pk=pk)
        for name, pk in ids.items()
    }
    case_key = f"crm.campaign:{campaign.public_id}"
    assert found == {
        "manual": {"event_code": "crm.activity.logged", "outcome": "message_left", "case_key": ""},
        "sent": {
            "event_code": "crm.campaign.message.sent",
            "outcome": "done",
            "case_key": case_key,
        },
        "reply": {
            "event_code": "crm.campaign.reply.received",
            "outcome": "appointment_set",
            "case_key": case_key,
        },
        "task": {"event_code": "crm.activity.logged", "outcome": "planned", "case_key": case_key},
        "invoice": {"event_code": "crm.invoice.issued", "outcome": "apv", "case_key": ""},
        "loose": {
            "event_code": "core.interaction.recorded",
            "outcome": "Rappeler lundi",
            "case_key": "",
        },
    }
    assert Current.objects.get(pk=ids["invoice"]).outcome_label == "Après-vente (APV)"
    assert set(Current.objects.values_list("visitor_key", flat=True)) == {""}


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_labels():
    customer = CustomerFactory()
    activity = ActivityFactory(customer=customer, workspace=customer.workspace)
    from relais.core.interactions.services import record

    record(
        workspace=customer.workspace,
        event_code="crm.activity.logged",
        person=customer.person,
        channel="phone",
        direction="out",
        topic="Appel",
        outcome="no_answer",
        source=activity,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        outcomes = old.get_model("interactions", "Interaction").objects.values_list(
            "outcome", flat=True
        )
        assert list(outcomes) == ["Pas de réponse"]
    finally:
        call_command("migrate", verbosity=0)
