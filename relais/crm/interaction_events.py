"""What the CRM writes into the interaction log: its event codes, and the one mapping from an
activity or an invoice to a log row, shared by the services, the campaign sender and the demo
generator (which writes in bulk what the services would have recorded).

Registered from ``CrmConfig.ready()`` through ``register()``.
"""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.interactions.events import register_event_codes
from relais.core.interactions.models import Channel, Direction
from relais.crm.models import ActivityKind, ActivityOutcome, InvoiceKind

INVOICE_ISSUED = "crm.invoice.issued"
ACTIVITY_LOGGED = "crm.activity.logged"
CAMPAIGN_MESSAGE_SENT = "crm.campaign.message.sent"
CAMPAIGN_REPLY_RECEIVED = "crm.campaign.reply.received"
APPOINTMENT_SCHEDULED = "crm.appointment.scheduled"
LEAD_RECEIVED = "crm.lead.received"

EVENT_CODES = {
    INVOICE_ISSUED: _("Facture émise"),
    ACTIVITY_LOGGED: _("Activité enregistrée"),
    CAMPAIGN_MESSAGE_SENT: _("Message de campagne envoyé"),
    CAMPAIGN_REPLY_RECEIVED: _("Réponse à une campagne reçue"),
    APPOINTMENT_SCHEDULED: _("Rendez-vous planifié"),
    LEAD_RECEIVED: _("Demande entrante (lead)"),
}


def _outcomes() -> dict:
    """Activity outcomes and invoice kinds: the outcome codes of the CRM's rows."""
    return {choice.value: choice.label for choice in (*ActivityOutcome, *InvoiceKind)}


def register() -> None:
    """Register the CRM's event and outcome codes with the interaction log."""
    register_event_codes("crm", EVENT_CODES, outcomes=_outcomes())


def campaign_case_key(campaign) -> str:
    """The case of a campaign's touchpoints: its messages, the replies and their follow-ups."""
    return f"crm.campaign:{campaign.public_id}"


def activity_interaction(activity, *, event_code: str | None = ACTIVITY_LOGGED) -> dict:
    """The log fields of ``activity`` (the contact and the source aside), for ``record``,
    ``record_many``, ``sync_for_source`` and the demo's bulk rows alike. ``event_code=None``
    leaves the code out (an update keeps the code the row was recorded with)."""
    fields = {"event_code": event_code} if event_code else {}
    return fields | {
        "channel": ActivityKind(activity.kind).channel,
        "direction": Direction.INBOUND if activity.direction == "in" else Direction.OUTBOUND,
        "topic": activity.subject[:200],
        "summary": activity.body,
        "started_at": activity.occurred_at,
        "actor_id": activity.owner_id,
        "outcome": activity.outcome or "",
    }


def invoice_moment(invoice, zone=None) -> datetime:
    """When an invoice happened for the log: 9:00 on its day, local time."""
    return datetime.combine(
        invoice.issued_on, time(9, 0), tzinfo=zone or timezone.get_current_timezone()
    )


class InvoiceInteractions:
    """The log fields of invoices, with the kind labels and the time zone read once: the demo
    generator maps hundreds of thousands (``get_kind_display`` costs ~0.2 ms a call)."""

    def __init__(self) -> None:
        self.kind_labels = {kind.value: str(kind.label) for kind in InvoiceKind}
        self.zone = timezone.get_current_timezone()

    def fields(self, invoice) -> dict:
        """The contact, the actor and the source aside."""
        label = self.kind_labels[invoice.kind]
        topic = f"{label} n° {invoice.number} — {invoice.total_incl_tax} € TTC"
        return {
            "event_code": INVOICE_ISSUED,
            "channel": Channel.COUNTER,
            "direction": Direction.INBOUND,
            "topic": topic[:200],
            "started_at": invoice_moment(invoice, self.zone),
            "outcome": invoice.kind,
        }


def invoice_interaction(invoice) -> dict:
    """The log fields of ``invoice`` (the contact, the actor and the source aside)."""
    return InvoiceInteractions().fields(invoice)
