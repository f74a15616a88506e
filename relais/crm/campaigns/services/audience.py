"""Campaign targets and audience: who the campaign aims at, who would receive it and who
would not, and why."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from relais.crm.campaigns import merge_fields
from relais.crm.campaigns.consent import exclusion_reason, unsubscribed_customer_ids
from relais.crm.models import (
    Campaign,
    CampaignChannel,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    ExclusionReason,
)
from relais.crm.segments.query import segment_customers

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


def campaign_preview(campaign: Campaign, customer: Customer) -> dict | None:
    """What ``customer`` receives: the frozen copy once sent (None when not a recipient),
    a fresh rendering with the exclusion rules before."""
    if campaign.status != CampaignStatus.DRAFT:
        recipient = CampaignRecipient.objects.filter(campaign=campaign, customer=customer).first()
        if recipient is None:
            return None
        subject, body, reason = recipient.subject, recipient.body, recipient.excluded_reason
    else:
        values = merge_fields.MergeContext([customer], workspace=campaign.workspace).values(
            customer
        )
        subject = merge_fields.render(campaign.subject, values)
        body = merge_fields.render(campaign.body, values)
        reason, _address = exclusion_reason(
            customer,
            campaign.channel,
            unsubscribed_ids=unsubscribed_customer_ids(
                workspace=campaign.workspace, channel=campaign.channel, customer_ids=[customer.pk]
            ),
            seen=set(),
        )
    return {
        "customer": customer,
        "subject": subject,
        "body": body,
        "reason": ExclusionReason(reason).label if reason else "",
        "sms": merge_fields.sms_length(body) if campaign.channel == CampaignChannel.SMS else None,
        "contact": customer.contact,
    }
