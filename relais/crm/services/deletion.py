"""Deleting a customer, and undoing it: the deletion keeps a restorable copy in the audit log."""

import datetime

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.models import AuditEntry
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.contacts.services import ValueChange, contact_values_replace_many
from relais.core.exceptions import NotFound
from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Workspace
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    InvoiceLine,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.permissions import Permission
from relais.crm.selectors import RESTORE_WINDOW_DAYS
from relais.crm.services.customers import customer_refresh_status, customer_reindex

# The rows a deletion removes, in the order a restore must insert them (parents first).
RESTORE_ORDER = (
    Person,
    Company,
    CompanyContact,
    Customer,
    Vehicle,
    Invoice,
    InvoiceLine,
    MileageReading,
    Activity,
    Note,
    Interaction,
)


def _serialize(objects) -> list[dict]:
    """Django's "python" serialisation of ``objects``, with full-precision datetimes.

    The audit log's ``DjangoJSONEncoder`` would cut datetimes to milliseconds: turning them
    into ISO strings first keeps the restored ``created_at``/``updated_at`` exact.
    """
    rows = serializers.serialize("python", objects)
    for row in rows:
        for name, value in row["fields"].items():
            if isinstance(value, (datetime.datetime, datetime.time)):
                row["fields"][name] = value.isoformat()
    return rows


def _deletion_copy(customer: Customer) -> tuple[dict, list[Person]]:
    """Everything ``customer_delete`` removes or unlinks, serialised for ``customer_restore``;
    and the contact persons of a company that go with it."""
    contact = customer.contact
    persons, companies, links, doomed_persons = [], [], [], []
    if isinstance(contact, Company):
        companies = [contact]
        links = list(contact.contacts.select_related("person").order_by("pk"))
        person_ids = [link.person_id for link in links]
        # A contact person goes with the company unless something else still uses it.
        kept = CompanyContact.objects.filter(person_id__in=person_ids).exclude(company=contact)
        doomed_persons = list(
            Person.objects.filter(pk__in=person_ids, crm_customer__isnull=True)
            .exclude(pk__in=kept.values("person_id"))
            .order_by("pk")
        )
        persons = doomed_persons
        interactions = Interaction.objects.filter(Q(company=contact) | Q(person__in=doomed_persons))
    else:
        persons = [contact]
        # The person may also be a contact of some company: those links go with it.
        links = list(contact.company_roles.order_by("pk"))
        interactions = Interaction.objects.filter(person=contact)
    vehicles = list(customer.vehicles.order_by("pk"))
    invoices = list(customer.invoices.order_by("pk"))
    rows = {
        Person: persons,
        Company: companies,
        CompanyContact: links,
        Customer: [customer],
        Vehicle: vehicles,
        Invoice: invoices,
        InvoiceLine: InvoiceLine.objects.filter(invoice__customer=customer).order_by("pk"),
        MileageReading: MileageReading.objects.filter(
            Q(vehicle__customer=customer) | Q(invoice__customer=customer)
        ).order_by("pk"),
        Activity: customer.activities.order_by("pk"),
        Note: customer.notes.order_by("pk"),
        Interaction: interactions.order_by("pk"),
    }
    objects = []
    for model in RESTORE_ORDER:
        objects += _serialize(rows[model])
    copy = {
        "version": 1,
        "objects": objects,
        # Rows that stay but lose their link to what goes (SET_NULL): linked again on restore.
        "leads": list(customer.leads.order_by("pk").values_list("pk", flat=True)),
        "subsidiaries": (
            list(contact.subsidiaries.order_by("pk").values_list("pk", flat=True))
            if isinstance(contact, Company)
            else []
        ),
        "vehicle_invoices": [
            [pk, vehicle_id]
            for pk, vehicle_id in Invoice.objects.filter(vehicle__in=vehicles)
            .exclude(customer=customer)
            .order_by("pk")
            .values_list("pk", "vehicle_id")
        ],
    }
    return copy, doomed_persons


@transaction.atomic
def customer_delete(*, actor, customer: Customer) -> AuditEntry:
    """Delete a customer with everything attached to it (vehicles, invoices, history).

    The audit entry keeps a complete copy of what goes: ``customer_restore`` can undo the
    deletion from it. Returns that entry.
    """
    ensure_permission(actor, Permission.CRM_DELETE, customer.workspace)
    contact = customer.contact
    copy, doomed_persons = _deletion_copy(customer)
    contact_persons = (
        [link.person for link in contact.contacts.select_related("person")]
        if isinstance(contact, Company)
        else []
    )
    entry = audit_log(
        actor=actor,
        action="customer.delete",
        target=customer,
        before={
            "contact": snapshot(contact),
            "customer": snapshot(customer),
            "contact_persons": [snapshot(person) for person in contact_persons],
            "restore": copy,
        },
    )
    other_companies = _linked_companies(copy, exclude=customer.company_id)
    customer.delete()
    if isinstance(contact, Company):
        contact.contacts.all().delete()
        Person.objects.filter(pk__in=[person.pk for person in doomed_persons]).delete()
    contact.delete()
    # Companies that had this person as a contact no longer find it by its name.
    _reindex_companies(other_companies)
    return entry


def _linked_companies(copy: dict, *, exclude) -> set:
    """The companies, other than ``exclude``, of the contact links in a deletion copy."""
    return {
        row["fields"]["company"]
        for row in copy["objects"]
        if row["model"] == "contacts.companycontact"
    } - {exclude}


def _reindex_companies(company_ids) -> None:
    for customer in Customer.objects.filter(company_id__in=company_ids).select_related("company"):
        customer_reindex(customer=customer)


def _deletion_entry(*, actor, audit_entry_id, workspace: Workspace | None) -> AuditEntry:
    """The ``customer.delete`` entry ``audit_entry_id`` of a workspace the actor may enter."""
    from relais.core.workspaces.selectors import workspaces_for_user

    entries = AuditEntry.objects.filter(
        action="customer.delete", workspace__in=workspaces_for_user(user=actor)
    )
    if workspace is not None:
        entries = entries.filter(workspace=workspace)
    entry = entries.select_related("workspace").filter(pk=audit_entry_id).first()
    if entry is None:
        raise NotFound(_("Suppression introuvable."))
    return entry


def customer_restore_is_done(*, entry: AuditEntry) -> bool:
    """Whether the deletion recorded by ``entry`` was already undone."""
    return AuditEntry.objects.filter(
        action="customer.restore",
        workspace_id=entry.workspace_id,
        target_id=entry.target_id,
        after__restored_from=entry.pk,
    ).exists()


def _clear_missing(objects, model, field: str, existing: set) -> None:
    """Null a nullable link to a row that is gone since the deletion (a user, a parent company)."""
    for obj in objects:
        if isinstance(obj, model) and getattr(obj, field) not in (None, *existing):
            setattr(obj, field, None)


@transaction.atomic
def customer_restore(*, actor, audit_entry_id: int, workspace: Workspace | None = None) -> Customer:
    """Undo a customer's deletion from its ``customer.delete`` audit entry.

    Every row comes back with its original primary key and public id, in dependency order;
    leads, subsidiaries and other customers' invoices unlinked by the deletion are linked
    again. ``workspace``, when given, restricts the entry to it (the current workspace).
    Raises ``NotFound`` for another workspace's entry, ``AccessDenied`` without the right to
    delete, ``ValidationError`` when the deletion was already undone or cannot be.
    """
    entry = _deletion_entry(actor=actor, audit_entry_id=audit_entry_id, workspace=workspace)
    ensure_permission(actor, Permission.CRM_DELETE, entry.workspace)
    copy = (entry.before or {}).get("restore")
    if not copy or copy.get("version") != 1:
        raise ValidationError(
            _("Cette suppression ne peut pas être annulée : la fiche n'a pas été conservée.")
        )
    if customer_restore_is_done(entry=entry):
        raise ValidationError(_("Cette suppression a déjà été annulée."))
    if entry.created_at < timezone.now() - datetime.timedelta(days=RESTORE_WINDOW_DAYS):
        raise ValidationError(
            _("Cette suppression date de plus de %(days)s jours : elle ne peut plus être annulée.")
            % {"days": RESTORE_WINDOW_DAYS}
        )
    objects = [item.object for item in serializers.deserialize("python", copy["objects"])]
    # Sequences and SQLite's AUTOINCREMENT never hand out a key twice: a key or public id in
    # use means the rows were restored some other way, or something is badly wrong.
    for model in RESTORE_ORDER:
        rows = [obj for obj in objects if type(obj) is model]
        if not rows:
            continue
        taken = Q(pk__in=[obj.pk for obj in rows])
        if hasattr(model, "public_id"):
            taken |= Q(public_id__in=[obj.public_id for obj in rows])
        if model._default_manager.filter(taken).exists():
            raise ValidationError(
                _("La fiche ne peut pas être restaurée : certains de ses éléments existent déjà.")
            )
        if any(obj.workspace_id != entry.workspace_id for obj in rows if hasattr(obj, "workspace")):
            raise ValidationError(_("Cette suppression ne peut pas être annulée."))
    invoices = [obj for obj in objects if isinstance(obj, Invoice)]
    numbers = [invoice.number for invoice in invoices if invoice.number]
    reused = Invoice.objects.in_workspace(entry.workspace).filter(number__in=numbers)
    if reused.exists():
        raise ValidationError(
            _("La fiche ne peut pas être restaurée : le numéro de facture %(number)s est repris.")
            % {"number": reused.first().number}
        )
    users = _existing_users(objects)
    _clear_missing(objects, Customer, "owner_id", users)
    _clear_missing(objects, Activity, "owner_id", users)
    _clear_missing(objects, Note, "author_id", users)
    _clear_missing(objects, Interaction, "actor_id", users)
    parents = {obj.parent_id for obj in objects if isinstance(obj, Company) and obj.parent_id}
    _clear_missing(
        objects,
        Company,
        "parent_id",
        set(Company.objects.filter(pk__in=parents).values_list("pk", flat=True)),
    )
    try:
        with transaction.atomic():
            for obj in objects:
                # raw: the stored values as they were, timestamps included; no signal logic.
                models.Model.save_base(obj, raw=True, force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "La fiche ne peut pas être restaurée : elle entre en conflit avec les données actuelles."
            )
        ) from exc
    customer = next(obj for obj in objects if isinstance(obj, Customer))
    customer = Customer.objects.select_related("person", "company", "workspace").get(pk=customer.pk)
    Lead.objects.in_workspace(entry.workspace).filter(
        pk__in=copy.get("leads", []), customer__isnull=True
    ).update(customer=customer)
    if customer.company_id:
        # Subsidiaries that still have no parent get theirs back.
        contact_values_replace_many(
            actor=actor,
            workspace=entry.workspace,
            model=Company,
            changes=[
                ValueChange(pk=pk, field="parent", before=None, after=customer.company_id)
                for pk in copy.get("subsidiaries", [])
            ],
        )
    vehicles = {obj.pk for obj in objects if isinstance(obj, Vehicle)}
    for invoice_id, vehicle_id in copy.get("vehicle_invoices", []):
        if vehicle_id in vehicles:
            Invoice.objects.in_workspace(entry.workspace).filter(
                pk=invoice_id, vehicle__isnull=True
            ).update(vehicle_id=vehicle_id)
    customer_reindex(customer=customer)
    _reindex_companies(_linked_companies(copy, exclude=customer.company_id))
    customer_refresh_status(customer=customer)
    audit_log(
        actor=actor,
        action="customer.restore",
        target=customer,
        after={"restored_from": entry.pk},
    )
    return customer


def _existing_users(objects) -> set:
    from django.contrib.auth import get_user_model

    ids = {
        getattr(obj, field, None)
        for obj in objects
        for field in ("owner_id", "author_id", "actor_id")
    } - {None}
    return set(get_user_model().objects.filter(pk__in=ids).values_list("pk", flat=True))


@transaction.atomic
def customer_deletion_copies_purge(*, now: datetime.datetime | None = None) -> int:
    """Drop the restorable copies of deletions older than the restore window.

    The copy holds the deleted person's data: it is kept only as long as the deletion can be
    undone (GDPR data minimisation). The summary of the audit entry stays. Run daily by the
    worker (``relais.crm.tasks``); returns how many entries were purged.
    """
    limit = (now or timezone.now()) - datetime.timedelta(days=RESTORE_WINDOW_DAYS)
    purged = 0
    entries = AuditEntry.objects.filter(action="customer.delete", created_at__lt=limit)
    for entry in entries.filter(before__has_key="restore").only("pk", "before").iterator():
        entry.before.pop("restore", None)
        entry.before["restore_purged_at"] = timezone.now().isoformat()
        AuditEntry.objects.filter(pk=entry.pk).update(before=entry.before)
        purged += 1
    return purged
