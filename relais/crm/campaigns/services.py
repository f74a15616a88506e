"""Campaign actions: create, edit, send (in the background), move the simulated clock,
handle replies, set the reaction probabilities."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.audit.services import audit_log
from relais.core.interactions.models import Direction
from relais.core.interactions.services import record_many
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_create, job_enqueue
from relais.crm.agenda.services import appointment_create
from relais.crm.campaigns import merge_fields, simulator
from relais.crm.campaigns.consent import (
    CONSENT_FIELD,
    exclusion_reason,
    unsubscribed_customer_ids,
)
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
    ReactionSettings,
    ReplyIntent,
)
from relais.crm.segments.query import segment_customers

SEND_JOB_KIND = "crm.campaign_send"
BATCH_SIZE = 500
MAX_ADVANCE_DAYS = 60
SMS_MAX_SEGMENTS = 6
CAMPAIGN_FIELDS = ("name", "subject", "body", "seed", "follow_up_days")

ACTIVITY_KIND = {
    CampaignChannel.LETTER: ActivityKind.LETTER,
    CampaignChannel.EMAIL: ActivityKind.EMAIL,
    CampaignChannel.SMS: ActivityKind.SMS,
}
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


# --- Targets and audience -------------------------------------------------------------------


def campaign_targets(campaign: Campaign) -> QuerySet[Customer]:
    """The customers the campaign aims at: its segment's members, or its one customer."""
    if campaign.segment_id:
        customers = segment_customers(campaign.segment)
    elif campaign.customer_id:
        customers = Customer.objects.in_workspace(campaign.workspace).filter(
            pk=campaign.customer_id
        )
    else:
        customers = Customer.objects.none()
    return customers.filter(workspace=campaign.workspace).select_related("person", "company")


@dataclass
class Audience:
    """Who would receive the campaign now, and who would not, and why."""

    included: list[tuple[Customer, str]]
    excluded: list[tuple[Customer, str]]

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return sorted(Counter(reason for _c, reason in self.excluded).items())

    @property
    def total(self) -> int:
        return len(self.included) + len(self.excluded)


def campaign_audience(campaign: Campaign) -> Audience:
    """Apply the consent and reachability rules of ``relais.crm.campaigns.consent``."""
    customers = list(campaign_targets(campaign))
    unsubscribed = unsubscribed_customer_ids(
        workspace=campaign.workspace,
        channel=campaign.channel,
        customer_ids=[c.pk for c in customers] if len(customers) < 900 else None,
    )
    seen: set[str] = set()
    audience = Audience([], [])
    for customer in customers:
        reason, address = exclusion_reason(
            customer, campaign.channel, unsubscribed_ids=unsubscribed, seen=seen
        )
        if reason:
            audience.excluded.append((customer, reason))
        else:
            audience.included.append((customer, address))
    return audience


# --- Create, edit, probabilities ------------------------------------------------------------


def _validate_campaign(campaign: Campaign) -> None:
    errors: dict[str, list] = {}
    try:
        campaign.full_clean(exclude=["workspace", "segment", "customer", "created_by", "sent_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field in ("subject", "body"):
        try:
            merge_fields.validate_template(getattr(campaign, field), field=field)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.message_dict[field])
    if campaign.segment_id and campaign.customer_id:
        errors.setdefault("__all__", []).append(
            _("Choisissez un segment ou un client, pas les deux.")
        )
    for target in (campaign.segment, campaign.customer):
        if target is not None and target.workspace_id != campaign.workspace_id:
            errors.setdefault("__all__", []).append(_("Cible introuvable dans cet espace."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(
    *, actor, workspace, name: str, channel: str, segment=None, customer=None, **data
) -> Campaign:
    """A draft campaign aimed at a saved segment or at one customer."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    if segment is None and customer is None:
        raise ValidationError(_("Choisissez la cible : un segment enregistré ou un client."))
    campaign = Campaign(
        workspace=workspace,
        name=name,
        channel=channel,
        segment=segment,
        customer=customer,
        created_by=actor,
    )
    for field in CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    _validate_campaign(campaign)
    campaign.save()
    return campaign


def _ensure_draft(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Cette campagne est déjà envoyée : elle ne peut plus changer."))


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict) -> Campaign:
    """Edit a draft's name, template, seed and follow-up delay."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _ensure_draft(campaign)
    for field in CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    _validate_campaign(campaign)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_delete(*, actor, campaign: Campaign) -> None:
    """Delete a draft (a sent campaign is history: it stays)."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    _ensure_draft(campaign)
    campaign.delete()


@transaction.atomic
def reaction_settings_save(
    *, actor, workspace, channel: str, values: dict[str, float], campaign: Campaign | None = None
) -> ReactionSettings:
    """Set the base probabilities of ``channel`` for a draft campaign or the whole workspace."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    if campaign is not None:
        _ensure_draft(campaign)
    row = ReactionSettings.objects.filter(
        workspace=workspace, campaign=campaign, channel=channel
    ).first() or ReactionSettings(workspace=workspace, campaign=campaign, channel=channel)
    for step in simulator.STEPS:
        setattr(row, step, values[step])
    row.full_clean(exclude=["workspace", "campaign"])
    row.save()
    return row


@transaction.atomic
def reaction_settings_reset(*, actor, workspace, campaign: Campaign | None, channel: str) -> None:
    """Back to the defaults (the workspace's for a campaign, the built-in ones otherwise)."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    if campaign is not None:
        _ensure_draft(campaign)
    ReactionSettings.objects.filter(
        workspace=workspace, campaign=campaign, channel=channel
    ).delete()


# --- Sending --------------------------------------------------------------------------------


@transaction.atomic
def campaign_send(*, actor, campaign: Campaign) -> Job:
    """Freeze the recipients (included, or excluded with their reason), then queue the
    background job that renders, logs and simulates every included recipient."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _ensure_draft(campaign)
    errors: dict[str, list] = {}
    if campaign.channel != CampaignChannel.SMS and not campaign.subject.strip():
        errors["subject"] = [_("Indiquez l'objet du message avant l'envoi.")]
    if not campaign.body.strip():
        errors["body"] = [_("Rédigez le message avant l'envoi.")]
    if errors:
        raise ValidationError(errors)
    _validate_campaign(campaign)
    if campaign.segment_id is None and campaign.customer_id is None:
        raise ValidationError(_("La cible de cette campagne n'existe plus."))
    audience = campaign_audience(campaign)
    if not audience.included:
        raise ValidationError(
            _("Aucun destinataire ne peut recevoir cette campagne (consentement ou coordonnées).")
        )
    now = timezone.now()
    rows = [
        CampaignRecipient(
            workspace=campaign.workspace, campaign=campaign, customer=customer, address=address
        )
        for customer, address in audience.included
    ] + [
        CampaignRecipient(
            workspace=campaign.workspace,
            campaign=campaign,
            customer=customer,
            excluded_reason=reason,
        )
        for customer, reason in audience.excluded
    ]
    CampaignRecipient.objects.bulk_create(rows, batch_size=1000)
    job = job_create(
        owner=actor,
        workspace=campaign.workspace,
        kind=SEND_JOB_KIND,
        label=_("Envoi de la campagne « %(name)s »") % {"name": campaign.name},
    )
    campaign.status = CampaignStatus.SENDING
    campaign.sent_at = now
    campaign.clock = now
    campaign.sent_by = actor
    campaign.job_public_id = job.public_id
    campaign.save()
    audit_log(
        actor=actor,
        action="campaign.send",
        target=campaign,
        after={"included": len(audience.included), "excluded": dict(audience.reasons)},
    )
    from relais.crm.campaigns.tasks import campaign_send_task

    job_enqueue(campaign_send_task, job, campaign.pk)
    return job


@transaction.atomic
def campaign_send_resume(*, actor, campaign: Campaign) -> Job:
    """Queue the send job again for a campaign whose job failed or vanished: recipients
    already processed (with their activity) are skipped, the others are sent."""
    ensure_permission(actor, Permission.CRM_EDIT, campaign.workspace)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.SENDING:
        raise ValidationError(_("Cette campagne n'a pas d'envoi en attente."))
    running = Job.objects.filter(
        public_id=campaign.job_public_id, status__in=["pending", "running"]
    ).exists()
    if running:
        raise ValidationError(_("L'envoi est déjà en cours."))
    job = job_create(
        owner=actor,
        workspace=campaign.workspace,
        kind=SEND_JOB_KIND,
        label=_("Reprise de l'envoi de la campagne « %(name)s »") % {"name": campaign.name},
    )
    campaign.job_public_id = job.public_id
    campaign.save(update_fields=["job_public_id", "updated_at"])
    from relais.crm.campaigns.tasks import campaign_send_task

    job_enqueue(campaign_send_task, job, campaign.pk)
    return job


def _activity_subject(campaign: Campaign, subject: str) -> str:
    text = _("Campagne « %(name)s »") % {"name": campaign.name}
    if subject:
        text = f"{text} : {subject}"
    return text[:200]


def campaign_process(*, campaign: Campaign, progress: JobProgress | None = None) -> int:
    """Render, log and simulate every included recipient, in batches (the job's body).

    Each batch commits on its own: a 10,000-recipient campaign shows its progress and never
    holds one long transaction. Returns how many recipients were sent.
    """
    recipients = CampaignRecipient.objects.filter(
        campaign=campaign, excluded_reason="", activity__isnull=True
    ).order_by("id")
    total = recipients.count()
    if progress is not None:
        progress.start(total)
    base = simulator.probabilities_for(
        workspace=campaign.workspace, channel=campaign.channel, campaign=campaign
    )
    sent = 0
    last_id = 0
    while True:
        batch = list(
            CampaignRecipient.objects.filter(
                campaign=campaign, excluded_reason="", activity__isnull=True, id__gt=last_id
            )
            .select_related("customer__person", "customer__company")
            .order_by("id")[:BATCH_SIZE]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        with transaction.atomic():
            _process_batch(campaign, batch, base=base)
        sent += len(batch)
        if progress is not None:
            progress.advance(len(batch))
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(
            status=CampaignStatus.SENT, updated_at=timezone.now()
        )
        campaign.status = CampaignStatus.SENT
    return sent


def _process_batch(campaign, batch, *, base) -> None:
    sent_at = campaign.sent_at
    today = timezone.localtime(sent_at).date()
    context = merge_fields.MergeContext(
        [r.customer for r in batch], workspace=campaign.workspace, today=today
    )
    follow_up = today + timedelta(days=campaign.follow_up_days) if campaign.follow_up_days else None
    kind = ACTIVITY_KIND[campaign.channel]
    activities = []
    events = []
    for recipient in batch:
        customer = recipient.customer
        values = context.values(customer)
        recipient.subject = merge_fields.render(campaign.subject, values)[:300]
        recipient.body = merge_fields.render(campaign.body, values)
        activities.append(
            Activity(
                workspace=campaign.workspace,
                customer=customer,
                kind=kind,
                direction="out",
                subject=_activity_subject(campaign, recipient.subject),
                body=recipient.body,
                occurred_at=sent_at,
                owner=campaign.sent_by,
                outcome=ActivityOutcome.DONE,
                next_follow_up_on=follow_up,
            )
        )
        profile = simulator.profile_of(
            customer,
            visits=context.visits.get(customer.pk, []),
            today=today,
            frequency=context.frequency(customer),
        )
        drawn = simulator.draw(
            rng=simulator.rng_for(campaign.seed, simulator.stable_id(customer)),
            channel=campaign.channel,
            probabilities=simulator.effective_probabilities(base, profile, campaign.channel),
            sent_at=sent_at,
        )
        events.extend(
            CampaignEvent(
                workspace=campaign.workspace,
                campaign=campaign,
                recipient=recipient,
                kind=event.kind,
                occurs_at=event.occurs_at,
                intent=event.intent,
                variant=event.variant,
            )
            for event in drawn.events
        )
    Activity.objects.bulk_create(activities)
    _log_in_bulk(campaign, activities)
    _store_rendered(batch, activities)
    CampaignEvent.objects.bulk_create(events)


def _store_rendered(batch, activities) -> None:
    """Write each recipient's rendered message and activity in one prepared statement.

    ``bulk_update`` builds a CASE expression per row and column, which costs seconds per
    thousand rows; ``executemany`` of one plain UPDATE is what the database does best.
    """
    table = connection.ops.quote_name(CampaignRecipient._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            # The table name comes from the model, never from input.
            f"UPDATE {table} SET subject = %s, body = %s, activity_id = %s, updated_at = %s "  # noqa: S608
            "WHERE id = %s",
            [
                (recipient.subject, recipient.body, activity.pk, now, recipient.pk)
                for recipient, activity in zip(batch, activities, strict=True)
            ],
        )


# --- The simulated clock --------------------------------------------------------------------


CLOCK_JOB_KIND = "crm.campaign_clock"
# Beyond this many reactions to materialise, the clock moves in a background job.
CLOCK_SYNC_LIMIT = 1500


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
    from relais.crm.campaigns.tasks import campaign_clock_advance_task

    job_enqueue(campaign_clock_advance_task, job, campaign.pk, days)
    return job


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


def _log_in_bulk(campaign: Campaign, activities: list[Activity]) -> None:
    """The interactions of freshly bulk-created activities, as ``activity_create`` logs them."""
    record_many(
        workspace=campaign.workspace,
        source_model=Activity,
        entries=(
            {
                "person_id": activity.customer.person_id,
                "company_id": activity.customer.company_id,
                "channel": ActivityKind(activity.kind).channel,
                "direction": Direction.INBOUND
                if activity.direction == "in"
                else Direction.OUTBOUND,
                "topic": activity.subject,
                "summary": activity.body,
                "started_at": activity.occurred_at,
                "actor": activity.owner,
                "outcome": str(activity.get_outcome_display()) if activity.outcome else "",
                "source_id": activity.pk,
            }
            for activity in activities
        ),
    )


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
    _log_in_bulk(campaign, replies + tasks)
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
    try:
        return appointment_create(actor=campaign.sent_by, **details)
    except PermissionDenied:
        # The sender lost access since: the booking still happens, owned by nobody.
        return appointment_create(actor=None, **details)


def _unsubscribe(campaign: Campaign, event: CampaignEvent) -> None:
    """The recipient asked to hear no more on this channel: clear that consent, audited."""
    contact = event.recipient.customer.contact
    field = CONSENT_FIELD[campaign.channel]
    if not getattr(contact, field):
        return
    setattr(contact, field, False)
    contact.consent_updated_at = timezone.now()
    contact.save(update_fields=[field, "consent_updated_at", "updated_at"])
    audit_log(
        actor=None,
        action="contact.unsubscribe",
        target=contact,
        workspace=campaign.workspace,
        before={field: True},
        after={field: False, "campaign": str(campaign.public_id)},
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
