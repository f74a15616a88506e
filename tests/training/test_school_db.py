"""The generated school database: diversity, coherence of every record, anomalies.

One base of ``COUNT`` customers is generated once for the module (outside the per-test
transaction, removed at the end); each coherence rule is its own test over every record.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from relais.core.contacts import validators as v
from relais.core.contacts.models import Person
from relais.core.interactions.models import Direction, Interaction
from relais.core.organizations.models import Organization
from relais.core.workspaces.cloning import workspace_records_delete
from relais.crm.calendar import is_working_day
from relais.crm.demo import catalogue as cat
from relais.crm.demo import generate_customers
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    CustomerStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Lead,
    LeadType,
    MileageReading,
    Note,
    Vehicle,
)
from relais.training.models import Anomaly, AnomalyKind
from relais.training.services.school import school_base_generate_by_operator
from tests.factories import WorkspaceFactory

TODAY = datetime.date(2025, 6, 15)
COUNT = 400
PROSPECTING_SUBJECTS = {subject for _kind, subject, _outcome in cat.PROSPECTING_STEPS}
CAMPAIGN_CONSENT = {"campaign": "consent_email", "sms": "consent_sms", "letter": "consent_mail"}
CAMPAIGN_CHANNEL = {"campaign": "email", "sms": "sms", "letter": "letter"}


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        organization = Organization.objects.create(name="École A", slug="ecole-test-a")
        school_base = school_base_generate_by_operator(
            organization=organization, name="Base école A", customers=COUNT, seed=21, today=TODAY
        )
        workspace = school_base.workspace
        yield SimpleNamespace(
            workspace=workspace,
            school_base=school_base,
            anomalies=list(Anomaly.objects.filter(school_base=school_base)),
        )
        with transaction.atomic():
            workspace_records_delete(workspace)
            workspace.delete()
            organization.delete()


@pytest.fixture
def ws(base, db):
    return base.workspace


def _customers(ws):
    return Customer.objects.in_workspace(ws).select_related("person", "company")


def _anomalous_keys(base) -> set[str]:
    return {record["identity_key"] for anomaly in base.anomalies for record in anomaly.records}


# --- diversity ---------------------------------------------------------------------------


def test_every_diversity_category_has_meaningful_numbers(ws):
    invoices = defaultdict(set)
    for customer_id, kind in Invoice.objects.in_workspace(ws).values_list("customer_id", "kind"):
        invoices[customer_id].add(kind)
    with_activity = set(Activity.objects.in_workspace(ws).values_list("customer_id", flat=True))
    vehicles = Counter(Vehicle.objects.in_workspace(ws).values_list("customer_id", flat=True))
    customers = list(Customer.objects.in_workspace(ws).values("pk", "kind", "status"))
    purchases = set(InvoiceKind.purchases())
    categories = Counter()
    for customer in customers:
        kinds = invoices[customer["pk"]]
        bought, serviced = bool(kinds & purchases), InvoiceKind.AFTER_SALES in kinds
        categories["purchase without after-sales"] += bought and not serviced
        categories["purchase with after-sales"] += bought and serviced
        categories["after-sales without purchase"] += serviced and not bought
        categories["with activities"] += customer["pk"] in with_activity
        categories["without activities"] += customer["pk"] not in with_activity
        categories["prospect without invoice"] += (
            customer["status"] == CustomerStatus.PROSPECT and not kinds
        )
        categories["individual"] += customer["kind"] == CustomerKind.INDIVIDUAL
        categories["company with a fleet"] += (
            customer["kind"] == CustomerKind.COMPANY and vehicles[customer["pk"]] >= 2
        )
        categories["new vehicle"] += InvoiceKind.NEW_VEHICLE in kinds
        categories["used vehicle"] += InvoiceKind.USED_VEHICLE in kinds
        categories["parts shop"] += InvoiceKind.PARTS in kinds
    minimum = {
        "purchase without after-sales": 25,
        "purchase with after-sales": 40,
        "after-sales without purchase": 40,
        "with activities": 150,
        "without activities": 40,
        "prospect without invoice": 60,
        "individual": 250,
        "company with a fleet": 15,
        "new vehicle": 40,
        "used vehicle": 30,
        "parts shop": 15,
    }
    short = {name: categories[name] for name, low in minimum.items() if categories[name] < low}
    assert not short, short
    energies = set(Vehicle.objects.in_workspace(ws).values_list("energy", flat=True))
    assert {"electric", "hybrid", "phev", "diesel", "petrol"} <= energies


def test_every_lead_type_is_present_within_the_three_weeks_before_today(ws):
    leads = list(Lead.objects.in_workspace(ws))
    assert len(leads) >= COUNT // 10
    assert {lead.lead_type for lead in leads} == set(LeadType.values)
    for lead in leads:
        assert TODAY - datetime.timedelta(days=21) <= lead.emitted_at.date() < TODAY


def test_every_month_of_the_year_before_today_has_invoices_and_activities(ws):
    start = datetime.date(TODAY.year - 1, TODAY.month, 1)
    invoice_months = {
        (day.year, day.month)
        for day in Invoice.objects.in_workspace(ws)
        .filter(issued_on__gte=start)
        .values_list("issued_on", flat=True)
    }
    activity_months = {
        (moment.year, moment.month)
        for moment in Activity.objects.in_workspace(ws)
        .filter(occurred_at__date__gte=start)
        .values_list("occurred_at", flat=True)
    }
    months = set()
    day = start
    while day < TODAY:
        months.add((day.year, day.month))
        day += datetime.timedelta(days=28)
    assert len(months) >= 12
    assert months <= invoice_months
    assert months <= activity_months


# --- coherence, each rule over every record ------------------------------------------------


def test_prospecting_comes_before_the_first_purchase_invoice(ws):
    first_purchase = {}
    for customer_id, issued_on in (
        Invoice.objects.in_workspace(ws)
        .filter(kind__in=InvoiceKind.purchases())
        .values_list("customer_id", "issued_on")
    ):
        first_purchase[customer_id] = min(issued_on, first_purchase.get(customer_id, issued_on))
    checked = 0
    for activity in Activity.objects.in_workspace(ws).filter(subject__in=PROSPECTING_SUBJECTS):
        bought_on = first_purchase.get(activity.customer_id)
        assert bought_on is not None, activity.subject  # prospecting steps lead to a purchase
        assert activity.occurred_at.date() < bought_on
        assert activity.next_follow_up_on is None or activity.next_follow_up_on <= bought_on
        checked += 1
    assert checked >= 50


def test_a_vehicle_is_delivered_at_or_after_its_purchase_invoice(ws):
    purchases = Invoice.objects.in_workspace(ws).filter(kind__in=InvoiceKind.purchases())
    assert purchases.count() >= 50
    for invoice in purchases.select_related("vehicle"):
        registered_on = invoice.vehicle.first_registration_date
        if invoice.kind == InvoiceKind.NEW_VEHICLE:
            # A new car is registered when it is delivered.
            assert invoice.issued_on <= registered_on <= invoice.issued_on + datetime.timedelta(4)
        else:
            assert registered_on < invoice.issued_on
        assert invoice.vehicle.customer_id == invoice.customer_id


def test_after_sales_visits_follow_delivery_with_mileage_at_the_customers_daily_pace(ws):
    purchase_of = {
        invoice.vehicle_id: invoice
        for invoice in Invoice.objects.in_workspace(ws).filter(kind__in=InvoiceKind.purchases())
    }
    daily_note = dict(
        Note.objects.in_workspace(ws)
        .filter(daily_mileage_km__isnull=False)
        .values_list("customer_id", "daily_mileage_km")
    )
    visits = defaultdict(list)
    for reading in MileageReading.objects.in_workspace(ws).select_related("vehicle"):
        visits[reading.vehicle].append((reading.read_on, reading.mileage))
    assert len(visits) >= 50
    paced = 0
    for vehicle, series in visits.items():
        series.sort()
        purchase = purchase_of.get(vehicle.pk)
        if purchase is not None:
            start = (purchase.issued_on, purchase.mileage)
            assert purchase.issued_on < series[0][0]
        else:
            start = (vehicle.first_registration_date, 0)
        assert vehicle.first_registration_date < series[0][0]
        points = [start, *series]
        for (day_before, km_before), (day, km) in zip(points, points[1:], strict=False):
            assert day > day_before and km > km_before
            per_day = (km - km_before) / (day - day_before).days
            assert 5 <= per_day <= 300
            daily = daily_note.get(vehicle.customer_id)
            if daily:
                assert 0.8 * daily <= per_day <= 1.2 * daily, (vehicle.pk, per_day, daily)
                paced += 1
    assert paced >= 20


def test_individuals_are_between_18_and_90(ws):
    people = Person.objects.in_workspace(ws).filter(crm_customer__isnull=False)
    ages = [person.age(TODAY) for person in people if person.birth_date]
    assert len(ages) >= 250
    assert all(18 <= age <= 90 for age in ages)


def test_no_visit_invoice_activity_or_follow_up_on_a_sunday_or_public_holiday(ws):
    days = [
        *Invoice.objects.in_workspace(ws).values_list("issued_on", flat=True),
        *MileageReading.objects.in_workspace(ws).values_list("read_on", flat=True),
        *[
            moment.astimezone(_paris()).date()
            for moment in Activity.objects.in_workspace(ws).values_list("occurred_at", flat=True)
        ],
        *Activity.objects.in_workspace(ws)
        .filter(next_follow_up_on__isnull=False)
        .values_list("next_follow_up_on", flat=True),
        *[
            moment.astimezone(_paris()).date()
            for moment in Lead.objects.in_workspace(ws).values_list("emitted_at", flat=True)
        ],
    ]
    assert len(days) > 1000
    closed = [day for day in days if not is_working_day(day)]
    assert closed == []


def _paris():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def test_campaigns_reach_only_contacts_who_had_accepted_the_channel(ws):
    campaigns = Activity.objects.in_workspace(ws).filter(subject__startswith="Campagne")
    kinds = Counter(campaigns.values_list("kind", flat=True))
    assert set(kinds) == {"campaign", "sms", "letter"} and min(kinds.values()) >= 10
    for activity in campaigns.select_related("customer__person", "customer__company"):
        contact = activity.customer.contact
        assert getattr(contact, CAMPAIGN_CONSENT[activity.kind]), activity.subject
        assert contact.consent_updated_at is not None
        assert activity.occurred_at.date() >= contact.consent_updated_at.date()
        assert activity.direction == "out"
    # The timeline says the same: outbound, on the campaign's channel.
    entries = Interaction.objects.in_workspace(ws).filter(topic__startswith="Campagne")
    assert entries.count() == campaigns.count()
    for entry in entries:
        assert entry.direction == Direction.OUTBOUND
        assert entry.channel in set(CAMPAIGN_CHANNEL.values())


def _catalogue_prices(make: str, model: str) -> tuple[int, int]:
    car = next(c for c in cat.CATALOGUE if (c.make, c.model) == (make, model))
    prices = [engine.price for engine in car.engines]
    return min(prices), max(prices) * (1 + 0.07 * (len(car.trims) - 1))


def test_amounts_are_consistent_with_the_catalogue(ws):
    workshop = {label: (low, high) for label, (low, high), _q, _f in cat.WORKSHOP_OPERATIONS}
    shop = dict(cat.SHOP_ITEMS)
    fees = {"Frais de mise à la route", "Garantie VO 12 mois", "Certificat d'immatriculation"}
    lines = InvoiceLine.objects.filter(invoice__workspace=ws).select_related(
        "invoice", "invoice__vehicle"
    )
    checked = Counter()
    for line in lines:
        invoice, unit = line.invoice, line.unit_price_excl_tax
        if invoice.kind in InvoiceKind.purchases() and line.label.endswith(invoice.vehicle.vin):
            low, high = _catalogue_prices(invoice.vehicle.make, invoice.vehicle.model)
            price = line.total_incl_tax
            if invoice.kind == InvoiceKind.NEW_VEHICLE:
                assert Decimal(low) - 400 <= price <= Decimal(high) + 100, line.label
            else:
                assert Decimal("3900") <= price <= Decimal(high) * Decimal("1.06"), line.label
            checked["vehicle"] += 1
        elif line.label in workshop:
            low, high = workshop[line.label]
            shop_range = shop.get(line.label, (low, high))  # a label in both lists
            assert min(low, shop_range[0]) <= unit <= max(high, shop_range[1]), line.label
            checked["workshop"] += 1
        elif line.label in shop:
            low, high = shop[line.label]
            assert low <= unit <= high, line.label
            checked["shop"] += 1
        else:
            assert any(line.label.startswith(fee) for fee in fees), line.label
            assert unit <= 700
    assert min(checked.values()) >= 20 and len(checked) == 3
    purchases = Invoice.objects.in_workspace(ws).filter(kind__in=InvoiceKind.purchases())
    assert checked["vehicle"] == purchases.count()  # one vehicle line per purchase


# --- identity keys and anomalies -----------------------------------------------------------


def test_every_customer_has_an_identity_key_shared_only_by_listed_duplicates(base, ws):
    keys = Counter(Customer.objects.in_workspace(ws).values_list("identity_key", flat=True))
    assert all(len(key) == 32 for key in keys)
    shared = {key for key, count in keys.items() if count > 1}
    duplicated = {
        anomaly.records[0]["identity_key"]
        for anomaly in base.anomalies
        if anomaly.kind in {AnomalyKind.DUPLICATE, AnomalyKind.TYPO}
    }
    assert shared == duplicated and max(keys.values()) == 2


def test_anomalies_involve_about_five_percent_of_customers_with_every_kind(base, ws):
    assert {anomaly.kind for anomaly in base.anomalies} == set(AnomalyKind.values)
    involved = sum(len(anomaly.records) for anomaly in base.anomalies)
    assert 0.035 * COUNT <= involved <= 0.07 * COUNT
    for anomaly in base.anomalies:
        assert anomaly.description and anomaly.expected_correction
        assert all(record["label"] for record in anomaly.records)


def _by_key(ws, key):
    return list(_customers(ws).filter(identity_key=key))


def test_each_listed_anomaly_is_really_in_the_records(base, ws):
    for anomaly in base.anomalies:
        keys = [record["identity_key"] for record in anomaly.records]
        customers = [customer for key in dict.fromkeys(keys) for customer in _by_key(ws, key)]
        people = [customer.person for customer in customers]
        kind = anomaly.kind
        if kind in {AnomalyKind.DUPLICATE, AnomalyKind.TYPO}:
            assert len(set(keys)) == 1 and len(customers) == 2
            first, second = people
            assert first.first_name == second.first_name
            assert first.postal_code == second.postal_code
            if kind == AnomalyKind.TYPO:
                assert first.last_name.lower() != second.last_name.lower()
        elif kind == AnomalyKind.HOMONYM:
            assert len(set(keys)) == 2 and len(customers) == 2
            first, second = people
            assert (first.first_name, first.last_name) == (second.first_name, second.last_name)
            assert first.birth_date != second.birth_date
        elif kind == AnomalyKind.HOUSEHOLD:  # two people of one home: not to merge
            assert len(set(keys)) == 2 and len(customers) == 2
            first, second = people
            assert first.last_name == second.last_name
            assert (first.street, first.city) == (second.street, second.city)
            assert first.first_name != second.first_name
            assert first.birth_date != second.birth_date
        elif kind == AnomalyKind.SHARED_VIN:
            assert len(set(keys)) == 2 and len(customers) == 2
            vins = [
                set(Vehicle.objects.filter(customer=c).values_list("vin", flat=True))
                for c in customers
            ]
            assert vins[0] & vins[1]
        else:
            assert len(customers) == 1
            person = people[0]
            if kind == AnomalyKind.SWAPPED_NAMES:
                assert f"« {person.first_name} »" in anomaly.expected_correction.split("en nom")[0]
            elif kind == AnomalyKind.PHONE_FORMAT:
                assert v.normalize_phone(person.phone_mobile) != person.phone_mobile
                assert v.normalize_phone(person.phone_mobile) in anomaly.expected_correction
            elif kind == AnomalyKind.EMAIL_CASE:
                assert person.email == person.email.upper() != person.email.lower()
            elif kind == AnomalyKind.POSTCODE_CITY:
                assert _postcode_city_wrong(person)
            elif kind == AnomalyKind.PHONE_WRONG_FIELD:
                assert not person.phone_mobile
                assert person.phone_landline.startswith(("06", "07"))
            elif kind == AnomalyKind.INVALID_EMAIL:
                with pytest.raises(ValidationError):
                    validate_email(person.email)


def _postcode_city_wrong(person) -> bool:
    if not person.postal_code or not person.city:
        return True
    try:
        v.validate_city_for_postal_code(person.postal_code, person.city)
    except ValidationError:
        return True
    return False


def test_records_outside_the_anomaly_list_are_clean(base, ws):
    anomalous = _anomalous_keys(base)
    for customer in (
        _customers(ws).filter(kind=CustomerKind.INDIVIDUAL).exclude(identity_key__in=anomalous)
    ):
        person = customer.person
        before = (person.phone_mobile, person.phone_landline, person.email, person.postal_code)
        person.full_clean()
        assert (person.phone_mobile, person.phone_landline, person.email, person.postal_code) == (
            before
        )
        assert person.email == person.email.lower()
        assert not _postcode_city_wrong(person)


def test_stored_anomalies_are_the_generators_list(base):
    assert base.school_base.customer_count == COUNT
    assert base.school_base.reference_date == TODAY
    assert len(base.anomalies) == Anomaly.objects.filter(school_base=base.school_base).count()


# --- determinism ---------------------------------------------------------------------------


def _fingerprint(workspace) -> list:
    return [
        sorted(
            Customer.objects.in_workspace(workspace).values_list(
                "identity_key", "sort_name", "search_document", "status"
            )
        ),
        sorted(Invoice.objects.in_workspace(workspace).values_list("number", "total_incl_tax")),
        sorted(Activity.objects.in_workspace(workspace).values_list("subject", "occurred_at")),
        sorted(Lead.objects.in_workspace(workspace).values_list("last_name", "emitted_at")),
    ]


def test_the_same_seed_and_day_give_the_same_base_and_anomalies(organization):
    runs = []
    for _ in range(2):
        workspace = WorkspaceFactory(organization=organization)
        anomalies: list = []
        generate_customers(workspace=workspace, count=90, seed=8, today=TODAY, anomalies=anomalies)
        runs.append((_fingerprint(workspace), anomalies))
    assert runs[0] == runs[1]
    assert runs[0][1]  # 90 customers already carry anomalies
    other = WorkspaceFactory(organization=organization)
    generate_customers(workspace=other, count=90, seed=8, today=TODAY + datetime.timedelta(7))
    assert _fingerprint(other) != runs[0][0]
