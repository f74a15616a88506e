"""Whether a person or company may be reached on a channel: consent first, then coordinates.

The rules, per channel (``ConsentChannel``):

========  ====================  ==========================================================
channel   consent field         reachable when
========  ====================  ==========================================================
mail      ``consent_mail``      street, postal code and city are all filled in
email     ``consent_email``     an e-mail address is filled in
sms       ``consent_sms``       a mobile phone number is filled in
phone     ``consent_phone``     a mobile or a landline number is filled in
========  ====================  ==========================================================

Any module sending something to a contact (the CRM's campaigns, tomorrow a front door's
replies) asks here, so that a refusal recorded anywhere is honoured everywhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.contacts.models import ConsentChannel, ContactDetails


class Unreachable(models.TextChoices):
    """Why a contact cannot be reached on a channel. The values are stable codes."""

    NO_CONSENT = "no_consent", _("Pas de consentement pour ce canal")
    NO_EMAIL = "no_email", _("Pas d'adresse e-mail")
    NO_MOBILE = "no_mobile", _("Pas de téléphone portable")
    NO_PHONE = "no_phone", _("Pas de numéro de téléphone")
    NO_ADDRESS = "no_address", _("Adresse postale incomplète")


MISSING_COORDINATE = {
    ConsentChannel.MAIL: Unreachable.NO_ADDRESS,
    ConsentChannel.EMAIL: Unreachable.NO_EMAIL,
    ConsentChannel.SMS: Unreachable.NO_MOBILE,
    ConsentChannel.PHONE: Unreachable.NO_PHONE,
}


def consent_field(channel: str) -> str:
    """The contact field holding the consent for ``channel`` (``consent_sms``…)."""
    return ContactDetails.CONSENT_FIELDS[ConsentChannel(channel)]


def contact_address(contact: ContactDetails, channel: str) -> str:
    """The coordinate ``channel`` uses, or "" when the contact has none (consent aside)."""
    channel = ConsentChannel(channel)
    if channel == ConsentChannel.EMAIL:
        return (contact.email or "").strip()
    if channel == ConsentChannel.SMS:
        return (contact.phone_mobile or "").strip()
    if channel == ConsentChannel.PHONE:
        return (contact.phone_mobile or "").strip() or (contact.phone_landline or "").strip()
    if contact.street.strip() and contact.postal_code.strip() and contact.city.strip():
        parts = [
            contact.street,
            contact.address_complement,
            f"{contact.postal_code} {contact.city}",
        ]
        return ", ".join(p.strip() for p in parts if p and p.strip())
    return ""


def contact_reachability(contact: ContactDetails, channel: str) -> tuple[bool, str]:
    """``(True, "")`` when ``contact`` consents to ``channel`` and has its coordinate,
    else ``(False, reason)`` with ``reason`` an ``Unreachable`` code."""
    if not getattr(contact, consent_field(channel)):
        return False, Unreachable.NO_CONSENT
    if not contact_address(contact, channel):
        return False, MISSING_COORDINATE[ConsentChannel(channel)]
    return True, ""
