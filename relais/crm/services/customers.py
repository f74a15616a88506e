from django.db import transaction
from django.utils import timezone

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts.models import CompanyContact
from relais.core.contacts.services import (
    COMPANY_FIELDS,
    PERSON_FIELDS,
    company_create,
    company_update,
    person_create,
    person_update,
)
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
# The fields of a company's contact person that the CRM edits.
STAFF_FIELDS = frozenset(
    {"civility", "first_name", "last_name", "email", "phone_mobile", "phone_landline"}
)


def _apply(instance, data: dict, allowed) -> list[str]:
    changed = []
    for field, value in data.items():
        if field in allowed and getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def _contact_fields(data: dict | None, allowed) -> dict:
    """The entries of ``data`` that are contact fields (forms may carry others)."""
    return {name: value for name, value in (data or {}).items() if name in allowed}


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


def customers_reindex(*, workspace, customer_ids=None) -> int:
    """Recompute the sort key and search tokens of every customer of ``workspace`` (deleted
    ones included; only those of ``customer_ids`` when given) from their records: after a
    bulk load whose derived columns cannot be trusted (a snapshot import). Returns how many
    changed."""
    customers = (
        Customer._base_manager.filter(workspace=workspace)
        .select_related("person", "company")
        .prefetch_related("vehicles", "company__contacts__person")
        .order_by("pk")
    )
    if customer_ids is not None:
        customers = customers.filter(pk__in=list(customer_ids))
    changed = []
    for customer in customers.iterator(chunk_size=2000):
        sort_name, document = _sort_name(customer), build_search_document(customer)
        if (sort_name, document) != (customer.sort_name, customer.search_document):
            customer.sort_name, customer.search_document = sort_name, document
            changed.append(customer)
    Customer._base_manager.bulk_update(changed, ["sort_name", "search_document"], batch_size=1000)
    return len(changed)


def customer_derived(customer) -> tuple[str, str]:
    """``(sort_name, search_document)`` of ``customer`` as ``customer_reindex`` computes them.

    ``customer`` may be any object with the attributes they read (``kind``, ``person_id``,
    ``person``, ``company``, ``contact``, ``vehicles.all()``, ``company.contacts.all()``):
    a bulk loader that holds the rows it is about to write computes the derived columns
    from them instead of reading them back (a snapshot import)."""
    return _sort_name(customer), build_search_document(customer)


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
    if kind == CustomerKind.INDIVIDUAL:
        contact = person_create(
            actor=actor, workspace=workspace, **_contact_fields(contact_data, PERSON_FIELDS)
        )
    else:
        contact = company_create(
            actor=actor, workspace=workspace, **_contact_fields(contact_data, COMPANY_FIELDS)
        )
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
    if customer.is_company:
        company_update(
            actor=actor, company=contact, **_contact_fields(contact_data, COMPANY_FIELDS)
        )
    else:
        person_update(actor=actor, person=contact, **_contact_fields(contact_data, PERSON_FIELDS))
    changed = snapshot(contact) != before
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
    person = person_create(
        actor=actor, workspace=customer.workspace, **_contact_fields(person_data, STAFF_FIELDS)
    )
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
    person_update(actor=actor, person=link.person, **_contact_fields(person_data, STAFF_FIELDS))
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
