"""Who may receive a campaign on a channel: the core's reachability rules, plus the CRM's own.

Consent and coordinates per channel are the core's rules
(``relais.core.contacts.reachability``), applied to the customer's person or company; a
campaign's ``letter`` is the core's ``mail`` channel.

On top of them, a customer without consent who unsubscribed through an earlier campaign on
the same channel is reported as *unsubscribed* rather than *no consent*. Two recipients
sharing one e-mail address, mobile number or postal address receive one message: the later
ones are *duplicate*.
"""

from relais.core.contacts.models import ConsentChannel
from relais.core.contacts.reachability import (
    Unreachable,
    contact_address,
    contact_reachability,
)
from relais.crm.models import CampaignChannel, CampaignRecipient, Customer, ExclusionReason

# A campaign channel -> the contact's consent channel.
CONSENT_CHANNEL = {
    CampaignChannel.LETTER: ConsentChannel.MAIL,
    CampaignChannel.EMAIL: ConsentChannel.EMAIL,
    CampaignChannel.SMS: ConsentChannel.SMS,
}


def _normalised(text: str) -> str:
    return " ".join((text or "").lower().split())


def address_of(contact, channel: str) -> str:
    """The coordinate the campaign channel uses, or "" when the contact has none."""
    return contact_address(contact, CONSENT_CHANNEL[channel])


def unsubscribed_customer_ids(*, workspace, channel: str, customer_ids=None) -> set[int]:
    rows = CampaignRecipient.objects.in_workspace(workspace).filter(
        unsubscribed=True, campaign__channel=channel
    )
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
    return set(rows.values_list("customer_id", flat=True))


def exclusion_reason(
    customer: Customer, channel: str, *, unsubscribed_ids: set[int], seen: set[str]
) -> tuple[str, str]:
    """``(reason, address)`` for one customer; the reason is "" when the customer is included.

    ``seen`` collects the addresses already used in this campaign (duplicates detection).
    """
    contact = customer.contact
    reachable, reason = contact_reachability(contact, CONSENT_CHANNEL[channel])
    if not reachable:
        if reason == Unreachable.NO_CONSENT and customer.pk in unsubscribed_ids:
            return ExclusionReason.UNSUBSCRIBED, ""
        # The core's reason codes are the campaign's exclusion reasons (same values).
        return ExclusionReason(str(reason)), ""
    address = address_of(contact, channel)
    key = _normalised(address).replace(" ", "") if channel != "letter" else _normalised(address)
    if key in seen:
        return ExclusionReason.DUPLICATE, address
    seen.add(key)
    return "", address
