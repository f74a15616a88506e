"""Campaign reads, scoped by workspace and checked against the user's permission."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.jobs.models import Job
from relais.core.workspaces.models import Workspace
from relais.crm.campaigns import simulator
from relais.crm.models import (
    Campaign,
    CampaignMessage,
    CampaignRecipient,
    Customer,
    Segment,
)
from relais.crm.permissions import Permission


def _count(rows):
    counted = rows.order_by().values("campaign").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def campaign_list(*, user, workspace: Workspace) -> QuerySet[Campaign]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return (
        Campaign.objects.in_workspace(workspace)
        .select_related("segment", "customer__person", "customer__company")
        .annotate(
            included_count=_count(
                CampaignRecipient.objects.filter(campaign=OuterRef("pk"), excluded_reason="")
            ),
            unread_count=_count(
                CampaignMessage.objects.filter(campaign=OuterRef("pk"), is_read=False)
            ),
        )
        .order_by("-created_at", "-id")
    )


def campaign_get(*, user, workspace: Workspace, public_id) -> Campaign:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    campaign = (
        Campaign.objects.in_workspace(workspace)
        .select_related("segment", "customer__person", "customer__company", "sent_by", "workspace")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if campaign is None:
        raise NotFound(_("Campagne introuvable."))
    return campaign


def campaign_job(*, user, campaign: Campaign) -> Job | None:
    """The send job, shown to its owner (the job page checks the same)."""
    if campaign.job_public_id is None:
        return None
    return Job.objects.filter(public_id=campaign.job_public_id, owner=user).first()


def segment_choices(*, user, workspace: Workspace) -> QuerySet[Segment]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return Segment.objects.in_workspace(workspace).order_by("name", "id")


def segment_get(*, user, workspace: Workspace, public_id) -> Segment:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    segment = (
        Segment.objects.in_workspace(workspace)
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if segment is None:
        raise NotFound(_("Segment introuvable."))
    return segment


def customer_for_campaign(*, user, workspace: Workspace, public_id) -> Customer:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    customer = (
        Customer.objects.in_workspace(workspace)
        .select_related("person", "company")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if customer is None:
        raise NotFound(_("Client introuvable."))
    return customer


def recipients_of(*, campaign: Campaign, excluded: bool | None = None) -> QuerySet:
    rows = CampaignRecipient.objects.filter(campaign=campaign).select_related(
        "customer__person", "customer__company"
    )
    if excluded is True:
        rows = rows.exclude(excluded_reason="")
    elif excluded is False:
        rows = rows.filter(excluded_reason="")
    return rows.order_by("customer__sort_name", "id")


FUNNEL_STEPS = ("sent", "delivered", "opened", "clicked", "replied", "booked")
SIDE_STEPS = ("bounced", "unsubscribed")


def step_labels() -> dict[str, str]:
    return {
        "targeted": _("Ciblés"),
        "excluded": _("Exclus"),
        "sent": _("Envoyés"),
        "delivered": _("Distribués"),
        "opened": _("Ouverts / lus"),
        "clicked": _("Clics"),
        "replied": _("Réponses"),
        "booked": _("Rendez-vous"),
        "bounced": _("Non distribués"),
        "unsubscribed": _("Désinscriptions"),
    }


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    count: int
    rate: float | None  # share of the sent messages, in percent


def campaign_funnel(*, campaign: Campaign) -> list[FunnelRow]:
    """Targeted, excluded, then the funnel from sent to booked, then bounced and unsubscribed,
    counted in one query."""
    counts = CampaignRecipient.objects.filter(campaign=campaign).aggregate(
        targeted=Count("id"),
        excluded=Count("id", filter=~Q(excluded_reason="")),
        sent=Count("id", filter=Q(excluded_reason="")),
        **{step: Count("id", filter=Q(**{step: True})) for step in FUNNEL_STEPS[1:] + SIDE_STEPS},
    )
    labels = step_labels()
    sent = counts["sent"] or 0
    rows = []
    for key in ("targeted", "excluded", *FUNNEL_STEPS, *SIDE_STEPS):
        count = counts[key] or 0
        rate = (
            round(100 * count / sent, 1) if sent and key not in ("targeted", "excluded") else None
        )
        rows.append(FunnelRow(key, labels[key], count, rate))
    return rows


EXPORT_STEPS = ("delivered", "bounced", "opened", "clicked", "replied", "booked", "unsubscribed")


def campaign_export_rows(*, campaign: Campaign):
    """The report's CSV, header first: one line per targeted customer with the coordinate
    used, the exclusion reason and the reactions."""
    labels = step_labels()
    yield [_("Identifiant client"), _("Client"), _("Coordonnée"), _("Motif d'exclusion")] + [
        labels[s] for s in EXPORT_STEPS
    ]
    yes, no = _("Oui"), _("Non")
    for recipient in recipients_of(campaign=campaign).iterator(chunk_size=1000):
        yield [
            recipient.customer.public_id,
            recipient.customer.display_name,
            recipient.address,
            recipient.get_excluded_reason_display(),
        ] + [yes if getattr(recipient, s) else no for s in EXPORT_STEPS]


def exclusion_counts(*, campaign: Campaign) -> list[tuple[str, int]]:
    return list(
        CampaignRecipient.objects.filter(campaign=campaign)
        .exclude(excluded_reason="")
        .values_list("excluded_reason")
        .annotate(n=Count("id"))
        .order_by("excluded_reason")
    )


def reaction_probabilities(*, workspace: Workspace, campaign: Campaign) -> tuple[dict, str]:
    """The base probabilities in force for the campaign, and where they come from."""
    return simulator.probabilities_in_force(
        workspace=workspace, channel=campaign.channel, campaign=campaign
    )


def pending_event_count(*, campaign: Campaign) -> int:
    return campaign.events.filter(applied_at__isnull=True).count()


def inbox(
    *, user, workspace: Workspace, state: str = "", campaign: Campaign | None = None
) -> QuerySet[CampaignMessage]:
    """Replies of the workspace, newest first; ``state``: unread, todo (not handled), done."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    messages = CampaignMessage.objects.in_workspace(workspace).select_related(
        "campaign", "customer__person", "customer__company", "appointment"
    )
    if state == "non-lus":
        messages = messages.filter(is_read=False)
    elif state == "a-traiter":
        messages = messages.filter(handled_at__isnull=True)
    elif state == "traites":
        messages = messages.filter(handled_at__isnull=False)
    if campaign is not None:
        messages = messages.filter(campaign=campaign)
    return messages.order_by("-received_at", "-id")


def message_get(*, user, workspace: Workspace, public_id) -> CampaignMessage:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    message = (
        CampaignMessage.objects.in_workspace(workspace)
        .select_related(
            "campaign", "customer__person", "customer__company", "appointment", "task", "handled_by"
        )
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if message is None:
        raise NotFound(_("Message introuvable."))
    return message
