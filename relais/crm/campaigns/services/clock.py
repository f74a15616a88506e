"""The simulated clock: move it forward (now, in a background job, or in real time) and
let the drawn reactions happen: replies into the inbox, bookings, unsubscriptions."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.accounts.permissions import ensure_permission
from relais.core.contacts.services import consent_set
from relais.core.exceptions import NotFound
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_create, job_enqueue
from relais.crm.agenda.services import appointment_create
from relais.crm.campaigns import simulator
from relais.crm.campaigns.consent import CONSENT_CHANNEL
from relais.crm.campaigns.services.sending import ACTIVITY_KIND, _log_in_bulk
from relais.crm.interaction_events import ACTIVITY_LOGGED, CAMPAIGN_REPLY_RECEIVED
from relais.crm.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    AppointmentSource,
    Campaign,
    CampaignChannel,
    CampaignEvent,
    CampaignMessage,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    ReactionKind,
    ReplyIntent,
)
from relais.crm.permissions import Permission

# --- The simulated clock --------------------------------------------------------------------


MAX_ADVANCE_DAYS = 60
CLOCK_JOB_KIND = "crm.campaign_clock"
# Beyond this many reactions to materialise, the clock moves in a background job.
CLOCK_SYNC_LIMIT = 1500

REPLY_OUTCOME = {
    ReplyIntent.QUOTE: ActivityOutcome.INTERESTED,
    ReplyIntent.CALLBACK: ActivityOutcome.INTERESTED,
    ReplyIntent.INFO: ActivityOutcome.INTERESTED,
    ReplyIntent.BOOKING: ActivityOutcome.APPOINTMENT_SET,
    ReplyIntent.NOT_INTERESTED: ActivityOutcome.NOT_INTERESTED,
}
FLAG_OF = {
    ReactionKind.DELIVERED: "delivered",
    ReactionKind.BOUNCED: "bounced",
    ReactionKind.OPENED: "opened",
    ReactionKind.CLICKED: "clicked",
    ReactionKind.REPLIED: "replied",
    ReactionKind.UNSUBSCRIBED: "unsubscribed",
    ReactionKind.BOOKED: "booked",
}


def _task_subject(intent: str) -> str:
    return {
        ReplyIntent.QUOTE: _("Envoyer le devis demandé"),
        ReplyIntent.CALLBACK: _("Rappeler le client"),
        ReplyIntent.INFO: _("Répondre à la demande d'information"),
        ReplyIntent.BOOKING: _("Confirmer le rendez-vous"),
        ReplyIntent.NOT_INTERESTED: _("Noter le refus et mettre la fiche à jour"),
    }[intent]


def _check_clock(campaign: Campaign, days: int) -> None:
    if not 1 <= days <= MAX_ADVANCE_DAYS:
        raise ValidationError(
            _("Avancez l'horloge de 1 à %(max)s jours.") % {"max": MAX_ADVANCE_DAYS}
        )
    if campaign.status != CampaignStatus.SENT:
        raise ValidationError(_("L'horloge avance une fois l'envoi terminé."))


def campaign_due_count(*, campaign: Campaign, days: int) -> int:
    """How many reactions advancing the clock by ``days`` would materialise."""
    if campaign.clock is None:
        return 0
    return CampaignEvent.objects.filter(
        campaign=campaign,
        applied_at__isnull=True,
        occurs_at__lte=campaign.clock + timedelta(days=days),
    ).count()


@transaction.atomic
def campaign_clock_advance(
    *, actor, campaign: Campaign, days: int, progress: JobProgress | None = None
) -> int:
    """Move the campaign's simulated clock ``days`` forward and let the reactions due by
    then happen; returns how many reactions happened."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_clock(campaign, days)
    campaign.clock = campaign.clock + timedelta(days=days)
    campaign.save(update_fields=["clock", "updated_at"])
    return campaign_events_apply(campaign=campaign, until=campaign.clock, progress=progress)


@transaction.atomic
def campaign_clock_advance_start(*, actor, campaign: Campaign, days: int) -> Job:
    """The same as ``campaign_clock_advance``, in a background job with progress (for the
    large campaigns whose reactions take longer than a page load)."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    _check_clock(campaign, days)
    job = job_create(
        owner=actor,
        workspace=campaign.workspace,
        kind=CLOCK_JOB_KIND,
        label=ngettext(
            "Horloge de la campagne « %(name)s » : + %(days)s jour",
            "Horloge de la campagne « %(name)s » : + %(days)s jours",
            days,
        )
        % {"name": campaign.name, "days": days},
    )
    Campaign.objects.filter(pk=campaign.pk).update(job_public_id=job.public_id)
    job_enqueue(job, params={"campaign_id": campaign.pk, "days": days})
    return job


def campaign_clock_move(*, actor, campaign: Campaign, days: int) -> tuple[int, Job | None]:
    """Advance the clock now, or in a background job when more than ``CLOCK_SYNC_LIMIT``
    reactions fall due: ``(reactions that happened, the job or None)``."""
    if campaign_due_count(campaign=campaign, days=days) > CLOCK_SYNC_LIMIT:
        return 0, campaign_clock_advance_start(actor=actor, campaign=campaign, days=days)
    return campaign_clock_advance(actor=actor, campaign=campaign, days=days), None


def campaign_clock_catch_up(*, now: datetime | None = None) -> int:
    """Real time: bring every sent campaign whose clock lags behind now up to now."""
    now = now or timezone.now()
    applied = 0
    due = CampaignEvent.objects.filter(
        campaign=OuterRef("pk"), applied_at__isnull=True, occurs_at__lte=now
    )
    # Only campaigns with reactions due: finished ones are not touched every ten minutes.
    for campaign_id in (
        Campaign.objects.filter(status=CampaignStatus.SENT, clock__lt=now)
        .filter(Exists(due))
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
            campaign.clock = now
            campaign.save(update_fields=["clock", "updated_at"])
            applied += campaign_events_apply(campaign=campaign, until=now)
    return applied


def campaign_events_apply(
    *, campaign: Campaign, until: datetime, progress: JobProgress | None = None
) -> int:
    """Materialise the drawn reactions dated up to ``until``, oldest first."""
    pending = list(
        CampaignEvent.objects.filter(
            campaign=campaign, applied_at__isnull=True, occurs_at__lte=until
        )
        .select_related("recipient__customer__person", "recipient__customer__company")
        .order_by("occurs_at", "id")
    )
    if progress is not None:
        progress.start(len(pending))
    now = timezone.now()
    for start in range(0, len(pending), 900):
        chunk = pending[start : start + 900]
        flags: dict[str, list[int]] = {}
        for event in chunk:
            flags.setdefault(FLAG_OF[event.kind], []).append(event.recipient_id)
            if event.kind == ReactionKind.UNSUBSCRIBED:
                _unsubscribe(campaign, event)
        _receive_replies(campaign, [e for e in chunk if e.kind == ReactionKind.REPLIED])
        for flag, ids in flags.items():
            CampaignRecipient.objects.filter(pk__in=ids).update(**{flag: True})
        CampaignEvent.objects.filter(pk__in=[e.pk for e in chunk]).update(applied_at=now)
        if progress is not None:
            progress.advance(len(chunk))
    return len(pending)


def _receive_replies(campaign: Campaign, events: list[CampaignEvent]) -> None:
    """Replies: into the inbox, the customer's history (incoming) and a task to handle each;
    a booking reply also books the appointment in the agenda."""
    if not events:
        return
    kind = ACTIVITY_KIND[campaign.channel]
    replies, tasks = [], []
    for event in events:
        customer = event.recipient.customer
        text = simulator.reply_text(event.intent, event.variant)
        replies.append(
            Activity(
                workspace=campaign.workspace,
                customer=customer,
                kind=kind,
                direction="in",
                subject=(_("Réponse à la campagne « %(name)s »") % {"name": campaign.name})[:200],
                body=text,
                occurred_at=event.occurs_at,
                owner=campaign.sent_by,
                outcome=REPLY_OUTCOME[event.intent],
            )
        )
        tasks.append(
            Activity(
                workspace=campaign.workspace,
                customer=customer,
                kind=ActivityKind.CALL if campaign.channel != CampaignChannel.EMAIL else kind,
                direction="out",
                subject=_task_subject(event.intent)[:200],
                body=_("Suite à la réponse : « %(text)s »") % {"text": text},
                occurred_at=event.occurs_at,
                owner=campaign.sent_by,
                outcome=ActivityOutcome.PLANNED,
                next_follow_up_on=timezone.localdate(event.occurs_at) + timedelta(days=1),
            )
        )
    Activity.objects.bulk_create(replies + tasks, batch_size=500)
    _log_in_bulk(campaign, replies, event_code=CAMPAIGN_REPLY_RECEIVED)
    _log_in_bulk(campaign, tasks, event_code=ACTIVITY_LOGGED)
    CampaignMessage.objects.bulk_create(
        [
            CampaignMessage(
                workspace=campaign.workspace,
                campaign=campaign,
                recipient=event.recipient,
                customer=event.recipient.customer,
                received_at=event.occurs_at,
                intent=event.intent,
                body=reply.body,
                activity=reply,
                task=task,
                appointment=_book(campaign, event.recipient.customer, event)
                if event.intent == ReplyIntent.BOOKING
                else None,
            )
            for event, reply, task in zip(events, replies, tasks, strict=True)
        ],
        batch_size=500,
    )


def _book(campaign: Campaign, customer: Customer, event: CampaignEvent):
    starts_at = simulator.booking_slot(timezone.localtime(event.occurs_at), event.variant)
    details = {
        "title": (_("Rendez-vous — campagne « %(name)s »") % {"name": campaign.name})[:200],
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "customer": customer,
        "source": AppointmentSource.CAMPAIGN,
        "workspace": campaign.workspace,
    }
    if campaign.sent_by is not None:
        try:
            return appointment_create(actor=campaign.sent_by, **details)
        except (PermissionDenied, NotFound):  # NotFound: no longer a member of the workspace
            pass
    # The sender lost access since (or is unknown): the booking still happens, owned by someone
    # who can see it, so that it reaches an agenda and an .ics.
    return appointment_create(actor=None, owner=_booking_owner(campaign, customer), **details)


def _booking_owner(campaign: Campaign, customer: Customer):
    """The customer's account manager, else the campaign's author, else its sender — the first
    who still works in the campaign's workspace; failing that, the first known of them."""
    candidates = [
        user
        for user in (customer.owner, campaign.created_by, campaign.sent_by)
        if user is not None and user.is_active
    ]
    for user in candidates:
        if user.has_role_permission(Permission.CRM_VIEW, workspace=campaign.workspace):
            return user
    return candidates[0] if candidates else None


def _unsubscribe(campaign: Campaign, event: CampaignEvent) -> None:
    """The recipient asked to hear no more on this channel: clear that consent, audited."""
    consent_set(
        actor=None,
        contact=event.recipient.customer.contact,
        channel=CONSENT_CHANNEL[campaign.channel],
        granted=False,
        source=f"campaign:{campaign.public_id}",
        action="contact.unsubscribe",
    )


# --- Inbox ----------------------------------------------------------------------------------


@transaction.atomic
def message_mark_read(*, actor, message: CampaignMessage) -> CampaignMessage:
    ensure_permission(actor, Permission.CRM_VIEW, message.workspace)
    if not message.is_read:
        message.is_read = True
        message.save(update_fields=["is_read", "updated_at"])
    return message


@transaction.atomic
def message_handle(*, actor, message: CampaignMessage, handled: bool = True) -> CampaignMessage:
    """Mark a reply handled (or back to be handled); handling also marks it read."""
    ensure_permission(actor, Permission.CRM_EDIT, message.workspace)
    message.is_read = True
    message.handled_at = timezone.now() if handled else None
    message.handled_by = actor if handled else None
    message.save(update_fields=["is_read", "handled_at", "handled_by", "updated_at"])
    return message
