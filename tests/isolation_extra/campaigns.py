"""Campaign records for the isolation tests and the accessibility sweep."""

from django.db import transaction

from relais.core.contacts.models import Person
from relais.crm.campaigns.services import (
    campaign_clock_advance,
    campaign_create,
    campaign_process,
    campaign_send,
    reaction_settings_save,
)
from relais.crm.models import Customer, CustomerKind, Segment

ALWAYS_REPLIES = {
    "delivered": 0.99,
    "opened": 0.99,
    "clicked": 0.5,
    "replied": 0.99,
    "booked": 0.0,
    "unsubscribed": 0.0,
}


def _customer(workspace, n: int) -> Customer:
    person = Person.objects.create(
        workspace=workspace,
        civility="MME",
        first_name="Inès",
        last_name=f"Campagne{n}",
        email=f"ines.campagne{n}@exemple.fr",
        phone_mobile=f"06 98 76 54 {n:02d}",
        street=f"{n} rue des Lilas",
        postal_code="69003",
        city="Lyon",
        consent_email=True,
        consent_sms=True,
        consent_mail=True,
    )
    return Customer.objects.create(
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        person=person,
        sort_name=f"campagne{n}",
        # Customers accepting every channel: with these probabilities they all reply.
        status="customer",
    )


def _records(workspace, user, label: str) -> dict:
    """A sent campaign with at least one reply in the inbox."""
    for n in range(3):
        _customer(workspace, n)
    segment, _ = Segment.objects.get_or_create(
        workspace=workspace,
        name=f"Segment campagne {label}",
        defaults={"definition": {"match": "all", "conditions": [], "sort": []}},
    )
    campaign = campaign_create(
        actor=user,
        workspace=workspace,
        name=f"Campagne {label}",
        channel="email",
        segment=segment,
        subject="Révision {{ prenom }}",
        body="Bonjour {{ civilite }} {{ nom }}",
    )
    reaction_settings_save(
        actor=user, workspace=workspace, channel="email", campaign=campaign, values=ALWAYS_REPLIES
    )
    # The send job runs after commit; here it runs inline so the records exist right away.
    with transaction.atomic():
        campaign_send(actor=user, campaign=campaign)
    campaign.refresh_from_db()
    if campaign.status != "sent":
        campaign_process(campaign=campaign)
        campaign.refresh_from_db()
    campaign_clock_advance(actor=user, campaign=campaign, days=30)
    message = campaign.messages.order_by("id").first()
    return {"campaign_id": campaign.public_id, "message_id": message.public_id}


def foreign_records(workspace, agent) -> dict:
    return _records(workspace, agent, "étrangèreb")


def own_records(workspace, user) -> dict:
    return _records(workspace, user, "propre")
