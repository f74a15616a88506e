from django.db import transaction
from django.utils import timezone

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.selectors import workspaces_for_user
from relais.crm.models import (
    Customer,
    CustomerKind,
    CustomerStatus,
)
from relais.crm.permissions import Permission
from relais.crm.search import build_search_document

CUSTOMER_FIELDS = ("source", "dealership", "owner")
CONSENT_FIELDS = ("consent_sms", "consent_phone", "consent_email", "consent_mail")


def _apply(instance, data: dict, allowed) -> list[str]:
    changed = []
    for field, value in data.items():
        if field in allowed and getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def _check_owner(owner, workspace: Workspace) -> None:
    if owner is not None and not workspaces_for_user(user=owner).filter(pk=workspace.pk).exists():
        raise NotFound("Responsable inconnu dans cet espace.")


def customer_reindex(*, customer: Customer) -> None:
    """Recompute the sort key and search tokens after anything they read has changed."""
    customer.sort_name = _sort_name(customer)
    customer.search_document = build_search_document(customer)
    Customer.objects.filter(pk=customer.pk).update(
        sort_name=customer.sort_name, search_document=customer.search_document
    )


def _sort_name(customer: Customer) -> str:
    from relais.core.contacts.normalize import fold

    if customer.kind == CustomerKind.COMPANY:
        return fold(customer.company.legal_name)[:220]
    return fold(f"{customer.person.last_name} {customer.person.first_name}")[:220]


@transaction.atomic
def customer_create(
    *,
    actor,
    workspace: Workspace,
    kind: str,
    contact_data: dict,
    customer_data: dict | None = None,
) -> Customer:
    """Create a customer (a prospect until its first invoice) with its person or company.

    ``contact_data`` holds the fields of the core Person (individual) or Company.
    Raises ``ValidationError`` with French messages per field.
    """
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    customer_data = customer_data or {}
    contact_model = Person if kind == CustomerKind.INDIVIDUAL else Company
    contact = contact_model(workspace=workspace)
    allowed = {f.name for f in contact_model._meta.fields} - {"id", "workspace", "public_id"}
    _apply(contact, contact_data, allowed)
    if any(contact_data.get(f) for f in CONSENT_FIELDS):
        contact.consent_updated_at = timezone.now()
    if (
        kind == CustomerKind.COMPANY
        and contact.parent_id
        and contact.parent.workspace_id != workspace.pk
    ):
        raise NotFound("Société mère introuvable.")
    contact.full_clean(exclude=["workspace"])
    contact.save()
    customer = Customer(workspace=workspace, kind=kind, status=CustomerStatus.PROSPECT)
    if kind == CustomerKind.INDIVIDUAL:
        customer.person = contact
    else:
        customer.company = contact
    _apply(customer, customer_data, CUSTOMER_FIELDS)
    _check_owner(customer.owner, workspace)
    customer.sort_name = _sort_name(customer)
    customer.full_clean(exclude=["workspace", "person", "company", "sort_name"])
    customer.save()
    customer_reindex(customer=customer)
    audit_log(actor=actor, action="customer.create", target=customer, after=snapshot(contact))
    return customer


@transaction.atomic
def customer_update(
    *,
    actor,
    customer: Customer,
    contact_data: dict | None = None,
    customer_data: dict | None = None,
) -> Customer:
    """Update a customer's contact fields and CRM fields. Only given fields change."""
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    contact = customer.contact
    before = snapshot(contact)
    allowed = {f.name for f in type(contact)._meta.fields} - {"id", "workspace", "public_id"}
    changed = _apply(contact, contact_data or {}, allowed)
    if any(f in CONSENT_FIELDS for f in changed):
        contact.consent_updated_at = timezone.now()
    if getattr(contact, "parent_id", None) and contact.parent.workspace_id != customer.workspace_id:
        raise NotFound("Société mère introuvable.")
    contact.full_clean(exclude=["workspace"])
    contact.save()
    changed_customer = _apply(customer, customer_data or {}, CUSTOMER_FIELDS)
    if changed_customer:
        _check_owner(customer.owner, customer.workspace)
        customer.full_clean(exclude=["workspace", "person", "company", "sort_name"])
        customer.save()
    customer_reindex(customer=customer)
    if changed or changed_customer:
        audit_log(
            actor=actor,
            action="customer.update",
            target=customer,
            before=before,
            after=snapshot(contact),
        )
    return customer


def customer_refresh_status(*, customer: Customer) -> str:
    """A prospect becomes a customer with its first invoice, and a prospect again without any."""
    status = CustomerStatus.CUSTOMER if customer.invoices.exists() else CustomerStatus.PROSPECT
    if status != customer.status:
        customer.status = status
        Customer.objects.filter(pk=customer.pk).update(status=status, updated_at=timezone.now())
    return status


@transaction.atomic
def company_contact_add(
    *, actor, customer: Customer, person_data: dict, role: str = ""
) -> CompanyContact:
    """Add a contact person (name, role, e-mail, mobile) to a company customer."""
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    if not customer.is_company:
        raise NotFound("Ce client n'est pas une société.")
    person = Person(workspace=customer.workspace)
    _apply(
        person,
        person_data,
        {"civility", "first_name", "last_name", "email", "phone_mobile", "phone_landline"},
    )
    person.full_clean(exclude=["workspace"])
    person.save()
    link = CompanyContact(company=customer.company, person=person, role=role.strip())
    link.full_clean()
    link.save()
    customer_reindex(customer=customer)
    return link


@transaction.atomic
def company_contact_update(
    *, actor, customer: Customer, link: CompanyContact, person_data: dict, role: str
) -> CompanyContact:
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    if link.company_id != customer.company_id:
        raise NotFound("Contact introuvable.")
    person = link.person
    _apply(
        person,
        person_data,
        {"civility", "first_name", "last_name", "email", "phone_mobile", "phone_landline"},
    )
    person.full_clean(exclude=["workspace"])
    person.save()
    link.role = role.strip()
    link.save()
    customer_reindex(customer=customer)
    return link


@transaction.atomic
def company_contact_remove(*, actor, customer: Customer, link: CompanyContact) -> None:
    ensure_permission(actor, Permission.CRM_EDIT, customer.workspace)
    if link.company_id != customer.company_id:
        raise NotFound("Contact introuvable.")
    person = link.person
    audit_log(
        actor=actor,
        action="company_contact.delete",
        target=person,
        before=snapshot(person),
        workspace=customer.workspace,
    )
    link.delete()
    if not person.company_roles.exists():
        person.delete()
    customer_reindex(customer=customer)
