"""The demo data generator and the ``load_demo`` command."""

import datetime
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from relais.core.accounts.models import User
from relais.core.accounts.roles import Role
from relais.core.contacts import validators as v
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.crm.demo import generate_customers
from relais.crm.demo.platform import DEMO_PASSWORD, DEMO_SLUG
from relais.crm.models import (
    Activity,
    Customer,
    CustomerStatus,
    Invoice,
    InvoiceKind,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.search import build_search_document
from relais.crm.selectors import customer_list
from relais.crm.services.customers import _sort_name
from tests.factories import WorkspaceFactory

TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py
COUNT = 40


@pytest.fixture
def generated(workspace, agent):
    created = generate_customers(workspace=workspace, count=COUNT, seed=7, today=TODAY, owner=agent)
    assert created == COUNT
    return workspace


def test_creates_customers_with_a_varied_history(generated):
    customers = Customer.objects.in_workspace(generated)
    assert customers.count() == COUNT
    assert customers.filter(kind="individual").exists()
    assert customers.filter(kind="company").exists()
    assert customers.filter(status=CustomerStatus.PROSPECT).exists()
    assert customers.filter(status=CustomerStatus.CUSTOMER).exists()
    kinds = set(Invoice.objects.in_workspace(generated).values_list("kind", flat=True))
    assert {InvoiceKind.AFTER_SALES, InvoiceKind.PARTS} <= kinds
    assert kinds & InvoiceKind.purchases()
    assert Activity.objects.in_workspace(generated).exists()
    assert Note.objects.in_workspace(generated).exists()
    assert CompanyContact.objects.filter(company__workspace=generated).exists()


def test_every_contact_is_valid_and_already_normalised(generated):
    for person in Person.objects.in_workspace(generated):
        before = (person.phone_mobile, person.phone_landline, person.city, person.email)
        person.full_clean()
        assert (person.phone_mobile, person.phone_landline, person.city, person.email) == before
    for company in Company.objects.in_workspace(generated):
        before = (company.siren, company.siret, company.naf_code, company.phone_landline)
        company.full_clean()
        assert (company.siren, company.siret, company.naf_code, company.phone_landline) == before
        assert company.siret.startswith(company.siren)


def test_individuals_are_adults_under_ninety(generated):
    for customer in (
        Customer.objects.in_workspace(generated).filter(kind="individual").select_related("person")
    ):
        if customer.person.birth_date:  # a few deliberate duplicates have none
            assert 18 <= customer.person.age(TODAY) <= 90
            assert customer.person.civility in {"M", "MME"}


def test_vehicles_have_valid_plates_and_vins(generated):
    vehicles = list(Vehicle.objects.in_workspace(generated))
    assert vehicles
    for vehicle in vehicles:
        vehicle.full_clean()
        assert v.normalize_plate(vehicle.plate) == vehicle.plate
        assert v.normalize_vin(vehicle.vin) == vehicle.vin
        assert not set("IOQ") & set(vehicle.vin)
        assert vehicle.first_registration_date <= TODAY
    plates = [vehicle.plate for vehicle in vehicles]
    assert len(plates) == len(set(plates))


def test_invoices_are_valid_and_totals_are_the_sum_of_their_lines(generated):
    invoices = (
        Invoice.objects.in_workspace(generated).prefetch_related("lines").select_related("vehicle")
    )
    for invoice in invoices:
        invoice.full_clean()
        lines = list(invoice.lines.all())
        assert lines
        for line in lines:
            line.full_clean()
        assert invoice.total_excl_tax == sum((line.total_excl_tax for line in lines), Decimal("0"))
        assert invoice.total_incl_tax == sum((line.total_incl_tax for line in lines), Decimal("0"))
        assert invoice.issued_on <= TODAY
        if invoice.kind == InvoiceKind.AFTER_SALES:
            assert invoice.vehicle is not None and invoice.mileage is not None
            assert 1 <= len(lines) <= 4
        if invoice.kind in InvoiceKind.purchases():
            assert invoice.vehicle is not None


def test_status_is_customer_exactly_when_there_is_an_invoice(generated):
    for customer in Customer.objects.in_workspace(generated):
        expected = (
            CustomerStatus.CUSTOMER if customer.invoices.exists() else CustomerStatus.PROSPECT
        )
        assert customer.status == expected


def test_after_sales_mileage_grows_and_follows_the_purchase(generated):
    readings = defaultdict(list)
    for reading in MileageReading.objects.in_workspace(generated).select_related("invoice"):
        assert reading.invoice.kind == InvoiceKind.AFTER_SALES
        assert (reading.read_on, reading.mileage) == (
            reading.invoice.issued_on,
            reading.invoice.mileage,
        )
        readings[reading.vehicle_id].append((reading.read_on, reading.mileage))
    assert readings
    assert MileageReading.objects.in_workspace(generated).count() == (
        Invoice.objects.in_workspace(generated).filter(kind=InvoiceKind.AFTER_SALES).count()
    )
    for vehicle_id, series in readings.items():
        series.sort()
        mileages = [mileage for _day, mileage in series]
        assert mileages == sorted(mileages) and len(set(mileages)) == len(mileages)
        purchase = Invoice.objects.filter(
            vehicle_id=vehicle_id, kind__in=InvoiceKind.purchases()
        ).first()
        if purchase:
            assert purchase.issued_on < series[0][0]
            assert purchase.mileage < series[0][1]


def test_activities_plan_their_follow_up_after_themselves(generated):
    activities = Activity.objects.in_workspace(generated)
    assert activities.filter(next_follow_up_on__gte=TODAY).exists()  # the agenda has work
    for activity in activities:
        activity.full_clean()
        if activity.next_follow_up_on:
            assert activity.next_follow_up_on >= activity.occurred_at.date()


def test_leads_are_emitted_in_the_three_weeks_before_today(generated):
    leads = Lead.objects.in_workspace(generated)
    assert leads.count() >= 3
    for lead in leads:
        lead.full_clean()
        assert TODAY - datetime.timedelta(days=21) <= lead.emitted_at.date() < TODAY


def test_invoices_and_activities_are_in_the_timeline(generated):
    for model in (Invoice, Activity):
        content_type = ContentType.objects.get_for_model(model)
        for record in model.objects.in_workspace(generated).select_related("customer"):
            entries = Interaction.objects.in_workspace(generated).filter(
                source_type=content_type, source_id=record.pk
            )
            assert entries.count() == 1
            entry = entries.get()
            entry.full_clean()
            assert (entry.person_id, entry.company_id) == (
                record.customer.person_id,
                record.customer.company_id,
            )


def test_search_fields_match_what_the_services_compute(generated, agent):
    customers = Customer.objects.in_workspace(generated).select_related("person", "company")
    for customer in customers:
        assert customer.sort_name == _sort_name(customer)
        assert set(customer.search_document.split()) == set(build_search_document(customer).split())
    vehicle = Vehicle.objects.in_workspace(generated).first()
    found = customer_list(
        user=agent, workspace=generated, query=vehicle.plate.replace("-", " ").lower()
    )
    assert vehicle.customer in found


def _fingerprint(workspace: Workspace) -> list:
    return [
        sorted(
            Customer.objects.in_workspace(workspace).values_list(
                "kind", "status", "sort_name", "search_document", "source"
            )
        ),
        sorted(
            Invoice.objects.in_workspace(workspace).values_list(
                "number", "issued_on", "total_incl_tax"
            )
        ),
        sorted(
            Activity.objects.in_workspace(workspace).values_list(
                "subject", "occurred_at", "next_follow_up_on"
            )
        ),
        sorted(Lead.objects.in_workspace(workspace).values_list("last_name", "emitted_at")),
    ]


def test_the_same_seed_gives_the_same_data(workspace):
    other = WorkspaceFactory(organization=workspace.organization)
    generate_customers(workspace=workspace, count=25, seed=11, today=TODAY)
    generate_customers(workspace=other, count=25, seed=11, today=TODAY)
    assert _fingerprint(workspace) == _fingerprint(other)
    third = WorkspaceFactory(organization=workspace.organization)
    generate_customers(workspace=third, count=25, seed=12, today=TODAY)
    assert _fingerprint(third) != _fingerprint(workspace)


def test_generating_again_adds_customers_without_clashing(workspace):
    generate_customers(workspace=workspace, count=10, seed=1, today=TODAY)
    generate_customers(workspace=workspace, count=10, seed=1, today=TODAY)
    assert Customer.objects.in_workspace(workspace).count() == 20
    numbers = list(Invoice.objects.in_workspace(workspace).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_a_negative_count_is_refused(workspace):
    with pytest.raises(ValueError):
        generate_customers(workspace=workspace, count=-1, seed=1, today=TODAY)


def test_progress_is_reported(workspace):
    calls = []
    generate_customers(
        workspace=workspace, count=5, seed=1, today=TODAY, progress=lambda *a: calls.append(a)
    )
    assert calls == [(5, 5)]


# --- load_demo --------------------------------------------------------------------------

SMALL = {"customers": "12", "template_customers": "6", "sandbox_customers": "4"}


def _load_demo(*args, **options) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_creates_the_organization_workspaces_and_accounts():
    output = _load_demo()
    organization = Organization.objects.get(slug=DEMO_SLUG)
    assert organization.name == "Relais Auto Formation"
    assert organization.primary_colour == "#000091"
    assert organization.header_text and organization.footer_text
    workspaces = {ws.name: ws for ws in organization.workspaces.all()}
    assert workspaces["Concession de démonstration"].kind == WorkspaceKind.LIVE
    assert workspaces["Base école 2025"].kind == WorkspaceKind.TEMPLATE
    sandbox = workspaces["Bac à sable de l'apprenant"]
    assert (
        sandbox.kind == WorkspaceKind.SANDBOX and sandbox.template == workspaces["Base école 2025"]
    )
    counts = {name: Customer.objects.in_workspace(ws).count() for name, ws in workspaces.items()}
    assert counts == {
        "Concession de démonstration": 12,
        "Base école 2025": 6,
        "Bac à sable de l'apprenant": 4,
    }

    roles = {
        "admin": Role.ADMINISTRATOR,
        "superviseur": Role.SUPERVISOR,
        "agent": Role.AGENT,
        "formateur": Role.TRAINER,
        "apprenant": Role.LEARNER,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.role == role and user.organization == organization
        assert user.check_password(DEMO_PASSWORD)
        assert username in output
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="agent").is_superuser
    learner_spaces = set(
        User.objects.get(username="apprenant").memberships.values_list("workspace__name", flat=True)
    )
    assert learner_spaces == {"Bac à sable de l'apprenant"}
    agent_spaces = set(
        User.objects.get(username="agent").memberships.values_list("workspace__name", flat=True)
    )
    assert agent_spaces == {"Concession de démonstration"}
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_reset_recreates():
    _load_demo()
    output = _load_demo(customers="30")
    assert "existe déjà" in output
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name="Concession de démonstration")
    assert Customer.objects.in_workspace(live).count() == 12

    _load_demo("--reset", customers="8")
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name="Concession de démonstration")
    assert Customer.objects.in_workspace(live).count() == 8
    assert User.objects.filter(username="admin").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-5", "beaucoup"])
def test_load_demo_refuses_a_bad_count(value):
    with pytest.raises(CommandError, match="--customers"):
        _load_demo(customers=value)
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_load_demo_refuses_a_username_taken_elsewhere():
    User.objects.create_user(username="agent", password="x")
    with pytest.raises(CommandError, match="agent"):
        _load_demo()
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()
