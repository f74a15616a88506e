from relais.crm.models.activities import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Lead,
    LeadStatus,
    LeadType,
    Note,
)
from relais.crm.models.agenda import Appointment, AppointmentSource, Recurrence
from relais.crm.models.campaigns import (
    Campaign,
    CampaignChannel,
    CampaignEvent,
    CampaignMessage,
    CampaignRecipient,
    CampaignStatus,
    ExclusionReason,
    ReactionKind,
    ReactionSettings,
    ReplyIntent,
)
from relais.crm.models.customers import Customer, CustomerKind, CustomerSource, CustomerStatus
from relais.crm.models.dashboards import Dashboard, DashboardWidget, WidgetChartType, WidgetPeriod
from relais.crm.models.invoices import Invoice, InvoiceKind, InvoiceLine
from relais.crm.models.merges import (
    CandidateStatus,
    CleaningBatch,
    CustomerMerge,
    DuplicateCandidate,
)
from relais.crm.models.segments import Segment
from relais.crm.models.vehicles import Energy, FinancingType, MileageReading, Vehicle, VehicleUsage

__all__ = [
    "CandidateStatus",
    "CleaningBatch",
    "CustomerMerge",
    "DuplicateCandidate",
    "Campaign",
    "CampaignChannel",
    "CampaignEvent",
    "CampaignMessage",
    "CampaignRecipient",
    "CampaignStatus",
    "ExclusionReason",
    "ReactionKind",
    "ReactionSettings",
    "ReplyIntent",
    "WidgetChartType",
    "Dashboard",
    "DashboardWidget",
    "WidgetPeriod",
    "Appointment",
    "AppointmentSource",
    "Recurrence",
    "Segment",
    "Activity",
    "ActivityKind",
    "ActivityOutcome",
    "Customer",
    "CustomerKind",
    "CustomerSource",
    "CustomerStatus",
    "Energy",
    "FinancingType",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "Lead",
    "LeadStatus",
    "LeadType",
    "MileageReading",
    "Note",
    "Vehicle",
    "VehicleUsage",
]
