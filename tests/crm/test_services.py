"""CRM write services: customers, vehicles, invoices, activities, notes, leads."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    Invoice,
    InvoiceLine,
    Lead,
    LeadStatus,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.services.customers import (
    company_contact_add,
    company_contact_remove,
    company_contact_update,
    customer_create,
    customer_update,
)
from relais.crm.services.deletion import customer_delete
from relais.crm.services.leads import lead_convert, lead_create, lead_delete, lead_update
from relais.crm.services.records import (
    activity_create,
    activity_delete,
    activity_update,
    invoice_create,
    invoice_delete,
    invoice_update,
    mileage_reading_add,
    mileage_reading_delete,
    note_create,
    note_delete,
    vehicle_create,
    vehicle_delete,
    vehicle_update,
)
from tests.factories import (
    CustomerFactory,
    LeadFactory,
    UserFactory,
    VehicleFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 costs about 0.3 s a user; these tests are not about passwords (see test_accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


D = Decimal


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def person_data(**overrides):
    return {
        "civility": "MME",
        "first_name": "Hélène",
        "last_name": "Dupont",
        "email": "helene.dupont@exemple.fr",
        "phone_mobile": "+33 6 12 34 56 78",
        "postal_code": "69003",
        "city": "Lyon",
        "birth_date": datetime.date(1980, 5, 17),
        **overrides,
    }


def company_data(**overrides):
    return {
        "legal_name": "Transports Martin",
        "siret": "732 829 320 00074",
        "naf_code": "4941a",
        "company_type": "SAS",
        "postal_code": "69003",
        "city": "Lyon",
        "phone_landline": "04 78 00 00 00",
        **overrides,
    }


@pytest.fixture
def customer(agent, workspace):
    return customer_create(
        actor=agent, workspace=workspace, kind=CustomerKind.INDIVIDUAL, contact_data=person_data()
    )


@pytest.fixture
def company_customer(agent, workspace):
    return customer_create(
        actor=agent, workspace=workspace, kind=CustomerKind.COMPANY, contact_data=company_data()
    )


@pytest.fixture
def vehicle(agent, customer):
    return vehicle_create(
        actor=agent,
        customer=customer,
        data={
            "make": "Renault",
            "model": "Clio",
            "energy": "hybrid",
            "plate": "ab 123 cd",
            "vin": "vf1rja00012345678",
        },
    )


def line(label="Vidange", quantity="1", price="100.00", vat="20.00"):
    return {
        "label": label,
        "quantity": D(quantity),
        "unit_price_excl_tax": D(price),
        "vat_rate": D(vat),
    }


def apv(agent, customer, vehicle, *, number, issued_on, mileage, lines=None):
    return invoice_create(
        actor=agent,
        customer=customer,
        data={
            "kind": "apv",
            "number": number,
            "issued_on": issued_on,
            "mileage": mileage,
            "vehicle": vehicle,
        },
        lines=lines or [line()],
    )


def parts(agent, customer, *, number="P1", issued_on=datetime.date(2025, 6, 1), lines=None):
    return invoice_create(
        actor=agent,
        customer=customer,
        data={"kind": "parts", "number": number, "issued_on": issued_on},
        lines=lines or [line()],
    )


def interactions_of(source):
    from django.contrib.contenttypes.models import ContentType

    return Interaction.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    )


# --- Customers ------------------------------------------------------------------------------


def test_customer_create_individual(customer, agent, workspace):
    customer.refresh_from_db()
    person = customer.person
    assert customer.kind == CustomerKind.INDIVIDUAL
    assert customer.status == CustomerStatus.PROSPECT
    assert customer.workspace == workspace == person.workspace
    assert customer.company is None
    assert (person.first_name, person.last_name, person.civility) == ("Hélène", "Dupont", "MME")
    assert person.phone_mobile == "06 12 34 56 78"
    assert customer.sort_name == "dupont helene"
    assert customer.display_name == "Hélène DUPONT"
    assert "helene" in customer.search_document.split()
    assert "0612345678" in customer.search_document.split()
    entry = AuditEntry.objects.get(action="customer.create")
    assert entry.actor == agent
    assert entry.target_id == str(customer.public_id)
    assert entry.after["last_name"] == "Dupont"


def test_customer_create_company(company_customer):
    company_customer.refresh_from_db()
    company = company_customer.company
    assert company_customer.kind == CustomerKind.COMPANY
    assert company_customer.person is None
    assert (company.siren, company.siret, company.naf_code) == (
        "732829320",
        "73282932000074",
        "49.41A",
    )
    assert company.phone_landline == "04 78 00 00 00"
    assert company_customer.sort_name == "transports martin"
    assert "73282932000074" in company_customer.search_document.split()


def test_customer_create_with_consents_dates_them(agent, workspace):
    customer = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data=person_data(consent_sms=True),
    )
    assert customer.person.consent_updated_at == timezone.now()
    assert customer.person.consents() == ["sms"]


def test_customer_create_with_crm_fields(agent, supervisor, workspace):
    customer = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data=person_data(),
        customer_data={
            "source": CustomerSource.WEBSITE,
            "dealership": "Lyon Est",
            "owner": supervisor,
        },
    )
    customer.refresh_from_db()
    assert (customer.source, customer.dealership, customer.owner) == (
        "website",
        "Lyon Est",
        supervisor,
    )


def test_customer_create_refuses_an_owner_from_elsewhere(agent, other_agent, workspace):
    with pytest.raises(NotFound):
        customer_create(
            actor=agent,
            workspace=workspace,
            kind=CustomerKind.INDIVIDUAL,
            contact_data=person_data(),
            customer_data={"owner": other_agent},
        )
    assert not Person.objects.exists()


def test_customer_create_ignores_status_and_workspace_in_the_data(
    agent, workspace, other_workspace
):
    customer = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data=person_data(workspace=other_workspace),
        customer_data={"status": CustomerStatus.CUSTOMER},
    )
    assert customer.person.workspace == workspace
    assert customer.status == CustomerStatus.PROSPECT


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"last_name": ""}, "last_name"),
        ({"phone_mobile": "01 23 45 67 89"}, "phone_mobile"),
        ({"email": "pas-un-mail"}, "email"),
        ({"postal_code": "69003", "city": "Paris"}, "city"),
        ({"birth_date": datetime.date(2030, 1, 1)}, "birth_date"),
    ],
)
def test_customer_create_refuses_invalid_contact_data_and_writes_nothing(
    agent, workspace, data, field
):
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=agent,
            workspace=workspace,
            kind=CustomerKind.INDIVIDUAL,
            contact_data=person_data(**data),
        )
    assert field in exc.value.message_dict
    assert not Person.objects.exists()
    assert not Customer.objects.exists()


def test_customer_create_refuses_a_company_with_a_bad_siret(agent, workspace):
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=agent,
            workspace=workspace,
            kind=CustomerKind.COMPANY,
            contact_data=company_data(siret="73282932000075"),
        )
    assert "siret" in exc.value.message_dict
    assert not Company.objects.exists()


def test_customer_create_refuses_a_parent_company_of_another_workspace(
    agent, workspace, other_workspace
):
    foreign = CustomerFactory(workspace=other_workspace, kind=CustomerKind.COMPANY).company
    with pytest.raises(NotFound):
        customer_create(
            actor=agent,
            workspace=workspace,
            kind=CustomerKind.COMPANY,
            contact_data=company_data(parent=foreign),
        )


def test_customer_update_changes_contact_and_reindexes(customer, agent):
    customer_update(
        actor=agent,
        customer=customer,
        contact_data={"last_name": "Durand", "phone_landline": "0478000000", "city": "LYON"},
    )
    customer.refresh_from_db()
    assert customer.person.last_name == "Durand"
    assert customer.person.phone_landline == "04 78 00 00 00"
    assert customer.sort_name == "durand helene"
    words = customer.search_document.split()
    assert "durand" in words
    assert "dupont" not in words
    assert "0478000000" in words
    entry = AuditEntry.objects.get(action="customer.update")
    assert (entry.before["last_name"], entry.after["last_name"]) == ("Dupont", "Durand")


def test_customer_update_without_change_writes_no_audit_entry(customer, agent):
    customer_update(actor=agent, customer=customer, contact_data={"last_name": "Dupont"})
    assert not AuditEntry.objects.filter(action="customer.update").exists()


def test_customer_update_dates_a_consent_change(customer, agent, fixed_clock):
    fixed_clock.shift(3600)
    customer_update(actor=agent, customer=customer, contact_data={"consent_email": True})
    customer.person.refresh_from_db()
    assert customer.person.consent_updated_at == timezone.now()


def test_customer_update_refuses_invalid_data_and_keeps_the_row(customer, agent):
    with pytest.raises(ValidationError):
        customer_update(actor=agent, customer=customer, contact_data={"email": "pas-un-mail"})
    assert Person.objects.get(pk=customer.person_id).email == "helene.dupont@exemple.fr"


def test_customer_update_of_a_company(company_customer, agent):
    customer_update(
        actor=agent, customer=company_customer, contact_data={"legal_name": "Martin Logistique"}
    )
    company_customer.refresh_from_db()
    assert company_customer.company.legal_name == "Martin Logistique"
    assert company_customer.sort_name == "martin logistique"
    assert "martinlogistique" in company_customer.search_document.split()


def test_customer_delete_removes_everything_attached(customer, vehicle, supervisor, agent):
    invoice = apv(
        agent, customer, vehicle, number="A1", issued_on=datetime.date(2025, 5, 1), mileage=12000
    )
    activity_create(actor=agent, customer=customer, data={"kind": "call", "subject": "Relance"})
    note_create(actor=agent, customer=customer, data={"wished_vehicles": "SUV"})
    person_pk = customer.person_id
    customer_delete(actor=supervisor, customer=customer)
    assert not Customer.objects.exists()
    assert not Person.objects.filter(pk=person_pk).exists()
    for model in (Vehicle, Invoice, InvoiceLine, MileageReading, Activity, Note, Interaction):
        assert not model.objects.exists(), model
    entry = AuditEntry.objects.get(action="customer.delete")
    assert entry.actor == supervisor
    assert entry.before["contact"]["last_name"] == "Dupont"
    assert entry.before["customer"]["status"] == CustomerStatus.CUSTOMER
    assert invoice.number == "A1"


def test_customer_delete_of_a_company_removes_its_contact_persons(
    company_customer, agent, supervisor
):
    company_contact_add(
        actor=agent, customer=company_customer, person_data={"last_name": "Martin"}, role="Gérant"
    )
    company_contact_add(
        actor=agent, customer=company_customer, person_data={"last_name": "Petit"}, role="Flotte"
    )
    unrelated = customer_create(
        actor=agent,
        workspace=company_customer.workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data=person_data(),
    )
    customer_delete(actor=supervisor, customer=company_customer)
    assert not Company.objects.exists()
    assert not CompanyContact.objects.exists()
    # The contact persons were personal data of that company record only.
    assert list(Person.objects.all()) == [unrelated.person]


def test_customer_delete_keeps_a_converted_lead_without_its_customer(agent, supervisor, workspace):
    lead = LeadFactory(workspace=workspace, phone="06 11 22 33 44")
    customer = lead_convert(actor=agent, lead=lead)
    customer_delete(actor=supervisor, customer=customer)
    lead.refresh_from_db()
    assert lead.customer is None


# --- Company contacts -----------------------------------------------------------------------


def test_company_contacts_are_added_updated_removed_and_searchable(company_customer, agent):
    link = company_contact_add(
        actor=agent,
        customer=company_customer,
        person_data={
            "first_name": "Paul",
            "last_name": "Martin",
            "email": "paul@martin.fr",
            "phone_mobile": "0687654321",
        },
        role=" Gérant ",
    )
    assert link.role == "Gérant"
    assert link.person.workspace == company_customer.workspace
    assert link.person.phone_mobile == "06 87 65 43 21"
    company_customer.refresh_from_db()
    assert {"paul", "martin", "0687654321"} <= set(company_customer.search_document.split())
    company_contact_update(
        actor=agent,
        customer=company_customer,
        link=link,
        person_data={"last_name": "Lefèvre"},
        role="Comptable",
    )
    company_customer.refresh_from_db()
    assert "lefevre" in company_customer.search_document.split()
    company_contact_remove(actor=agent, customer=company_customer, link=link)
    company_customer.refresh_from_db()
    assert "lefevre" not in company_customer.search_document.split()
    assert not Person.objects.exists()
    assert AuditEntry.objects.filter(action="company_contact.delete").count() == 1


def test_company_contact_needs_a_company(customer, agent):
    with pytest.raises(NotFound):
        company_contact_add(actor=agent, customer=customer, person_data={"last_name": "Martin"})


def test_company_contact_of_another_company_is_not_found(company_customer, agent, workspace):
    link = company_contact_add(
        actor=agent, customer=company_customer, person_data={"last_name": "Martin"}
    )
    other = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        contact_data=company_data(legal_name="Autre"),
    )
    with pytest.raises(NotFound):
        company_contact_update(actor=agent, customer=other, link=link, person_data={}, role="")
    with pytest.raises(NotFound):
        company_contact_remove(actor=agent, customer=other, link=link)
    assert CompanyContact.objects.count() == 1


# --- Permissions ----------------------------------------------------------------------------


def test_agent_cannot_delete(customer, agent):
    with pytest.raises(AccessDenied):
        customer_delete(actor=agent, customer=customer)
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not AuditEntry.objects.filter(action="customer.delete").exists()


@pytest.mark.parametrize(
    "action",
    [
        lambda user, c: customer_update(actor=user, customer=c, contact_data={"last_name": "X"}),
        lambda user, c: customer_delete(actor=user, customer=c),
        lambda user, c: vehicle_create(
            actor=user, customer=c, data={"make": "R", "model": "C", "energy": "petrol"}
        ),
        lambda user, c: parts(user, c),
        lambda user, c: activity_create(
            actor=user, customer=c, data={"kind": "call", "subject": "x"}
        ),
        lambda user, c: note_create(actor=user, customer=c, data={"body": "x"}),
    ],
)
def test_user_without_membership_gets_not_found(customer, other_agent, action):
    with pytest.raises(NotFound):
        action(other_agent, customer)
    customer.person.refresh_from_db()
    assert customer.person.last_name == "Dupont"
    assert not Vehicle.objects.exists()
    assert not Invoice.objects.exists()


def test_user_without_membership_cannot_create_in_the_workspace(other_agent, workspace):
    with pytest.raises(NotFound):
        customer_create(
            actor=other_agent,
            workspace=workspace,
            kind=CustomerKind.INDIVIDUAL,
            contact_data=person_data(),
        )
    assert not Customer.objects.exists()


def test_administrator_of_another_organization_gets_not_found(customer):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    with pytest.raises(NotFound):
        customer_update(actor=admin, customer=customer, contact_data={"last_name": "X"})


def test_anonymous_is_denied(customer):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        customer_update(actor=AnonymousUser(), customer=customer, contact_data={"last_name": "X"})
    with pytest.raises(AccessDenied):
        customer_update(actor=None, customer=customer, contact_data={"last_name": "X"})


def test_learner_edits_and_deletes_in_his_sandbox_only(organization, workspace):
    template = WorkspaceFactory(
        organization=organization, kind=WorkspaceKind.TEMPLATE, name="Base école"
    )
    sandbox = WorkspaceFactory(
        organization=organization, kind=WorkspaceKind.SANDBOX, template=template, name="Bac"
    )
    learner = UserFactory(role=Role.LEARNER, organization=organization, workspaces=[sandbox])
    customer = customer_create(
        actor=learner, workspace=sandbox, kind=CustomerKind.INDIVIDUAL, contact_data=person_data()
    )
    customer_update(actor=learner, customer=customer, contact_data={"first_name": "Léa"})
    assert Person.objects.get(pk=customer.person_id).first_name == "Léa"
    customer_delete(actor=learner, customer=customer)
    assert not Customer.objects.exists()
    with pytest.raises(NotFound):
        customer_create(
            actor=learner,
            workspace=workspace,
            kind=CustomerKind.INDIVIDUAL,
            contact_data=person_data(),
        )
    with pytest.raises(NotFound):
        customer_create(
            actor=learner,
            workspace=template,
            kind=CustomerKind.INDIVIDUAL,
            contact_data=person_data(),
        )


def test_inactive_member_is_refused(customer, agent):
    agent.is_active = False
    agent.save()
    with pytest.raises((NotFound, AccessDenied)):
        customer_update(actor=agent, customer=customer, contact_data={"last_name": "X"})


# --- Vehicles and mileage -------------------------------------------------------------------


def test_vehicle_create_normalises_plate_and_vin(vehicle, customer):
    vehicle.refresh_from_db()
    assert vehicle.plate == "AB-123-CD"
    assert vehicle.vin == "VF1RJA00012345678"
    assert vehicle.workspace == customer.workspace
    customer.refresh_from_db()
    assert {"ab123cd", "vf1rja00012345678"} <= set(customer.search_document.split())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plate": "AI-123-CD"}, "plate"),
        ({"vin": "VF1RJA0001234567"}, "vin"),
        ({"first_registration_date": datetime.date(2025, 6, 16)}, "first_registration_date"),
        ({"energy": "steam"}, "energy"),
    ],
)
def test_vehicle_create_refuses_invalid_data(customer, agent, data, field):
    with pytest.raises(ValidationError) as exc:
        vehicle_create(
            actor=agent,
            customer=customer,
            data={"make": "Renault", "model": "Clio", "energy": "petrol", **data},
        )
    assert field in exc.value.message_dict
    assert not Vehicle.objects.exists()


def test_search_document_follows_a_plate_change(vehicle, customer, agent):
    vehicle_update(actor=agent, vehicle=vehicle, data={"plate": "ef-456-gh"})
    customer.refresh_from_db()
    words = customer.search_document.split()
    assert "ef456gh" in words
    assert "ab123cd" not in words


def test_search_document_forgets_a_deleted_vehicle(vehicle, customer, supervisor):
    vehicle_delete(actor=supervisor, vehicle=vehicle)
    customer.refresh_from_db()
    assert "ab123cd" not in customer.search_document.split()
    assert AuditEntry.objects.get(action="vehicle.delete").before["plate"] == "AB-123-CD"


def test_mileage_readings_cannot_go_down(vehicle, agent):
    mileage_reading_add(
        actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 1, 10), mileage=10000
    )
    mileage_reading_add(
        actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 5, 10), mileage=20000
    )
    # In between: must lie between its neighbours.
    mileage_reading_add(
        actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 3, 10), mileage=15000
    )
    with pytest.raises(ValidationError) as exc:
        mileage_reading_add(
            actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 6, 1), mileage=19999
        )
    assert "20 000 km relevés dès le 10/05/2025" in exc.value.message_dict["mileage"][0]
    with pytest.raises(ValidationError) as exc:
        mileage_reading_add(
            actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 2, 1), mileage=16000
        )
    assert "seulement 15 000 km relevés le 10/03/2025" in exc.value.message_dict["mileage"][0]
    with pytest.raises(ValidationError) as exc:
        mileage_reading_add(
            actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 6, 16), mileage=30000
        )
    assert "read_on" in exc.value.message_dict
    assert vehicle.mileage_readings.count() == 3


def test_mileage_reading_of_an_invoice_cannot_be_deleted_alone(vehicle, customer, agent):
    invoice = apv(
        agent, customer, vehicle, number="A1", issued_on=datetime.date(2025, 5, 1), mileage=12000
    )
    with pytest.raises(ValidationError):
        mileage_reading_delete(actor=agent, reading=invoice.mileage_reading)
    manual = mileage_reading_add(
        actor=agent, vehicle=vehicle, read_on=datetime.date(2025, 6, 1), mileage=13000
    )
    mileage_reading_delete(actor=agent, reading=manual)
    assert list(vehicle.mileage_readings.values_list("mileage", flat=True)) == [12000]


# --- Invoices -------------------------------------------------------------------------------


def test_first_invoice_turns_a_prospect_into_a_customer_and_the_last_one_back(
    customer, agent, supervisor
):
    assert customer.status == CustomerStatus.PROSPECT
    first = parts(agent, customer, number="P1")
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.CUSTOMER
    second = parts(agent, customer, number="P2")
    invoice_delete(actor=supervisor, invoice=first)
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.CUSTOMER
    invoice_delete(actor=supervisor, invoice=second)
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PROSPECT


def test_invoice_totals_come_from_the_lines_rounded_per_line(customer, agent):
    invoice = parts(
        agent,
        customer,
        lines=[
            line(
                "Huile", quantity="1.5", price="10.33", vat="5.5"
            ),  # 15.495 -> 15.50 HT; 16.3525 -> 16.35 TTC
            line("Filtre", quantity="3", price="0.35"),  # 1.05 HT; 1.26 TTC
            line(
                "Main-d'œuvre", quantity="0.25", price="60.02"
            ),  # 15.005 -> 15.01 HT; 18.012 -> 18.01 TTC
        ],
    )
    invoice.refresh_from_db()
    assert invoice.total_excl_tax == D("31.56")
    assert invoice.total_incl_tax == D("35.62")
    assert invoice.vat_amount == D("4.06")
    assert [ln.total_excl_tax for ln in invoice.lines.all()] == [D("15.50"), D("1.05"), D("15.01")]


def test_invoice_lines_given_as_strings_are_accepted(customer, agent):
    invoice = parts(
        agent,
        customer,
        lines=[
            {"label": "Pneu", "quantity": "2", "unit_price_excl_tax": "89.90", "vat_rate": "20"}
        ],
    )
    invoice.refresh_from_db()
    assert (invoice.total_excl_tax, invoice.total_incl_tax) == (D("179.80"), D("215.76"))


def test_invoice_without_lines_or_with_bad_lines_is_refused(customer, agent):
    with pytest.raises(ValidationError) as exc:
        invoice_create(
            actor=agent,
            customer=customer,
            data={"kind": "parts", "number": "P9", "issued_on": datetime.date(2025, 6, 1)},
            lines=[],
        )
    assert exc.value.message_dict["lines"] == ["Une facture compte au moins une ligne."]
    with pytest.raises(ValidationError) as exc:
        parts(agent, customer, lines=[line(quantity="0"), line(price="-1")])
    messages = exc.value.message_dict["lines"]
    assert any(m.startswith("Ligne 1 — ") for m in messages)
    assert any(m.startswith("Ligne 2 — ") for m in messages)
    assert not Invoice.objects.exists()
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PROSPECT


def test_invoice_in_the_future_is_refused(customer, agent):
    with pytest.raises(ValidationError) as exc:
        parts(agent, customer, issued_on=datetime.date(2025, 6, 16))
    assert "issued_on" in exc.value.message_dict


def test_invoice_enters_the_interaction_log(customer, agent):
    invoice = parts(agent, customer, number="P1", issued_on=datetime.date(2025, 6, 2))
    interaction = interactions_of(invoice).get()
    assert interaction.person == customer.person
    assert interaction.channel == Channel.COUNTER
    assert interaction.direction == Direction.INBOUND
    assert interaction.topic == "Magasin (pièces de rechange) n° P1 — 120.00 € TTC"
    assert interaction.started_at == aware(2025, 6, 2, 9, 0)
    assert interaction.actor == agent


def test_invoice_update_keeps_the_log_and_totals_in_step(customer, vehicle, agent):
    invoice = parts(agent, customer, number="P1")
    invoice_update(
        actor=agent,
        invoice=invoice,
        data={"kind": "vo", "vehicle": vehicle, "issued_on": datetime.date(2025, 5, 20)},
        lines=[line("Clio d'occasion", price="10000.00")],
    )
    invoice.refresh_from_db()
    assert invoice.total_incl_tax == D("12000.00")
    assert invoice.lines.count() == 1
    interaction = interactions_of(invoice).get()
    assert interaction.topic == "Achat véhicule d'occasion (VO) n° P1 — 12000.00 € TTC"
    assert interaction.started_at == aware(2025, 5, 20, 9, 0)
    assert interaction.outcome == "vo"
    assert interaction.outcome_label == "Achat véhicule d'occasion (VO)"
    assert interaction.event_code == "crm.invoice.issued"
    entry = AuditEntry.objects.get(action="invoice.update")
    assert (entry.before["kind"], entry.after["kind"]) == ("parts", "vo")


def test_invoice_update_without_lines_keeps_them(customer, agent):
    invoice = parts(agent, customer, number="P1", lines=[line(price="50.00"), line(price="25.00")])
    invoice_update(actor=agent, invoice=invoice, data={"number": "P1-bis"})
    invoice.refresh_from_db()
    assert invoice.number == "P1-bis"
    assert invoice.lines.count() == 2
    assert invoice.total_excl_tax == D("75.00")


def test_apv_invoice_records_the_mileage(customer, vehicle, agent):
    invoice = apv(
        agent, customer, vehicle, number="A1", issued_on=datetime.date(2025, 4, 2), mileage=15230
    )
    reading = MileageReading.objects.get()
    assert (reading.vehicle, reading.read_on, reading.mileage, reading.invoice) == (
        vehicle,
        datetime.date(2025, 4, 2),
        15230,
        invoice,
    )
    invoice_update(actor=agent, invoice=invoice, data={"mileage": 15300})
    assert list(MileageReading.objects.values_list("mileage", flat=True)) == [15300]


def test_apv_invoice_refuses_a_mileage_lower_than_an_earlier_reading(customer, vehicle, agent):
    apv(agent, customer, vehicle, number="A1", issued_on=datetime.date(2025, 3, 1), mileage=30000)
    with pytest.raises(ValidationError) as exc:
        apv(
            agent,
            customer,
            vehicle,
            number="A2",
            issued_on=datetime.date(2025, 6, 1),
            mileage=25000,
        )
    assert "ne peut pas baisser" in exc.value.message_dict["mileage"][0]
    assert list(Invoice.objects.values_list("number", flat=True)) == ["A1"]
    assert MileageReading.objects.count() == 1
    assert interactions_of(Invoice.objects.get()).count() == 1
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "apv", "mileage": 1000}, "vehicle"),
        ({"kind": "apv", "vehicle": "own"}, "mileage"),
        ({"kind": "vn"}, "vehicle"),
        ({"kind": "vo"}, "vehicle"),
        ({"kind": "xx"}, "kind"),
    ],
)
def test_invoice_kind_rules(customer, vehicle, agent, data, field):
    if data.get("vehicle") == "own":
        data["vehicle"] = vehicle
    with pytest.raises(ValidationError) as exc:
        invoice_create(
            actor=agent,
            customer=customer,
            data={"number": "X1", "issued_on": datetime.date(2025, 6, 1), **data},
            lines=[line()],
        )
    assert field in exc.value.message_dict


def test_invoice_of_a_vehicle_of_another_customer_is_refused(customer, agent, workspace):
    other = CustomerFactory(workspace=workspace)
    foreign_vehicle = VehicleFactory(customer=other)
    with pytest.raises(ValidationError) as exc:
        apv(
            agent,
            customer,
            foreign_vehicle,
            number="A1",
            issued_on=datetime.date(2025, 6, 1),
            mileage=1000,
        )
    assert exc.value.message_dict["vehicle"] == ["Ce véhicule n'appartient pas à ce client."]
    assert not MileageReading.objects.exists()
    invoice = parts(agent, customer)
    with pytest.raises(ValidationError):
        invoice_update(actor=agent, invoice=invoice, data={"vehicle": foreign_vehicle})
    assert Invoice.objects.get(pk=invoice.pk).vehicle is None


def test_duplicate_invoice_number_is_refused_within_a_workspace_only(
    customer, agent, other_agent, other_workspace
):
    parts(agent, customer, number="F-2025-001")
    other_customer = CustomerFactory(workspace=customer.workspace)
    with pytest.raises(ValidationError) as exc:
        parts(agent, other_customer, number="F-2025-001")
    assert exc.value.message_dict["number"] == ["Le numéro de facture F-2025-001 existe déjà."]
    second = parts(agent, customer, number="F-2025-002")
    with pytest.raises(ValidationError):
        invoice_update(actor=agent, invoice=second, data={"number": "F-2025-001"})
    foreign_customer = CustomerFactory(workspace=other_workspace)
    parts(other_agent, foreign_customer, number="F-2025-001")
    assert Invoice.objects.filter(number="F-2025-001").count() == 2


def test_invoice_delete_is_audited_and_forgets_its_interaction(
    customer, vehicle, agent, supervisor
):
    invoice = apv(
        agent,
        customer,
        vehicle,
        number="A1",
        issued_on=datetime.date(2025, 4, 2),
        mileage=15230,
        lines=[line()],
    )
    with pytest.raises(AccessDenied):
        invoice_delete(actor=agent, invoice=invoice)
    invoice_delete(actor=supervisor, invoice=invoice)
    assert not Invoice.objects.exists()
    assert not MileageReading.objects.exists()
    # The invoice was issued: its touchpoint stays in the history, unlinked.
    kept = Interaction.objects.get()
    assert (kept.source_id, kept.event_code) == (None, "crm.invoice.issued")
    entry = AuditEntry.objects.get(action="invoice.delete")
    assert entry.actor == supervisor
    assert entry.before["number"] == "A1"
    assert entry.before["lines"] == [
        {
            "label": "Vidange",
            "quantity": "1.00",
            "unit_price_excl_tax": "100.00",
            "vat_rate": "20.00",
        }
    ]


# --- Activities and notes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "channel"),
    [
        ("call", Channel.PHONE),
        ("email", Channel.EMAIL),
        ("letter", Channel.LETTER),
        ("sms", Channel.SMS),
        ("campaign", Channel.EMAIL),
        ("appointment", Channel.APPOINTMENT),
    ],
)
def test_activity_creates_an_interaction_on_the_right_channel(customer, agent, kind, channel):
    activity = activity_create(
        actor=agent,
        customer=customer,
        data={
            "kind": kind,
            "subject": "Relance entretien",
            "body": "Message laissé.",
            "occurred_at": aware(2025, 6, 10, 14, 30),
            "outcome": "message_left",
        },
    )
    assert activity.owner == agent
    interaction = interactions_of(activity).get()
    assert interaction.channel == channel
    assert interaction.direction == Direction.OUTBOUND
    assert interaction.person == customer.person
    assert interaction.topic == "Relance entretien"
    assert interaction.summary == "Message laissé."
    assert interaction.started_at == aware(2025, 6, 10, 14, 30)
    assert interaction.outcome == "message_left"
    assert interaction.outcome_label == "Message laissé"
    assert interaction.event_code == "crm.activity.logged"
    assert interaction.actor == agent


def test_activity_of_a_company_is_logged_on_the_company(company_customer, agent):
    activity = activity_create(
        actor=agent,
        customer=company_customer,
        data={"kind": "email", "subject": "Devis flotte", "direction": "in"},
    )
    interaction = interactions_of(activity).get()
    assert interaction.company == company_customer.company
    assert interaction.person is None
    assert interaction.direction == Direction.INBOUND
    assert interaction.started_at == timezone.now()


def test_activity_update_and_delete_keep_the_log_in_step(customer, agent, supervisor):
    activity = activity_create(
        actor=agent, customer=customer, data={"kind": "call", "subject": "Relance"}
    )
    activity_update(
        actor=agent,
        activity=activity,
        data={
            "kind": "sms",
            "subject": "SMS de relance",
            "direction": "in",
            "occurred_at": aware(2025, 6, 1, 8),
        },
    )
    interaction = interactions_of(activity).get()
    assert (interaction.channel, interaction.direction, interaction.topic) == (
        Channel.SMS,
        "in",
        "SMS de relance",
    )
    assert interaction.started_at == aware(2025, 6, 1, 8)
    activity_delete(actor=supervisor, activity=activity)
    assert not Activity.objects.exists()
    assert Interaction.objects.get().source_id is None
    assert AuditEntry.objects.get(action="activity.delete").before["subject"] == "SMS de relance"


def test_activity_follow_up_cannot_precede_it(customer, agent):
    with pytest.raises(ValidationError) as exc:
        activity_create(
            actor=agent,
            customer=customer,
            data={
                "kind": "call",
                "subject": "Relance",
                "occurred_at": aware(2025, 6, 10, 9),
                "next_follow_up_on": datetime.date(2025, 6, 9),
            },
        )
    assert "next_follow_up_on" in exc.value.message_dict
    assert not Interaction.objects.exists()


def test_activity_owner_must_belong_to_the_workspace(customer, agent, other_agent):
    with pytest.raises(NotFound):
        activity_create(
            actor=agent,
            customer=customer,
            data={"kind": "call", "subject": "x", "owner": other_agent},
        )


def test_notes(customer, agent, supervisor):
    with pytest.raises(ValidationError):
        note_create(actor=agent, customer=customer, data={"body": ""})
    with pytest.raises(ValidationError) as exc:
        note_create(actor=agent, customer=customer, data={"household_size": 0})
    assert "household_size" in exc.value.message_dict
    note = note_create(
        actor=agent, customer=customer, data={"wished_vehicles": "SUV hybride", "household_size": 4}
    )
    assert note.author == agent
    note_delete(actor=supervisor, note=note)
    assert AuditEntry.objects.get(action="note.delete").before["wished_vehicles"] == "SUV hybride"


# --- Leads ----------------------------------------------------------------------------------


def test_lead_create_normalises_the_phone(agent, workspace):
    lead = lead_create(
        actor=agent,
        workspace=workspace,
        data={"last_name": "Benali", "phone": "+33 6 11 22 33 44", "lead_type": "quote"},
    )
    assert lead.phone == "06 11 22 33 44"
    assert lead.status == LeadStatus.NEW
    assert lead.emitted_at == timezone.now()


def test_lead_in_the_future_or_with_a_bad_phone_is_refused(agent, workspace):
    with pytest.raises(ValidationError) as exc:
        lead_create(
            actor=agent,
            workspace=workspace,
            data={"last_name": "B", "lead_type": "quote", "emitted_at": aware(2025, 6, 16, 9)},
        )
    assert "emitted_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        lead_create(
            actor=agent,
            workspace=workspace,
            data={"last_name": "B", "lead_type": "quote", "phone": "123"},
        )
    assert "phone" in exc.value.message_dict
    assert not Lead.objects.exists()


def test_lead_update_and_delete(agent, supervisor, workspace):
    lead = LeadFactory(workspace=workspace, phone="06 11 22 33 44")
    lead_update(actor=agent, lead=lead, data={"status": "contacted"})
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CONTACTED
    with pytest.raises(AccessDenied):
        lead_delete(actor=agent, lead=lead)
    lead_delete(actor=supervisor, lead=lead)
    assert not Lead.objects.exists()
    assert AuditEntry.objects.filter(action="lead.delete").count() == 1


@pytest.mark.parametrize(
    ("lead_type", "phone", "channel", "phone_field"),
    [
        ("test_drive", "06 11 22 33 44", Channel.WEB, "phone_mobile"),
        ("phone", "04 78 00 00 00", Channel.PHONE, "phone_landline"),
        ("showroom", "", Channel.COUNTER, None),
    ],
)
def test_lead_conversion(agent, workspace, lead_type, phone, channel, phone_field):
    lead = LeadFactory(
        workspace=workspace,
        first_name="Nora",
        last_name="Benali",
        email="nora@exemple.fr",
        phone=phone,
        lead_type=lead_type,
        vehicle_of_interest="Renault Captur",
        message="Disponible le samedi.",
        emitted_at=aware(2025, 6, 1, 9, 30),
    )
    customer = lead_convert(actor=agent, lead=lead)
    customer.refresh_from_db()
    lead.refresh_from_db()
    assert lead.customer == customer
    assert lead.status == LeadStatus.CONVERTED
    assert customer.status == CustomerStatus.PROSPECT
    assert customer.source == CustomerSource.LEAD
    assert customer.owner == agent
    assert customer.workspace == workspace
    person = customer.person
    assert (person.first_name, person.last_name, person.email) == (
        "Nora",
        "Benali",
        "nora@exemple.fr",
    )
    if phone_field:
        assert getattr(person, phone_field) == phone
    interaction = interactions_of(lead).get()
    assert interaction.person == person
    assert interaction.channel == channel
    assert interaction.direction == Direction.INBOUND
    assert interaction.started_at == aware(2025, 6, 1, 9, 30)
    assert interaction.topic == f"{lead.get_lead_type_display()} — Renault Captur"
    assert interaction.summary == "Disponible le samedi."
    with pytest.raises(ValidationError):
        lead_convert(actor=agent, lead=lead)
    assert Customer.objects.count() == 1


def test_lead_conversion_without_vehicle_has_a_clean_topic(agent, workspace):
    lead = LeadFactory(workspace=workspace, phone="", lead_type="brochure", vehicle_of_interest="")
    lead_convert(actor=agent, lead=lead)
    assert interactions_of(lead).get().topic == "Demande de brochure"


def test_lead_conversion_needs_edit_rights_in_the_workspace(other_agent, workspace):
    lead = LeadFactory(workspace=workspace, phone="")
    with pytest.raises(NotFound):
        lead_convert(actor=other_agent, lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_company_cannot_become_the_parent_of_its_own_parent(agent, workspace):
    from relais.crm.services.customers import customer_update

    holding = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    subsidiary = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    customer_update(actor=agent, customer=subsidiary, contact_data={"parent": holding.company})

    with pytest.raises(ValidationError) as error:
        customer_update(actor=agent, customer=holding, contact_data={"parent": subsidiary.company})

    assert "même indirectement" in error.value.message_dict["parent"][0]
    holding.company.refresh_from_db()
    assert holding.company.parent is None


def test_an_invoice_has_a_bounded_number_of_lines(agent, workspace):
    from relais.crm.services.records import MAX_INVOICE_LINES, invoice_create

    customer = CustomerFactory(workspace=workspace)
    lines = [{"label": "Vis", "quantity": 1, "unit_price_excl_tax": 1}] * (MAX_INVOICE_LINES + 1)

    with pytest.raises(ValidationError) as error:
        invoice_create(
            actor=agent,
            customer=customer,
            data={"kind": "parts", "number": "F-LONGUE", "issued_on": datetime.date(2025, 6, 1)},
            lines=lines,
        )

    assert "au plus 500 lignes" in error.value.message_dict["lines"][0]
    assert not customer.invoices.exists()
