"""The CRM's records that belong to a sandbox (``relais.core.workspaces.sandbox``).

Everything a learner works on is copied from the school template into their sandbox, reset
and carried by snapshots. Dashboards are the user's layout, not records: they stay out.
"""

from relais.core.workspaces.sandbox import register_sandbox_models


def register() -> None:
    """Called once from ``CrmConfig.ready()``."""
    from relais.crm.models import (
        Activity,
        Appointment,
        Campaign,
        CampaignEvent,
        CampaignMessage,
        CampaignRecipient,
        CleaningBatch,
        Customer,
        CustomerMerge,
        DuplicateCandidate,
        Invoice,
        InvoiceLine,
        Lead,
        MileageReading,
        Note,
        ReactionSettings,
        Segment,
        Vehicle,
    )

    register_sandbox_models(
        Customer,
        Vehicle,
        MileageReading,
        Invoice,
        InvoiceLine,
        Activity,
        Note,
        Lead,
        Segment,
        Appointment,
        Campaign,
        CampaignRecipient,
        CampaignEvent,
        CampaignMessage,
        ReactionSettings,
        DuplicateCandidate,
        CustomerMerge,
        CleaningBatch,
    )
