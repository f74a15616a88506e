"""Campaign sending: freeze the recipients, queue (or resume) the background job, render,
log and simulate every recipient in batches."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.interactions.models import Direction
from relais.core.interactions.services import record_batch
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_create, job_enqueue
from relais.core.rows import insert_rows
from relais.crm.campaigns import merge_fields, simulator
from relais.crm.campaigns.services.audience import campaign_audience
from relais.crm.campaigns.services.editing import _ensure_draft, _validate_campaign
from relais.crm.interaction_events import (
    CAMPAIGN_MESSAGE_SENT,
    activity_interaction,
    campaign_case_key,
)
from relais.crm.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Campaign,
    CampaignChannel,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
)
from relais.crm.permissions import Permission

SEND_JOB_KIND = "crm.campaign_send"
BATCH_SIZE = 1000
SMS_MAX_SEGMENTS = 6

ACTIVITY_KIND = {
    CampaignChannel.LETTER: ActivityKind.LETTER,
    CampaignChannel.EMAIL: ActivityKind.EMAIL,
    CampaignChannel.SMS: ActivityKind.SMS,
}


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
    workspace_id = campaign.workspace_id
    insert_rows(
        CampaignRecipient,
        ("workspace_id", "campaign_id", "customer_id", "address", "excluded_reason"),
        [
            (workspace_id, campaign.pk, customer.pk, address, "")
            for customer, address in audience.included
        ]
        + [
            (workspace_id, campaign.pk, customer.pk, "", str(reason))
            for customer, reason in audience.excluded
        ],
        now=now,
    )
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
    job_enqueue(job, params={"campaign_id": campaign.pk})
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
    job_enqueue(job, params={"campaign_id": campaign.pk})
    return job


def _activity_subject(campaign: Campaign, subject: str, *, prefix: str | None = None) -> str:
    text = prefix or _("Campagne « %(name)s »") % {"name": campaign.name}
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


_ACTIVITY_FIELDS = (
    "workspace_id",
    "customer_id",
    "kind",
    "direction",
    "subject",
    "body",
    "occurred_at",
    "owner_id",
    "outcome",
    "next_follow_up_on",
)
_EVENT_FIELDS = (
    "workspace_id",
    "campaign_id",
    "recipient_id",
    "kind",
    "occurs_at",
    "intent",
    "variant",
)


def _process_batch(campaign, batch, *, base) -> None:
    """Render, log and simulate one batch of recipients.

    The rows are written as tuples through ``relais.core.rows.insert_rows`` (one prepared
    statement per table) and ``record_batch``: exactly the activities, interactions and
    reactions ``bulk_create`` would write, without a model instance per row.
    """
    sent_at = campaign.sent_at
    today = timezone.localtime(sent_at).date()
    context = merge_fields.MergeContext(
        [r.customer for r in batch], workspace=campaign.workspace, today=today
    )
    follow_up = today + timedelta(days=campaign.follow_up_days) if campaign.follow_up_days else None
    # Plain strings: the driver must not see the choices' enum members.
    kind = str(ACTIVITY_KIND[campaign.channel].value)
    done = str(ActivityOutcome.DONE.value)
    workspace_id, owner_id = campaign.workspace_id, campaign.sent_by_id
    prefix = _("Campagne « %(name)s »") % {"name": campaign.name}
    activities = []
    drawn_events = []
    for recipient in batch:
        customer = recipient.customer
        values = context.values(customer)
        recipient.subject = merge_fields.render(campaign.subject, values)[:300]
        recipient.body = merge_fields.render(campaign.body, values)
        activities.append(
            (
                workspace_id,
                customer.pk,
                kind,
                "out",
                _activity_subject(campaign, recipient.subject, prefix=prefix),
                recipient.body,
                sent_at,
                owner_id,
                done,
                follow_up,
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
        drawn_events.extend((recipient, event) for event in drawn.events)
    activity_ids = insert_rows(Activity, _ACTIVITY_FIELDS, activities)
    _log_sent(campaign, batch, activities, activity_ids)
    _store_rendered(batch, activity_ids)
    insert_rows(
        CampaignEvent,
        _EVENT_FIELDS,
        [
            (
                workspace_id,
                campaign.pk,
                recipient.pk,
                str(event.kind),
                event.occurs_at,
                str(event.intent),
                event.variant,
            )
            for recipient, event in drawn_events
        ],
    )


def _log_sent(campaign, batch, activities: list[tuple], activity_ids: list[int]) -> None:
    """The interactions of the activities ``_process_batch`` wrote, as ``activity_create``
    logs them (``activity_interaction``'s fields), in the campaign's case."""
    case_key = campaign_case_key(campaign)
    kind = ACTIVITY_KIND[campaign.channel]
    channel = ActivityKind(kind).channel
    record_batch(
        workspace=campaign.workspace,
        source_model=Activity,
        entries=(
            {
                "person_id": recipient.customer.person_id,
                "company_id": recipient.customer.company_id,
                "source_id": activity_id,
                "case_key": case_key,
                "event_code": CAMPAIGN_MESSAGE_SENT,
                "channel": channel,
                "direction": Direction.OUTBOUND,
                "topic": row[4][:200],
                "summary": row[5],
                "started_at": row[6],
                "actor_id": row[7],
                "outcome": row[8],
            }
            for recipient, row, activity_id in zip(batch, activities, activity_ids, strict=True)
        ),
    )


def _store_rendered(batch, activity_ids: list[int]) -> None:
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
                (recipient.subject, recipient.body, activity_id, now, recipient.pk)
                for recipient, activity_id in zip(batch, activity_ids, strict=True)
            ],
        )


def _log_in_bulk(
    campaign: Campaign, activities: list[Activity], *, event_code: str = CAMPAIGN_MESSAGE_SENT
) -> None:
    """The interactions of freshly bulk-created activities, as ``activity_create`` logs them,
    in the campaign's case."""
    case_key = campaign_case_key(campaign)
    record_batch(
        workspace=campaign.workspace,
        source_model=Activity,
        entries=(
            {
                "person_id": activity.customer.person_id,
                "company_id": activity.customer.company_id,
                "source_id": activity.pk,
                "case_key": case_key,
                **activity_interaction(activity, event_code=event_code),
            }
            for activity in activities
        ),
    )
