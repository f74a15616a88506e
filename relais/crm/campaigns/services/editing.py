"""Campaign editing: create, edit and delete drafts, set the reaction probabilities."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.crm.campaigns import merge_fields, simulator
from relais.crm.models import Campaign, CampaignStatus, ReactionSettings
from relais.crm.permissions import Permission

CAMPAIGN_FIELDS = ("name", "subject", "body", "seed", "follow_up_days")


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
