"""The CRM part of the REST API, under ``/api/workspaces/{workspace_id}/``.

Endpoints are thin: they resolve the workspace from the path, read through the CRM
selectors and write through the CRM services, exactly as the web screens do, so that
access checks and validation are the same whichever door a request comes in by. A record
of another workspace is reported as not found (404); a role that may not do something
gets 403; invalid data gets 422 with French messages per field.
"""

from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from relais.core.accounts.selectors import user_get_in_workspace
from relais.core.api import ERROR_RESPONSES, Pagination
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.selectors import workspace_get_for_user
from relais.crm import selectors
from relais.crm.models import Customer, CustomerKind, CustomerStatus, LeadStatus, LeadType
from relais.crm.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    CompanyContactIn,
    CompanyContactOut,
    CompanyIn,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    LeadIn,
    LeadOut,
    LeadPatch,
    MileageReadingIn,
    MileageReadingOut,
    NoteIn,
    NoteOut,
    NotePatch,
    PersonIn,
    VehicleIn,
    VehicleOut,
    VehiclePatch,
    choice,
)
from relais.crm.services import customers as customer_services
from relais.crm.services import deletion as deletion_services
from relais.crm.services import leads as lead_services
from relais.crm.services import records as record_services

router = Router()

# The workspace comes from the prefix the router is mounted at (``workspaces/{workspace_id}/``).
WorkspaceId = Path[UUID, {"description": "Identifiant de l'espace de travail."}]

CUSTOMER_SORTS = tuple(f"{sign}{key}" for key in selectors.CUSTOMER_SORTS for sign in ("", "-"))


def _ok(schema):
    return {200: schema, **ERROR_RESPONSES}


def _created(schema):
    return {201: schema, **ERROR_RESPONSES}


NO_CONTENT = {204: None, **ERROR_RESPONSES}


# --- Resolving what a request names ---------------------------------------------------------


def _workspace(request, workspace_id: UUID) -> Workspace:
    workspace = workspace_get_for_user(user=request.auth, public_id=workspace_id)
    if workspace is None:
        raise NotFound(_("Espace de travail introuvable."))
    return workspace


def _customer(request, workspace_id: UUID, customer_id: UUID) -> Customer:
    workspace = _workspace(request, workspace_id)
    return selectors.customer_get(user=request.auth, workspace=workspace, public_id=customer_id)


def _get(request, selector, workspace_id: UUID, public_id: UUID):
    """One record through its selector (``selectors.vehicle_get``, ``selectors.lead_get``…)."""
    workspace = _workspace(request, workspace_id)
    return selector(user=request.auth, workspace=workspace, public_id=public_id)


def _referenced(field: str, lookup, **kwargs):
    """A record named in a request body. One the user cannot see is an invalid value (422)
    under ``field``, just as one that does not exist."""
    try:
        return lookup(**kwargs)
    except NotFound as exc:
        raise ValidationError({field: [str(exc)]}) from exc


def _owner(workspace: Workspace, username: str | None):
    if username is None:
        return None
    return _referenced("owner", user_get_in_workspace, username=username, workspace=workspace)


def _with_owner(workspace: Workspace, data: dict) -> dict:
    if "owner" in data:
        data["owner"] = _owner(workspace, data["owner"])
    return data


def _errors_under(section: str, fields, exc: ValidationError) -> ValidationError:
    """Report a service's errors on the fields of a nested body section as ``section.field``."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            f"{section}.{field}" if field in fields else field: errors
            for field, errors in exc.error_dict.items()
        }
    )


# --- Customers ------------------------------------------------------------------------------

SECTIONS = {
    CustomerKind.INDIVIDUAL: ("person", set(PersonIn.model_fields)),
    CustomerKind.COMPANY: ("company", set(CompanyIn.model_fields) | {"parent"}),
}


def _contact_data(request, workspace: Workspace, kind: str, payload, *, creating: bool) -> dict:
    """The person's or company's fields from the body section that matches ``kind``."""
    section = SECTIONS[kind][0]
    other = "company" if section == "person" else "person"
    if getattr(payload, other) is not None:
        message = (
            _("Un particulier se décrit dans « person », pas dans « company ».")
            if kind == CustomerKind.INDIVIDUAL
            else _("Une société se décrit dans « company », pas dans « person ».")
        )
        raise ValidationError({other: [message]})
    given = getattr(payload, section)
    if given is None:
        if creating:
            raise ValidationError({section: [_("Ce champ est obligatoire.")]})
        return {}
    data = given.model_dump(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _parent_company(request, workspace, data.pop("parent_id"))
    return data


def _parent_company(request, workspace: Workspace, parent_id: UUID | None):
    if parent_id is None:
        return None
    parent = _referenced(
        "company.parent_id",
        selectors.customer_get,
        user=request.auth,
        workspace=workspace,
        public_id=parent_id,
    )
    if not parent.is_company:
        raise ValidationError(
            {"company.parent_id": [_("La société mère doit être un client de type société.")]}
        )
    return parent.company


def _customer_data(workspace: Workspace, payload) -> dict:
    data = payload.model_dump(exclude_unset=True, include={"source", "dealership", "owner"})
    return _with_owner(workspace, data)


@router.get("customers", response=_ok(list[CustomerOut]), tags=["Clients"], summary="Clients")
@paginate(Pagination)
def list_customers(
    request,
    workspace_id: WorkspaceId,
    q: str = Query(
        "",
        max_length=200,
        description="Nom, e-mail, téléphone, immatriculation, VIN, SIREN, ville…",
    ),
    status: choice(CustomerStatus, blank=True) = "",
    kind: choice(CustomerKind, blank=True) = "",
    sort: Literal[CUSTOMER_SORTS] = Query("nom", description="Préfixe « - » : ordre décroissant."),
):
    workspace = _workspace(request, workspace_id)
    customers = selectors.customer_list(
        user=request.auth, workspace=workspace, query=q, status=status, kind=kind, sort=sort
    )
    return customers.select_related("owner", "company__parent__crm_customer")


@router.post(
    "customers", response=_created(CustomerOut), tags=["Clients"], summary="Créer un client"
)
def create_customer(request, workspace_id: WorkspaceId, payload: CustomerIn):
    workspace = _workspace(request, workspace_id)
    section, fields = SECTIONS[payload.kind]
    contact_data = _contact_data(request, workspace, payload.kind, payload, creating=True)
    try:
        customer = customer_services.customer_create(
            actor=request.auth,
            workspace=workspace,
            kind=payload.kind,
            contact_data=contact_data,
            customer_data=_customer_data(workspace, payload),
        )
    except ValidationError as exc:
        raise _errors_under(section, fields, exc) from exc
    return Status(201, customer)


@router.get(
    "customers/{uuid:customer_id}", response=_ok(CustomerOut), tags=["Clients"], summary="Un client"
)
def get_customer(request, workspace_id: WorkspaceId, customer_id: UUID):
    return _customer(request, workspace_id, customer_id)


@router.patch(
    "customers/{uuid:customer_id}",
    response=_ok(CustomerOut),
    tags=["Clients"],
    summary="Modifier un client",
)
def update_customer(request, workspace_id: WorkspaceId, customer_id: UUID, payload: CustomerPatch):
    customer = _customer(request, workspace_id, customer_id)
    section, fields = SECTIONS[customer.kind]
    contact_data = _contact_data(
        request, customer.workspace, customer.kind, payload, creating=False
    )
    try:
        return customer_services.customer_update(
            actor=request.auth,
            customer=customer,
            contact_data=contact_data,
            customer_data=_customer_data(customer.workspace, payload),
        )
    except ValidationError as exc:
        raise _errors_under(section, fields, exc) from exc


@router.delete(
    "customers/{uuid:customer_id}",
    response=NO_CONTENT,
    tags=["Clients"],
    summary="Supprimer un client (et tout ce qui s'y rattache)",
)
def delete_customer(request, workspace_id: WorkspaceId, customer_id: UUID):
    customer = _customer(request, workspace_id, customer_id)
    deletion_services.customer_delete(actor=request.auth, customer=customer)
    return Status(204, None)


# --- Company contacts -----------------------------------------------------------------------


@router.get(
    "customers/{uuid:customer_id}/contacts",
    response=_ok(list[CompanyContactOut]),
    tags=["Contacts de société"],
    summary="Contacts d'une société",
)
@paginate(Pagination)
def list_company_contacts(request, workspace_id: WorkspaceId, customer_id: UUID):
    return selectors.company_contacts(customer=_customer(request, workspace_id, customer_id))


@router.post(
    "customers/{uuid:customer_id}/contacts",
    response=_created(CompanyContactOut),
    tags=["Contacts de société"],
    summary="Ajouter un contact à une société",
)
def add_company_contact(
    request, workspace_id: WorkspaceId, customer_id: UUID, payload: CompanyContactIn
):
    customer = _customer(request, workspace_id, customer_id)
    link = customer_services.company_contact_add(
        actor=request.auth,
        customer=customer,
        person_data=payload.model_dump(exclude_unset=True, exclude={"role"}),
        role=payload.role,
    )
    return Status(201, link)


@router.delete(
    "customers/{uuid:customer_id}/contacts/{uuid:contact_id}",
    response=NO_CONTENT,
    tags=["Contacts de société"],
    summary="Retirer un contact d'une société",
)
def remove_company_contact(request, workspace_id: WorkspaceId, customer_id: UUID, contact_id: UUID):
    customer = _customer(request, workspace_id, customer_id)
    # A contact is named by its person's public id: the link itself has only an integer key.
    link = (
        selectors.company_contacts(customer=customer).filter(person__public_id=contact_id).first()
    )
    if link is None:
        raise NotFound(_("Contact introuvable."))
    customer_services.company_contact_remove(actor=request.auth, customer=customer, link=link)
    return Status(204, None)


# --- Vehicles and mileage -------------------------------------------------------------------


@router.get(
    "customers/{uuid:customer_id}/vehicles",
    response=_ok(list[VehicleOut]),
    tags=["Véhicules"],
    summary="Véhicules d'un client",
)
@paginate(Pagination)
def list_vehicles(request, workspace_id: WorkspaceId, customer_id: UUID):
    return selectors.vehicles_of(customer=_customer(request, workspace_id, customer_id))


@router.post(
    "customers/{uuid:customer_id}/vehicles",
    response=_created(VehicleOut),
    tags=["Véhicules"],
    summary="Ajouter un véhicule à un client",
)
def create_vehicle(request, workspace_id: WorkspaceId, customer_id: UUID, payload: VehicleIn):
    customer = _customer(request, workspace_id, customer_id)
    vehicle = record_services.vehicle_create(
        actor=request.auth, customer=customer, data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, vehicle)


@router.get(
    "vehicles/{uuid:vehicle_id}",
    response=_ok(VehicleOut),
    tags=["Véhicules"],
    summary="Un véhicule",
)
def get_vehicle(request, workspace_id: WorkspaceId, vehicle_id: UUID):
    return _get(request, selectors.vehicle_get, workspace_id, vehicle_id)


@router.patch(
    "vehicles/{uuid:vehicle_id}",
    response=_ok(VehicleOut),
    tags=["Véhicules"],
    summary="Modifier un véhicule",
)
def update_vehicle(request, workspace_id: WorkspaceId, vehicle_id: UUID, payload: VehiclePatch):
    vehicle = _get(request, selectors.vehicle_get, workspace_id, vehicle_id)
    return record_services.vehicle_update(
        actor=request.auth, vehicle=vehicle, data=payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "vehicles/{uuid:vehicle_id}",
    response=NO_CONTENT,
    tags=["Véhicules"],
    summary="Supprimer un véhicule",
)
def delete_vehicle(request, workspace_id: WorkspaceId, vehicle_id: UUID):
    vehicle = _get(request, selectors.vehicle_get, workspace_id, vehicle_id)
    record_services.vehicle_delete(actor=request.auth, vehicle=vehicle)
    return Status(204, None)


@router.get(
    "vehicles/{uuid:vehicle_id}/mileage-readings",
    response=_ok(list[MileageReadingOut]),
    tags=["Relevés kilométriques"],
    summary="Relevés kilométriques d'un véhicule",
)
@paginate(Pagination)
def list_mileage_readings(request, workspace_id: WorkspaceId, vehicle_id: UUID):
    vehicle = _get(request, selectors.vehicle_get, workspace_id, vehicle_id)
    return vehicle.mileage_readings.select_related("invoice").order_by("read_on", "id")


@router.post(
    "vehicles/{uuid:vehicle_id}/mileage-readings",
    response=_created(MileageReadingOut),
    tags=["Relevés kilométriques"],
    summary="Ajouter un relevé kilométrique",
)
def add_mileage_reading(
    request, workspace_id: WorkspaceId, vehicle_id: UUID, payload: MileageReadingIn
):
    vehicle = _get(request, selectors.vehicle_get, workspace_id, vehicle_id)
    reading = record_services.mileage_reading_add(
        actor=request.auth, vehicle=vehicle, read_on=payload.read_on, mileage=payload.mileage
    )
    return Status(201, reading)


@router.delete(
    "mileage-readings/{uuid:reading_id}",
    response=NO_CONTENT,
    tags=["Relevés kilométriques"],
    summary="Supprimer un relevé kilométrique (sauf s'il vient d'une facture)",
)
def delete_mileage_reading(request, workspace_id: WorkspaceId, reading_id: UUID):
    reading = _get(request, selectors.mileage_reading_get, workspace_id, reading_id)
    record_services.mileage_reading_delete(actor=request.auth, reading=reading)
    return Status(204, None)


# --- Invoices -------------------------------------------------------------------------------


def _invoice_data(request, workspace: Workspace, payload) -> dict:
    data = payload.model_dump(exclude_unset=True, exclude={"lines", "vehicle_id"})
    if "vehicle_id" in payload.model_fields_set:
        data["vehicle"] = None
        if payload.vehicle_id is not None:
            data["vehicle"] = _referenced(
                "vehicle_id",
                selectors.vehicle_get,
                user=request.auth,
                workspace=workspace,
                public_id=payload.vehicle_id,
            )
    return data


def _invoice_lines(payload) -> list[dict] | None:
    if payload.lines is None:
        return None
    return [line.model_dump() for line in payload.lines]


@router.get(
    "customers/{uuid:customer_id}/invoices",
    response=_ok(list[InvoiceOut]),
    tags=["Factures"],
    summary="Factures d'un client",
)
@paginate(Pagination)
def list_invoices(request, workspace_id: WorkspaceId, customer_id: UUID):
    return selectors.invoices_of(customer=_customer(request, workspace_id, customer_id))


@router.post(
    "customers/{uuid:customer_id}/invoices",
    response=_created(InvoiceOut),
    tags=["Factures"],
    summary="Créer une facture avec ses lignes",
)
def create_invoice(request, workspace_id: WorkspaceId, customer_id: UUID, payload: InvoiceIn):
    customer = _customer(request, workspace_id, customer_id)
    invoice = record_services.invoice_create(
        actor=request.auth,
        customer=customer,
        data=_invoice_data(request, customer.workspace, payload),
        lines=_invoice_lines(payload),
    )
    return Status(201, invoice)


@router.get(
    "invoices/{uuid:invoice_id}",
    response=_ok(InvoiceOut),
    tags=["Factures"],
    summary="Une facture et ses lignes",
)
def get_invoice(request, workspace_id: WorkspaceId, invoice_id: UUID):
    return _get(request, selectors.invoice_get, workspace_id, invoice_id)


@router.patch(
    "invoices/{uuid:invoice_id}",
    response=_ok(InvoiceOut),
    tags=["Factures"],
    summary="Modifier une facture (les lignes données remplacent toutes les lignes)",
)
def update_invoice(request, workspace_id: WorkspaceId, invoice_id: UUID, payload: InvoicePatch):
    invoice = _get(request, selectors.invoice_get, workspace_id, invoice_id)
    return record_services.invoice_update(
        actor=request.auth,
        invoice=invoice,
        data=_invoice_data(request, invoice.workspace, payload),
        lines=_invoice_lines(payload),
    )


@router.delete(
    "invoices/{uuid:invoice_id}",
    response=NO_CONTENT,
    tags=["Factures"],
    summary="Supprimer une facture",
)
def delete_invoice(request, workspace_id: WorkspaceId, invoice_id: UUID):
    invoice = _get(request, selectors.invoice_get, workspace_id, invoice_id)
    record_services.invoice_delete(actor=request.auth, invoice=invoice)
    return Status(204, None)


# --- Activities -----------------------------------------------------------------------------


@router.get(
    "customers/{uuid:customer_id}/activities",
    response=_ok(list[ActivityOut]),
    tags=["Activités"],
    summary="Activités d'un client",
)
@paginate(Pagination)
def list_activities(request, workspace_id: WorkspaceId, customer_id: UUID):
    return selectors.activities_of(customer=_customer(request, workspace_id, customer_id))


@router.post(
    "customers/{uuid:customer_id}/activities",
    response=_created(ActivityOut),
    tags=["Activités"],
    summary="Enregistrer une activité",
)
def create_activity(request, workspace_id: WorkspaceId, customer_id: UUID, payload: ActivityIn):
    customer = _customer(request, workspace_id, customer_id)
    data = _with_owner(customer.workspace, payload.model_dump(exclude_unset=True))
    activity = record_services.activity_create(actor=request.auth, customer=customer, data=data)
    return Status(201, activity)


@router.get(
    "activities/{uuid:activity_id}",
    response=_ok(ActivityOut),
    tags=["Activités"],
    summary="Une activité",
)
def get_activity(request, workspace_id: WorkspaceId, activity_id: UUID):
    return _get(request, selectors.activity_get, workspace_id, activity_id)


@router.patch(
    "activities/{uuid:activity_id}",
    response=_ok(ActivityOut),
    tags=["Activités"],
    summary="Modifier une activité",
)
def update_activity(request, workspace_id: WorkspaceId, activity_id: UUID, payload: ActivityPatch):
    activity = _get(request, selectors.activity_get, workspace_id, activity_id)
    data = _with_owner(activity.workspace, payload.model_dump(exclude_unset=True))
    return record_services.activity_update(actor=request.auth, activity=activity, data=data)


@router.delete(
    "activities/{uuid:activity_id}",
    response=NO_CONTENT,
    tags=["Activités"],
    summary="Supprimer une activité",
)
def delete_activity(request, workspace_id: WorkspaceId, activity_id: UUID):
    activity = _get(request, selectors.activity_get, workspace_id, activity_id)
    record_services.activity_delete(actor=request.auth, activity=activity)
    return Status(204, None)


# --- Notes ----------------------------------------------------------------------------------


@router.get(
    "customers/{uuid:customer_id}/notes",
    response=_ok(list[NoteOut]),
    tags=["Notes"],
    summary="Notes sur un client",
)
@paginate(Pagination)
def list_notes(request, workspace_id: WorkspaceId, customer_id: UUID):
    return selectors.notes_of(customer=_customer(request, workspace_id, customer_id))


@router.post(
    "customers/{uuid:customer_id}/notes",
    response=_created(NoteOut),
    tags=["Notes"],
    summary="Ajouter une note",
)
def create_note(request, workspace_id: WorkspaceId, customer_id: UUID, payload: NoteIn):
    customer = _customer(request, workspace_id, customer_id)
    note = record_services.note_create(
        actor=request.auth, customer=customer, data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, note)


@router.get("notes/{uuid:note_id}", response=_ok(NoteOut), tags=["Notes"], summary="Une note")
def get_note(request, workspace_id: WorkspaceId, note_id: UUID):
    return _get(request, selectors.note_get, workspace_id, note_id)


@router.patch(
    "notes/{uuid:note_id}", response=_ok(NoteOut), tags=["Notes"], summary="Modifier une note"
)
def update_note(request, workspace_id: WorkspaceId, note_id: UUID, payload: NotePatch):
    note = _get(request, selectors.note_get, workspace_id, note_id)
    return record_services.note_update(
        actor=request.auth, note=note, data=payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "notes/{uuid:note_id}", response=NO_CONTENT, tags=["Notes"], summary="Supprimer une note"
)
def delete_note(request, workspace_id: WorkspaceId, note_id: UUID):
    note = _get(request, selectors.note_get, workspace_id, note_id)
    record_services.note_delete(actor=request.auth, note=note)
    return Status(204, None)


# --- Leads ----------------------------------------------------------------------------------


@router.get("leads", response=_ok(list[LeadOut]), tags=["Leads"], summary="Leads")
@paginate(Pagination)
def list_leads(
    request,
    workspace_id: WorkspaceId,
    lead_type: choice(LeadType, blank=True) = "",
    status: choice(LeadStatus, blank=True) = "",
):
    workspace = _workspace(request, workspace_id)
    return selectors.lead_list(
        user=request.auth, workspace=workspace, lead_type=lead_type, status=status
    )


@router.post("leads", response=_created(LeadOut), tags=["Leads"], summary="Créer un lead")
def create_lead(request, workspace_id: WorkspaceId, payload: LeadIn):
    workspace = _workspace(request, workspace_id)
    lead = lead_services.lead_create(
        actor=request.auth, workspace=workspace, data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, lead)


@router.get("leads/{uuid:lead_id}", response=_ok(LeadOut), tags=["Leads"], summary="Un lead")
def get_lead(request, workspace_id: WorkspaceId, lead_id: UUID):
    return _get(request, selectors.lead_get, workspace_id, lead_id)


@router.patch(
    "leads/{uuid:lead_id}", response=_ok(LeadOut), tags=["Leads"], summary="Modifier un lead"
)
def update_lead(request, workspace_id: WorkspaceId, lead_id: UUID, payload: LeadPatch):
    lead = _get(request, selectors.lead_get, workspace_id, lead_id)
    return lead_services.lead_update(
        actor=request.auth, lead=lead, data=payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "leads/{uuid:lead_id}", response=NO_CONTENT, tags=["Leads"], summary="Supprimer un lead"
)
def delete_lead(request, workspace_id: WorkspaceId, lead_id: UUID):
    lead = _get(request, selectors.lead_get, workspace_id, lead_id)
    lead_services.lead_delete(actor=request.auth, lead=lead)
    return Status(204, None)


@router.post(
    "leads/{uuid:lead_id}/convert",
    response=_created(CustomerOut),
    tags=["Leads"],
    summary="Convertir un lead en fiche client (prospect)",
)
def convert_lead(request, workspace_id: WorkspaceId, lead_id: UUID):
    lead = _get(request, selectors.lead_get, workspace_id, lead_id)
    customer = lead_services.lead_convert(actor=request.auth, lead=lead)
    return Status(201, customer)
