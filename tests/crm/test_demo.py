"""The demo data generator."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from relais.core.contacts import validators as v
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Workspace
from relais.crm.demo import generate_customers, generate_leads
from relais.crm.models import (
    Activity,
    Customer,
    CustomerStatus,
    Invoice,
    InvoiceKind,
    Lead,
    LeadType,
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


ANOMALIES: list = []


@pytest.fixture
def generated(workspace, agent):
    ANOMALIES.clear()
    created = generate_customers(
        workspace=workspace, count=COUNT, seed=7, today=TODAY, owner=agent, anomalies=ANOMALIES
    )
    assert created == COUNT
    return workspace


def _anomalous_keys() -> set[str]:
    return {record["identity_key"] for anomaly in ANOMALIES for record in anomaly["records"]}


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
    # The deliberate anomalies are the only records a clean-up would change.
    assert ANOMALIES
    anomalous = Person.objects.in_workspace(generated).filter(
        crm_customer__identity_key__in=_anomalous_keys()
    )
    assert anomalous.exists()
    for person in Person.objects.in_workspace(generated).exclude(pk__in=anomalous):
        before = (person.phone_mobile, person.phone_landline, person.city, person.email)
        person.full_clean()
        assert (person.phone_mobile, person.phone_landline, person.city, person.email) == before
    for company in Company.objects.in_workspace(generated):
        before = (company.siren, company.siret, company.naf_code, company.phone_landline)
        company.full_clean()
        assert (company.siren, company.siret, company.naf_code, company.phone_landline) == before
        assert company.siret.startswith(company.siren)


def test_customers_carry_an_identity_key_shared_only_by_duplicates(generated):
    keys = list(Customer.objects.in_workspace(generated).values_list("identity_key", flat=True))
    assert all(len(key) == 32 for key in keys)
    copies = {
        anomaly["records"][0]["identity_key"]
        for anomaly in ANOMALIES
        if anomaly["kind"] in {"duplicate", "typo"}
    }
    assert {key for key in keys if keys.count(key) > 1} == copies


def test_anomalies_involve_about_one_customer_in_twenty(workspace):
    anomalies = []
    # Eleven kinds in turn, one customer in 28: all of them by 340 customers.
    generate_customers(workspace=workspace, count=340, seed=5, today=TODAY, anomalies=anomalies)
    assert {anomaly["kind"] for anomaly in anomalies} == {
        "homonym", "duplicate", "typo", "swapped_names", "phone_format", "email_case",
        "shared_vin", "postcode_city", "phone_wrong_field", "invalid_email", "household",
    }  # fmt: skip
    # Duplicate pairs share one key: count records, not keys.
    involved = sum(len(anomaly["records"]) for anomaly in anomalies)
    assert 0.035 * 340 <= involved <= 0.07 * 340


def test_individuals_are_adults_under_ninety(generated):
    for customer in (
        Customer.objects.in_workspace(generated).filter(kind="individual").select_related("person")
    ):
        if customer.person.birth_date:  # a few deliberate duplicates have none
            assert 18 <= customer.person.age(TODAY) <= 90
            assert customer.person.civility in {"M", "MME"}


def test_vehicles_have_valid_plates_and_vins(generated):
    vehicles = list(Vehicle.objects.in_workspace(generated).select_related("customer"))
    assert vehicles
    for vehicle in vehicles:
        vehicle.full_clean()
        assert v.normalize_plate(vehicle.plate) == vehicle.plate
        assert v.normalize_vin(vehicle.vin) == vehicle.vin
        assert not set("IOQ") & set(vehicle.vin)
        assert vehicle.first_registration_date <= TODAY
    plates = [vehicle.plate for vehicle in vehicles]
    assert len(plates) == len(set(plates))
    # A VIN is on two vehicles only where a "shared VIN" anomaly says so.
    vins = [vehicle.vin for vehicle in vehicles]
    shared = {vin for vin in vins if vins.count(vin) > 1}
    listed = {
        anomaly["description"].split("(VIN) ")[1].split(" ")[0]
        for anomaly in ANOMALIES
        if anomaly["kind"] == "shared_vin"
    }
    assert shared == listed


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


def test_generate_leads_adds_recent_leads_of_every_type(generated):
    Lead.objects.in_workspace(generated).delete()
    today = datetime.date(2025, 12, 1)
    assert generate_leads(workspace=generated, seed=4, today=today, count=30) == 30
    leads = Lead.objects.in_workspace(generated)
    assert leads.count() == 30
    assert set(leads.values_list("lead_type", flat=True)) == set(LeadType.values)
    for lead in leads:
        lead.full_clean()
        assert today - datetime.timedelta(days=21) <= lead.emitted_at.date() < today
    names = set(Person.objects.in_workspace(generated).values_list("first_name", "last_name"))
    assert any((lead.first_name, lead.last_name) in names for lead in leads)


def test_generate_leads_is_deterministic_and_refuses_a_negative_count(generated):
    fields = ("lead_type", "first_name", "last_name", "emitted_at")
    runs = []
    for _ in range(2):
        Lead.objects.in_workspace(generated).delete()
        generate_leads(workspace=generated, seed=4, today=TODAY, count=12)
        runs.append(sorted(Lead.objects.in_workspace(generated).values_list(*fields)))
    assert len(runs[0]) == 12 and runs[0] == runs[1]
    with pytest.raises(ValueError):
        generate_leads(workspace=generated, seed=4, today=TODAY, count=-1)


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


@pytest.fixture(scope="module")
def dealership_figures(django_db_blocker):
    """The live dealership of ``make demo`` at its size (300 customers, seed 2025), measured:
    the open follow-ups (an activity's planned call with no later activity) and the age of
    each prospect's file."""
    from django.db import connection
    from django.db.models import Exists, OuterRef

    with django_db_blocker.unblock():
        # Its own transaction, rolled back, so that the module's other tests see nothing.
        connection.set_autocommit(False)
        try:
            workspace = WorkspaceFactory()
            generate_customers(workspace=workspace, count=300, seed=2025, today=TODAY)
            later = Activity.objects.filter(
                customer_id=OuterRef("customer_id"), occurred_at__gt=OuterRef("occurred_at")
            )
            open_follow_ups = list(
                Activity.objects.filter(workspace=workspace, next_follow_up_on__isnull=False)
                .filter(~Exists(later))
                .values_list("next_follow_up_on", flat=True)
            )
            prospect_ages = [
                (TODAY - created.date()).days
                for created in Customer.objects.filter(
                    workspace=workspace, status=CustomerStatus.PROSPECT
                ).values_list("created_at", flat=True)
            ]
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    return open_follow_ups, prospect_ages


def test_the_live_dealership_has_no_follow_up_overdue_for_years(dealership_figures):
    open_follow_ups, _ages = dealership_figures
    overdue = [day for day in open_follow_ups if day < TODAY]
    assert open_follow_ups and overdue  # the agenda has work, and a few late calls
    # Late by days or weeks as in a real dealership, never since 2020.
    assert min(overdue) >= TODAY - datetime.timedelta(days=31)
    assert len(overdue) < len(open_follow_ups) / 2


def test_the_live_dealerships_prospects_have_several_ages(dealership_figures):
    _follow_ups, ages = dealership_figures
    assert all(0 <= age <= 8 * 366 for age in ages)
    recent = sum(age <= 30 for age in ages)
    # Some entered this month (the demo's « Prospects entrés ces 3 derniers mois » segment
    # has members), most earlier: up to the six months a prospect is followed.
    assert len(ages) / 10 < recent < len(ages) / 2
    assert max(ages) > 120
    assert len({age // 30 for age in ages}) >= 5
