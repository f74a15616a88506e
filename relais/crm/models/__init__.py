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
from relais.crm.models.customers import Customer, CustomerKind, CustomerSource, CustomerStatus
from relais.crm.models.invoices import Invoice, InvoiceKind, InvoiceLine
from relais.crm.models.segments import Segment
from relais.crm.models.vehicles import Energy, FinancingType, MileageReading, Vehicle, VehicleUsage

__all__ = [
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
