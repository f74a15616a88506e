"""The campaign send writes its rows as tuples (``relais.core.rows.insert_rows``): they must be
exactly the rows the per-row path (a model instance saved per row, ``record`` per
interaction) writes, field by field."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from relais.core.interactions.models import Interaction
from relais.core.interactions.services import record
from relais.core.rows import insert_rows
from relais.crm.campaigns.services import campaign_create, campaign_send
from relais.crm.interaction_events import (
    CAMPAIGN_MESSAGE_SENT,
    activity_interaction,
    campaign_case_key,
)
from relais.crm.models import Activity, CampaignEvent, CampaignRecipient
from tests.crm.campaign_helpers import consenting_customer, segment

pytestmark = pytest.mark.django_db

# Keys and write times differ between two writes of the same row; every other field must not.
UNCOMPARED = {"id", "created_at", "updated_at", "public_id"}


def _fields(obj) -> dict:
    obj.refresh_from_db()
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname not in UNCOMPARED
    }


def test_the_send_writes_what_the_per_row_path_writes(
    agent, workspace, django_capture_on_commit_callbacks
):
    for name in ("Martin", "Durand", "Petit"):
        consenting_customer(workspace, person__last_name=name)
    consenting_customer(workspace, person__last_name="Refus", person__consent_email=False)
    campaign = campaign_create(
        actor=agent,
        workspace=workspace,
        name="Révision d'été",
        channel="email",
        segment=segment(workspace),
        subject="{{ prenom }}, votre révision",
        body="Bonjour {{ civilite }} {{ nom }}, votre {{ vehicule }} attend sa révision.",
        follow_up_days=10,
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send(actor=agent, campaign=campaign)
    campaign.refresh_from_db()
    recipients = list(
        CampaignRecipient.objects.filter(campaign=campaign, excluded_reason="")
        .select_related("customer", "activity")
        .order_by("id")
    )
    assert len(recipients) == 3
    assert CampaignRecipient.objects.filter(campaign=campaign).exclude(excluded_reason="").count()
    for recipient in recipients:
        fast = recipient.activity
        assert fast is not None and recipient.subject and recipient.body
        # The per-row path: one instance saved, one ``record`` with the same log fields.
        with transaction.atomic():
            slow = Activity(
                workspace=workspace,
                customer=recipient.customer,
                kind="email",
                direction="out",
                subject=f"Campagne « Révision d'été » : {recipient.subject}"[:200],
                body=recipient.body,
                occurred_at=campaign.sent_at,
                owner=agent,
                outcome="done",
                next_follow_up_on=fast.next_follow_up_on,
            )
            slow.full_clean()
            slow.save()
            slow_logged = record(
                workspace=workspace,
                person=recipient.customer.person,
                company=recipient.customer.company,
                case_key=campaign_case_key(campaign),
                source=slow,
                **activity_interaction(slow, event_code=CAMPAIGN_MESSAGE_SENT),
            )
        assert _fields(fast) | {"customer_id": None} == _fields(slow) | {"customer_id": None}
        assert fast.customer_id == slow.customer_id == recipient.customer_id
        fast_logged = Interaction.objects.get(
            source_id=fast.pk, source_type=slow_logged.source_type
        )
        fast_logged.full_clean()  # what ``record`` checks, one row at a time
        assert _fields(fast_logged) | {"source_id": None} == _fields(slow_logged) | {
            "source_id": None
        }
        assert fast_logged.event_code == CAMPAIGN_MESSAGE_SENT
        assert fast_logged.created_at == fast_logged.updated_at
    assert all(
        r.activity.next_follow_up_on
        == timezone.localtime(r.activity.occurred_at).date() + datetime.timedelta(days=10)
        for r in recipients
    )


def test_insert_rows_writes_what_saving_an_instance_writes(agent, workspace):
    """Defaults, enum values, dates and times, a null key: field by field as ``save()``."""
    customer, other = consenting_customer(workspace), consenting_customer(workspace)
    campaign = campaign_create(
        actor=agent,
        workspace=workspace,
        name="Lettre",
        channel="letter",
        segment=segment(workspace),
        subject="Objet",
        body="Texte",
    )
    at = datetime.datetime(2025, 3, 30, 1, 30, tzinfo=datetime.UTC)
    with transaction.atomic():
        (recipient_id,) = insert_rows(
            CampaignRecipient,
            ("workspace_id", "campaign_id", "customer_id", "address", "excluded_reason"),
            [(workspace.pk, campaign.pk, customer.pk, "1 rue de la Paix", "")],
        )
        slow_recipient = CampaignRecipient.objects.create(
            workspace=workspace, campaign=campaign, customer=other, address="1 rue de la Paix"
        )
        fast_recipient = CampaignRecipient.objects.get(pk=recipient_id)
        assert _fields(fast_recipient) | {"customer_id": 0} == _fields(slow_recipient) | {
            "customer_id": 0
        }
        values = {
            "workspace_id": workspace.pk,
            "campaign_id": campaign.pk,
            "recipient_id": recipient_id,
            "kind": "replied",
            "occurs_at": at,
            "intent": "booking",
            "variant": 2,
        }
        (event_id,) = insert_rows(CampaignEvent, tuple(values), [tuple(values.values())])
        fast_event = CampaignEvent.objects.get(pk=event_id)
        slow_event = CampaignEvent.objects.create(**values)
        assert _fields(fast_event) == _fields(slow_event)
        assert fast_event.occurs_at == at and fast_event.applied_at is None
        assert fast_event.created_at is not None
