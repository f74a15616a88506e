"""Undoing a customer's deletion: the audit entry keeps a complete copy, the restore puts every
row back with its keys, and the trash page lists what can still be restored."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.interactions.services import record
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    CustomerStatus,
    Invoice,
    InvoiceLine,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.selectors import customer_list, deleted_customers, timeline_of
from relais.crm.services.customers import company_contact_add, customer_create, customer_reindex
from relais.crm.services.deletion import customer_delete, customer_restore
from relais.crm.services.records import (
    activity_create,
    invoice_create,
    mileage_reading_add,
    note_create,
    vehicle_create,
)
from tests.factories import CompanyFactory, CustomerFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = (
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
    Lead,
)


def everything() -> dict:
    """Every stored value of every row the deletion and the restore touch."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def line(label, price):
    return {
        "label": label,
        "quantity": Decimal("1"),
        "unit_price_excl_tax": Decimal(price),
        "vat_rate": Decimal("20.00"),
    }


@pytest.fixture
def rich_customer(agent, workspace, fixed_clock):
    """An individual with two vehicles, readings, invoices with lines, activities, notes,
    a manual interaction and a lead."""
    customer = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={
            "first_name": "Hélène",
            "last_name": "Dupont",
            "email": "helene.dupont@exemple.fr",
            "phone_mobile": "+33 6 12 34 56 78",
            "city": "Lyon",
            "birth_date": datetime.date(1980, 5, 17),
        },
        customer_data={"owner": agent},
    )
    # Sub-second timestamps must come back exactly (the JSON encoder cuts to milliseconds).
    fixed_clock.shift(datetime.timedelta(microseconds=123456))
    clio = vehicle_create(
        actor=agent,
        customer=customer,
        data={"make": "Renault", "model": "Clio", "energy": "hybrid", "plate": "AB-123-CD"},
    )
    zoe = vehicle_create(
        actor=agent,
        customer=customer,
        data={"make": "Renault", "model": "Zoé", "energy": "electric", "plate": "EF-456-GH"},
    )
    invoice_create(
        actor=agent,
        customer=customer,
        data={
            "kind": "apv",
            "number": "A1",
            "issued_on": datetime.date(2025, 5, 1),
            "mileage": 12000,
            "vehicle": clio,
        },
        lines=[line("Vidange", "100.00"), line("Filtre", "25.50")],
    )
    invoice_create(
        actor=agent,
        customer=customer,
        data={"kind": "parts", "number": "P1", "issued_on": datetime.date(2025, 6, 1)},
        lines=[line("Essuie-glaces", "30.00")],
    )
    mileage_reading_add(actor=agent, vehicle=zoe, read_on=datetime.date(2025, 6, 2), mileage=800)
    activity_create(actor=agent, customer=customer, data={"kind": "call", "subject": "Relance"})
    note_create(actor=agent, customer=customer, data={"wished_vehicles": "SUV hybride"})
    record(
        workspace=workspace,
        event_code="crm.activity.logged",
        person=customer.person,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        topic="Question sur la garantie",
    )
    LeadFactory(workspace=workspace, customer=customer, last_name="Dupont")
    customer.refresh_from_db()
    return customer


@pytest.fixture
def company_customer(agent, workspace):
    """A company with two contact persons (one also a contact of another company) and a
    subsidiary."""
    customer = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        contact_data={"legal_name": "Transports Martin", "city": "Lyon"},
    )
    company_contact_add(
        actor=agent, customer=customer, person_data={"last_name": "Gérard"}, role="Gérant"
    )
    shared = company_contact_add(
        actor=agent, customer=customer, person_data={"last_name": "Partagé"}, role="Flotte"
    ).person
    other = CompanyFactory(workspace=customer.workspace, legal_name="Autre société")
    CompanyContact.objects.create(company=other, person=shared, role="Achats")
    CompanyFactory(workspace=customer.workspace, legal_name="Martin Sud", parent=customer.company)
    record(
        workspace=customer.workspace,
        event_code="crm.activity.logged",
        company=customer.company,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        topic="Devis flotte",
    )
    return customer


def test_delete_then_restore_brings_every_row_back_unchanged(rich_customer, supervisor):
    before = everything()
    assert len(before["Interaction"]) >= 4 and len(before["InvoiceLine"]) == 3
    assert len(before["MileageReading"]) == 2
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    for model in MODELS[:-1]:
        assert not model.objects.exists(), model
    assert Lead.objects.get().customer is None

    restored = customer_restore(actor=supervisor, audit_entry_id=entry.pk)

    assert everything() == before
    assert restored.public_id == rich_customer.public_id
    assert restored.status == CustomerStatus.CUSTOMER
    assert Lead.objects.get().customer == restored
    topics = [interaction.topic for interaction in timeline_of(customer=restored)]
    assert "Question sur la garantie" in topics and len(topics) == len(before["Interaction"])
    restore_entry = AuditEntry.objects.get(action="customer.restore")
    assert restore_entry.target_id == entry.target_id == str(restored.public_id)
    assert restore_entry.actor == supervisor
    assert restore_entry.after == {"restored_from": entry.pk}
    # The sequences (SQLite AUTOINCREMENT, PostgreSQL) go on after the restored keys.
    newcomer = CustomerFactory(workspace=restored.workspace)
    assert newcomer.pk > restored.pk and newcomer.person_id > restored.person_id


@pytest.mark.parametrize("query", ["dupont", "Hélène Dupont", "AB123", "06 12 34 56 78"])
def test_the_restored_customer_is_found_by_search(rich_customer, supervisor, workspace, query):
    public_id = rich_customer.public_id
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    assert not customer_list(user=supervisor, workspace=workspace, query=query).exists()
    customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    found = customer_list(user=supervisor, workspace=workspace, query=query)
    assert [customer.public_id for customer in found] == [public_id]


def test_restore_of_a_company_brings_back_contacts_and_subsidiary(company_customer, supervisor):
    before = everything()
    company_pk = company_customer.company.pk
    entry = customer_delete(actor=supervisor, customer=company_customer)
    assert Person.objects.get().last_name == "Partagé"  # still a contact of another company
    assert Company.objects.get(legal_name="Martin Sud").parent is None
    customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert everything() == before
    assert Company.objects.get(legal_name="Martin Sud").parent_id == company_pk
    found = customer_list(user=supervisor, workspace=company_customer.workspace, query="gérard")
    assert [customer.public_id for customer in found] == [company_customer.public_id]


def test_an_individual_who_is_also_a_company_contact_comes_back_as_one(
    agent, supervisor, workspace, company_customer
):
    person_customer = CustomerFactory(workspace=workspace, person__last_name="Double")
    CompanyContact.objects.create(
        company=company_customer.company, person=person_customer.person, role="Gérant"
    )
    company_customer.refresh_from_db()
    customer_reindex(customer=company_customer)
    before = everything()
    entry = customer_delete(actor=supervisor, customer=person_customer)
    assert not company_customer.company.contacts.filter(person__last_name="Double").exists()
    assert not customer_list(user=supervisor, workspace=workspace, query="double").exists()
    customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert everything() == before
    found = customer_list(user=supervisor, workspace=workspace, query="double")
    assert {customer.public_id for customer in found} == {
        person_customer.public_id,
        company_customer.public_id,
    }


def test_the_audit_entry_keeps_the_old_keys_and_a_serialised_copy(rich_customer, supervisor):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.before["contact"]["last_name"] == "Dupont"
    assert entry.before["customer"]["status"] == CustomerStatus.CUSTOMER
    assert entry.before["contact_persons"] == []
    copy = entry.before["restore"]
    models = {row["model"] for row in copy["objects"]}
    assert {"contacts.person", "crm.customer", "crm.vehicle", "crm.invoiceline"} <= models
    assert {"crm.mileagereading", "crm.activity", "crm.note", "interactions.interaction"} <= models
    assert copy["leads"] == list(Lead.objects.values_list("pk", flat=True))


def test_a_second_restore_is_refused_in_french(rich_customer, supervisor):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    with pytest.raises(ValidationError) as error:
        customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert error.value.messages == ["Cette suppression a déjà été annulée."]
    assert AuditEntry.objects.filter(action="customer.restore").count() == 1


def test_restore_is_refused_when_the_rows_exist_again(rich_customer, supervisor):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    copy = AuditEntry.objects.get(pk=entry.pk).before["restore"]
    person = next(row for row in copy["objects"] if row["model"] == "contacts.person")
    Person.objects.create(
        workspace=rich_customer.workspace,
        last_name="Intrus",
        public_id=person["fields"]["public_id"],
    )
    with pytest.raises(ValidationError) as error:
        customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert "existent déjà" in error.value.messages[0]
    assert not Customer.objects.exists()


def test_restore_is_refused_when_an_invoice_number_was_reused(rich_customer, supervisor, agent):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    other = CustomerFactory(workspace=rich_customer.workspace)
    invoice_create(
        actor=agent,
        customer=other,
        data={"kind": "parts", "number": "A1", "issued_on": datetime.date(2025, 6, 10)},
        lines=[line("Pièce", "10.00")],
    )
    with pytest.raises(ValidationError) as error:
        customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert "A1" in error.value.messages[0]
    assert Customer.objects.get() == other


def test_restore_after_the_window_is_refused(rich_customer, supervisor, fixed_clock):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    fixed_clock.shift(datetime.timedelta(days=31))
    with pytest.raises(ValidationError, match="plus de 30 jours"):
        customer_restore(actor=supervisor, audit_entry_id=entry.pk)


def test_restore_survives_the_deletion_of_the_users_it_names(rich_customer, supervisor, agent):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    agent.delete()
    restored = customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert restored.owner is None
    assert Activity.objects.get().owner is None


def test_an_agent_cannot_restore(rich_customer, supervisor, agent):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    with pytest.raises(AccessDenied):
        customer_restore(actor=agent, audit_entry_id=entry.pk)
    assert not Customer.objects.exists()


def test_another_workspaces_user_gets_not_found(rich_customer, supervisor, other_workspace):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    stranger = UserFactory(role=Role.SUPERVISOR, workspaces=[other_workspace])
    with pytest.raises(NotFound):
        customer_restore(actor=stranger, audit_entry_id=entry.pk)
    with pytest.raises(NotFound):
        customer_restore(actor=supervisor, audit_entry_id=entry.pk, workspace=other_workspace)
    assert not Customer.objects.exists()


def test_only_customer_deletions_can_be_restored(rich_customer, supervisor):
    other = AuditEntry.objects.create(
        workspace=rich_customer.workspace, action="note.delete", target_type="crm.Note"
    )
    with pytest.raises(NotFound):
        customer_restore(actor=supervisor, audit_entry_id=other.pk)


def test_a_deletion_recorded_without_a_copy_cannot_be_restored(rich_customer, supervisor):
    old = AuditEntry.objects.create(
        workspace=rich_customer.workspace,
        action="customer.delete",
        target_type="crm.Customer",
        target_id="x",
        before={"contact": {}, "customer": {}},
    )
    with pytest.raises(ValidationError, match="n'a pas été conservée"):
        customer_restore(actor=supervisor, audit_entry_id=old.pk)
    assert not deleted_customers(user=supervisor, workspace=rich_customer.workspace).exists()


# --- Screens ------------------------------------------------------------------------------------


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_delete_shows_an_undo_button_that_restores_the_card(rich_customer, supervisor_client):
    response = supervisor_client.post(
        reverse("crm:customer-delete", args=[rich_customer.public_id]), follow=True
    )
    page = text(response)
    entry = AuditEntry.objects.get(action="customer.delete")
    restore_url = reverse("crm:customer-restore", kwargs={"entry_id": entry.pk})
    assert "Hélène DUPONT a été supprimée." in page
    assert f'<form method="post" action="{restore_url}"' in page
    assert "Annuler la suppression</button>" in page
    assert "alert-success" in page and "undo:" not in page
    response = supervisor_client.post(restore_url, follow=True)
    detail = reverse("crm:customer-detail", args=[rich_customer.public_id])
    assert response.redirect_chain[-1][0] == detail
    assert "La fiche est restaurée." in text(response)
    assert Customer.objects.get().public_id == rich_customer.public_id


def test_restore_view_is_post_only_and_reports_a_refusal(rich_customer, supervisor, client):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    client.force_login(supervisor)
    url = reverse("crm:customer-restore", kwargs={"entry_id": entry.pk})
    assert client.get(url).status_code == 405
    client.post(url)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("crm:customer-trash")
    assert "Cette suppression a déjà été annulée." in text(response)


def test_an_agent_gets_403_restoring(rich_customer, supervisor, agent_client):
    entry = customer_delete(actor=supervisor, customer=rich_customer)
    url = reverse("crm:customer-restore", kwargs={"entry_id": entry.pk})
    assert agent_client.post(url).status_code == 403
    assert agent_client.get(reverse("crm:customer-trash")).status_code == 403
    assert "Corbeille" not in text(agent_client.get(reverse("crm:customer-list")))
    assert not Customer.objects.exists()


def test_the_trash_lists_and_restores(
    rich_customer, company_customer, supervisor_client, supervisor
):
    trash = reverse("crm:customer-trash")
    assert reverse("crm:customer-trash") in text(
        supervisor_client.get(reverse("crm:customer-list"))
    )
    assert "La corbeille est vide." in text(supervisor_client.get(trash))
    first = customer_delete(actor=supervisor, customer=rich_customer)
    customer_delete(actor=supervisor, customer=company_customer)
    page = text(supervisor_client.get(trash))
    assert "Hélène DUPONT" in page and "Transports Martin" in page
    assert supervisor.display_name in page
    assert "15/06/2025" in page
    assert page.count("Restaurer</button>") + page.count("Restaurer<span") == 2
    restore_url = reverse("crm:customer-restore", kwargs={"entry_id": first.pk})
    assert f'action="{restore_url}"' in page
    response = supervisor_client.post(restore_url, follow=True)
    assert "La fiche est restaurée." in text(response)
    page = text(supervisor_client.get(trash))
    assert "Hélène DUPONT" not in page and "Transports Martin" in page


def test_the_trash_shows_only_the_workspace_and_the_window(
    rich_customer, supervisor, other_workspace, fixed_clock, workspace
):
    old = customer_delete(actor=supervisor, customer=rich_customer)
    fixed_clock.shift(datetime.timedelta(days=31))
    elsewhere = CustomerFactory(workspace=other_workspace)
    stranger = UserFactory(role=Role.SUPERVISOR, workspaces=[other_workspace])
    foreign = customer_delete(actor=stranger, customer=elsewhere)
    recent = customer_delete(actor=supervisor, customer=CustomerFactory(workspace=workspace))
    listed = list(deleted_customers(user=supervisor, workspace=workspace))
    assert listed == [recent]
    assert old not in listed and foreign not in listed
    with pytest.raises(NotFound):
        deleted_customers(user=supervisor, workspace=other_workspace)


def test_the_trash_needs_the_right_to_delete(agent, workspace):
    with pytest.raises(AccessDenied):
        deleted_customers(user=agent, workspace=workspace)


def test_the_trash_page_makes_a_bounded_number_of_queries(supervisor_client, supervisor, workspace):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert supervisor_client.get(reverse("crm:customer-trash")).status_code == 200
        return len(queries)

    customer_delete(actor=supervisor, customer=CustomerFactory(workspace=workspace))
    count()  # the first request also loads the session's user and workspace
    few = count()
    for _ in range(8):
        deleter = UserFactory(role=Role.SUPERVISOR, workspaces=[workspace])
        customer_delete(actor=deleter, customer=CustomerFactory(workspace=workspace))
    assert count() == few
    assert few <= 12


def test_restorable_copies_are_purged_after_the_window(supervisor, rich_customer, fixed_clock):
    from relais.crm.services.deletion import customer_deletion_copies_purge

    entry = customer_delete(actor=supervisor, customer=rich_customer)
    assert customer_deletion_copies_purge() == 0  # still within the window

    fixed_clock.shift(datetime.timedelta(days=31))
    assert customer_deletion_copies_purge() == 1

    entry.refresh_from_db()
    assert "restore" not in entry.before
    assert entry.before["customer"]  # the audit summary stays
    with pytest.raises(ValidationError):
        customer_restore(actor=supervisor, audit_entry_id=entry.pk)
    assert customer_deletion_copies_purge() == 0
