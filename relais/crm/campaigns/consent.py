"""Who may receive a campaign on a channel: consent first, then reachability.

The rules, per channel (the contact is the customer's person or company):

========  ====================  ==========================================================
channel   consent field         reachable when
========  ====================  ==========================================================
letter    ``consent_mail``      street, postal code and city are all filled in
email     ``consent_email``     an e-mail address is filled in
sms       ``consent_sms``       a mobile phone number is filled in
========  ====================  ==========================================================

A customer without consent who unsubscribed through an earlier campaign on the same channel
is reported as *unsubscribed* rather than *no consent*. Two recipients sharing one e-mail
address, mobile number or postal address receive one message: the later ones are
*duplicate*.
"""

from relais.crm.models import CampaignChannel, CampaignRecipient, Customer, ExclusionReason

CONSENT_FIELD = {
    CampaignChannel.LETTER: "consent_mail",
    CampaignChannel.EMAIL: "consent_email",
    CampaignChannel.SMS: "consent_sms",
}


def _normalised(text: str) -> str:
    return " ".join((text or "").lower().split())


def address_of(contact, channel: str) -> str:
    """The coordinate the channel uses, or "" when the contact cannot be reached on it."""
    if channel == CampaignChannel.EMAIL:
        return (contact.email or "").strip()
    if channel == CampaignChannel.SMS:
        return (contact.phone_mobile or "").strip()
    if contact.street.strip() and contact.postal_code.strip() and contact.city.strip():
        parts = [
            contact.street,
            contact.address_complement,
            f"{contact.postal_code} {contact.city}",
        ]
        return ", ".join(p.strip() for p in parts if p and p.strip())
    return ""


NO_ADDRESS_REASON = {
    CampaignChannel.LETTER: ExclusionReason.NO_ADDRESS,
    CampaignChannel.EMAIL: ExclusionReason.NO_EMAIL,
    CampaignChannel.SMS: ExclusionReason.NO_MOBILE,
}


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
    if not getattr(contact, CONSENT_FIELD[channel]):
        if customer.pk in unsubscribed_ids:
            return ExclusionReason.UNSUBSCRIBED, ""
        return ExclusionReason.NO_CONSENT, ""
    address = address_of(contact, channel)
    if not address:
        return NO_ADDRESS_REASON[channel], ""
    key = _normalised(address).replace(" ", "") if channel != "letter" else _normalised(address)
    if key in seen:
        return ExclusionReason.DUPLICATE, address
    seen.add(key)
    return "", address
