from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts import validators as v
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import forget_source, record
from relais.core.workspaces.models import Workspace
from relais.crm.interaction_events import LEAD_RECEIVED
from relais.crm.models import Customer, CustomerKind, CustomerSource, Lead, LeadStatus, LeadType
from relais.crm.permissions import Permission
from relais.crm.services.customers import _apply, customer_create

LEAD_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "lead_type",
    "emitted_at",
    "vehicle_of_interest",
    "message",
    "status",
}
LEAD_CHANNELS = {
    LeadType.PHONE: Channel.PHONE,
    LeadType.CALLBACK: Channel.PHONE,
    LeadType.SHOWROOM: Channel.COUNTER,
    LeadType.EVENT: Channel.COUNTER,
}


def _clean_lead(lead: Lead) -> None:
    if lead.phone:
        try:
            lead.phone = v.normalize_phone(lead.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if lead.emitted_at and lead.emitted_at > timezone.now():
        raise ValidationError({"emitted_at": [_("Un lead ne peut pas être émis dans le futur.")]})
    lead.full_clean(exclude=["workspace", "customer"])


@transaction.atomic
def lead_create(*, actor, workspace: Workspace, data: dict) -> Lead:
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    lead = Lead(workspace=workspace, emitted_at=timezone.now())
    _apply(lead, data, LEAD_FIELDS)
    _clean_lead(lead)
    lead.save()
    return lead


@transaction.atomic
def lead_update(*, actor, lead: Lead, data: dict) -> Lead:
    ensure_permission(actor, Permission.CRM_EDIT, lead.workspace)
    _apply(lead, data, LEAD_FIELDS)
    _clean_lead(lead)
    lead.save()
    return lead


@transaction.atomic
def lead_delete(*, actor, lead: Lead) -> None:
    ensure_permission(actor, Permission.CRM_DELETE, lead.workspace)
    audit_log(actor=actor, action="lead.delete", target=lead, before=snapshot(lead))
    # A converted lead is its customer's first touchpoint: that stays, unlinked.
    forget_source(source=lead)
    lead.delete()


@transaction.atomic
def lead_convert(*, actor, lead: Lead) -> Customer:
    """Turn a lead into a prospect record, keeping the lead as its first touchpoint."""
    ensure_permission(actor, Permission.CRM_EDIT, lead.workspace)
    if lead.customer_id:
        raise ValidationError(_("Ce lead a déjà été converti."))
    contact_data = {"first_name": lead.first_name, "last_name": lead.last_name, "email": lead.email}
    if lead.phone:
        key = "phone_mobile" if v.digits(lead.phone)[:2] in {"06", "07"} else "phone_landline"
        contact_data[key] = lead.phone
    customer = customer_create(
        actor=actor,
        workspace=lead.workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data=contact_data,
        customer_data={"source": CustomerSource.LEAD, "owner": actor},
    )
    lead.customer = customer
    lead.status = LeadStatus.CONVERTED
    lead.save(update_fields=["customer", "status", "updated_at"])
    record(
        workspace=lead.workspace,
        event_code=LEAD_RECEIVED,
        person=customer.person,
        channel=LEAD_CHANNELS.get(lead.lead_type, Channel.WEB),
        direction=Direction.INBOUND,
        topic=f"{lead.get_lead_type_display()} — {lead.vehicle_of_interest or ''}".strip(" —"),
        summary=lead.message,
        started_at=lead.emitted_at,
        source=lead,
    )
    return customer
