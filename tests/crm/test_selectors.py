"""CRM reads: visit frequency, after-sales, customer list sorting, scoped lookups."""

import datetime
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.core.exceptions import AccessDenied, NotFound
from relais.crm.models import CustomerKind, CustomerStatus
from relais.crm.selectors import (
    VisitFrequency,
    activity_get,
    after_sales_of,
    company_contact_get,
    customer_get,
    customer_list,
    invoice_get,
    lead_get,
    lead_list,
    mileage_reading_get,
    note_get,
    timeline_of,
    vehicle_get,
    visit_frequency,
)
from relais.crm.services.customers import company_contact_add, customer_create
from relais.crm.services.records import (
    activity_create,
    invoice_create,
    mileage_reading_add,
    note_create,
    vehicle_create,
)
from tests.factories import CustomerFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 costs about 0.3 s a user; these tests are not about passwords (see test_accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- visit_frequency (the clock is fixed on 2025-06-15) -------------------------------------


def test_no_visit():
    assert visit_frequency([]) == VisitFrequency(
        visits=0,
        first_visit=None,
        last_visit=None,
        mean_interval_days=None,
        visits_per_year=None,
        next_expected_visit=None,
        is_overdue=False,
    )


def test_one_visit_gives_no_interval_and_no_expectation():
    frequency = visit_frequency([date(2023, 1, 10)])
    assert frequency == VisitFrequency(
        1, date(2023, 1, 10), date(2023, 1, 10), None, None, None, False
    )


def test_two_visits_on_the_same_day_are_one_visit():
    assert visit_frequency([date(2024, 3, 1), date(2024, 3, 1)]).visits == 1


def test_two_visits_half_a_year_apart_next_one_not_yet_due():
    frequency = visit_frequency([date(2024, 12, 15), date(2024, 6, 15)])  # order does not matter
    assert frequency.visits == 2
    assert (frequency.first_visit, frequency.last_visit) == (date(2024, 6, 15), date(2024, 12, 15))
    assert frequency.mean_interval_days == 183
    assert frequency.visits_per_year == 2.0  # 365.25 / 183 = 1.996
    assert frequency.next_expected_visit == date(2025, 6, 16)
    assert frequency.is_overdue is False


def test_expected_today_is_not_overdue_yet():
    frequency = visit_frequency([date(2024, 6, 14), date(2024, 12, 14)])
    assert frequency.next_expected_visit == date(2025, 6, 15)
    assert frequency.is_overdue is False


def test_two_visits_overdue():
    frequency = visit_frequency([date(2024, 1, 10), date(2024, 7, 10)])
    assert frequency.mean_interval_days == 182
    assert frequency.next_expected_visit == date(2025, 1, 8)
    assert frequency.is_overdue is True


def test_many_visits():
    frequency = visit_frequency(
        [date(2023, 1, 1), date(2023, 7, 1), date(2024, 1, 1), date(2024, 7, 1)]
    )
    # Intervals 181, 184, 182 days.
    assert frequency.visits == 4
    assert frequency.mean_interval_days == 182.3
    # Three intervals over 547 days (1.498 years).
    assert frequency.visits_per_year == 2.0
    assert frequency.next_expected_visit == date(2024, 12, 30)
    assert frequency.is_overdue is True


def test_yearly_visits():
    frequency = visit_frequency([date(2022, 6, 1), date(2023, 6, 1), date(2024, 6, 1)])
    assert frequency.mean_interval_days == 365.5
    assert frequency.visits_per_year == 1.0
    assert frequency.next_expected_visit in {date(2025, 6, 1), date(2025, 6, 2)}
    assert frequency.is_overdue is True


def test_today_can_be_given():
    frequency = visit_frequency([date(2024, 1, 10), date(2024, 7, 10)], today=date(2024, 12, 1))
    assert frequency.is_overdue is False


# --- after_sales_of -------------------------------------------------------------------------


def line(price):
    return {"label": "Entretien", "quantity": Decimal("1"), "unit_price_excl_tax": Decimal(price)}


@pytest.fixture
def customer(agent, workspace):
    return customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={"first_name": "Hélène", "last_name": "Dupont"},
    )


def new_vehicle(agent, customer, plate, registered):
    return vehicle_create(
        actor=agent,
        customer=customer,
        data={
            "make": "Renault",
            "model": "Clio",
            "energy": "petrol",
            "plate": plate,
            "first_registration_date": registered,
        },
    )


def invoice(
    agent, customer, *, number, kind="apv", vehicle=None, issued_on, mileage=None, price="100.00"
):
    return invoice_create(
        actor=agent,
        customer=customer,
        data={
            "kind": kind,
            "number": number,
            "issued_on": issued_on,
            "vehicle": vehicle,
            "mileage": mileage,
        },
        lines=[line(price)],
    )


def test_after_sales_of_a_customer_without_vehicle(customer):
    after_sales = after_sales_of(customer=customer)
    assert after_sales.invoices == []
    assert after_sales.vehicles == []
    assert after_sales.frequency.visits == 0
    assert after_sales.revenue_excl_tax == 0
    assert after_sales.revenue_incl_tax == 0


def test_after_sales_of(customer, agent):
    clio = new_vehicle(agent, customer, "AB-123-CD", date(2020, 1, 1))
    captur = new_vehicle(agent, customer, "EF-456-GH", date(2023, 1, 1))
    a1 = invoice(
        agent, customer, number="A1", vehicle=clio, issued_on=date(2024, 1, 10), mileage=40000
    )
    a2 = invoice(
        agent,
        customer,
        number="A2",
        vehicle=clio,
        issued_on=date(2024, 7, 10),
        mileage=50000,
        price="250.50",
    )
    a3 = invoice(
        agent, customer, number="A3", vehicle=captur, issued_on=date(2025, 3, 1), mileage=15000
    )
    invoice(agent, customer, number="P1", kind="parts", issued_on=date(2025, 5, 1), price="999.00")
    invoice(
        agent,
        customer,
        number="V1",
        kind="vo",
        vehicle=captur,
        issued_on=date(2023, 1, 1),
        price="15000.00",
    )
    mileage_reading_add(actor=agent, vehicle=clio, read_on=date(2024, 4, 1), mileage=45000)

    after_sales = after_sales_of(customer=customer)

    # Only after-sales invoices, newest first.
    assert after_sales.invoices == [a3, a2, a1]
    assert after_sales.revenue_excl_tax == Decimal("450.50")
    assert after_sales.revenue_incl_tax == Decimal("540.60")
    assert after_sales.frequency.visits == 3
    assert after_sales.frequency.first_visit == date(2024, 1, 10)
    assert after_sales.frequency.last_visit == date(2025, 3, 1)

    # Vehicles newest first, each with its readings in date order and its own frequency.
    (v1, readings1, freq1), (v2, readings2, freq2) = after_sales.vehicles
    assert (v1, v2) == (captur, clio)
    assert [(r.read_on, r.mileage) for r in readings1] == [(date(2025, 3, 1), 15000)]
    assert freq1.visits == 1
    assert [(r.read_on, r.mileage) for r in readings2] == [
        (date(2024, 1, 10), 40000),
        (date(2024, 4, 1), 45000),
        (date(2024, 7, 10), 50000),
    ]
    assert freq2.visits == 2
    assert freq2.mean_interval_days == 182
    assert freq2.is_overdue is True


def test_after_sales_of_ignores_other_customers(customer, agent, workspace):
    other = CustomerFactory(workspace=workspace)
    clio = new_vehicle(agent, other, "AB-123-CD", date(2020, 1, 1))
    invoice(agent, other, number="A1", vehicle=clio, issued_on=date(2024, 1, 10), mileage=40000)
    after_sales = after_sales_of(customer=customer)
    assert after_sales.invoices == []
    assert after_sales.vehicles == []


def test_after_sales_of_needs_a_bounded_number_of_queries(
    customer, agent, django_assert_max_num_queries
):
    for index in range(5):
        vehicle = new_vehicle(agent, customer, f"AB-{100 + index}-CD", date(2020, 1, 1))
        invoice(
            agent,
            customer,
            number=f"A{index}",
            vehicle=vehicle,
            issued_on=date(2024, 1, 10),
            mileage=1000,
        )
    with django_assert_max_num_queries(4):
        after_sales = after_sales_of(customer=customer)
        for _vehicle, readings, _frequency in after_sales.vehicles:
            list(readings)
        for inv in after_sales.invoices:
            list(inv.lines.all())


# --- customer_list --------------------------------------------------------------------------


@pytest.fixture
def customers(agent, workspace, fixed_clock):
    """Created an hour apart: Martin (Lyon), Bernard (Paris), Zola SA (Rennes), Aubert (no city)."""
    created = {}
    for key, kind, data in [
        (
            "martin",
            CustomerKind.INDIVIDUAL,
            {"last_name": "Martin", "postal_code": "69003", "city": "Lyon"},
        ),
        (
            "bernard",
            CustomerKind.INDIVIDUAL,
            {"last_name": "Bernard", "postal_code": "75011", "city": "Paris"},
        ),
        (
            "zola",
            CustomerKind.COMPANY,
            {"legal_name": "Zola SA", "postal_code": "35000", "city": "Rennes"},
        ),
        ("aubert", CustomerKind.INDIVIDUAL, {"last_name": "Aubert"}),
    ]:
        created[key] = customer_create(
            actor=agent, workspace=workspace, kind=kind, contact_data=data
        )
        fixed_clock.shift(3600)
    invoice(agent, created["bernard"], number="P1", kind="parts", issued_on=date(2025, 6, 1))
    return created


def keys(customers, queryset):
    names = {c.pk: key for key, c in customers.items()}
    return [names[c.pk] for c in queryset]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("nom", ["aubert", "bernard", "martin", "zola"]),
        ("-nom", ["zola", "martin", "bernard", "aubert"]),
        ("", ["aubert", "bernard", "martin", "zola"]),
        ("inconnu", ["aubert", "bernard", "martin", "zola"]),
        ("-inconnu", ["zola", "martin", "bernard", "aubert"]),
        ("statut", ["bernard", "aubert", "martin", "zola"]),  # customers, then prospects
        ("-statut", ["aubert", "martin", "zola", "bernard"]),
        ("type", ["zola", "aubert", "bernard", "martin"]),  # company, then individuals
        ("ville", ["aubert", "martin", "bernard", "zola"]),  # "", Lyon, Paris, Rennes
        ("-ville", ["zola", "bernard", "martin", "aubert"]),
        ("creation", ["martin", "bernard", "zola", "aubert"]),
        ("-creation", ["aubert", "zola", "bernard", "martin"]),
        ("-modification", ["bernard", "aubert", "zola", "martin"]),  # the invoice touched Bernard
    ],
)
def test_customer_list_sorting(agent, workspace, customers, sort, expected):
    assert keys(customers, customer_list(user=agent, workspace=workspace, sort=sort)) == expected


def test_customer_list_filters(agent, workspace, customers):
    assert keys(
        customers, customer_list(user=agent, workspace=workspace, status=CustomerStatus.CUSTOMER)
    ) == ["bernard"]
    assert keys(
        customers, customer_list(user=agent, workspace=workspace, kind=CustomerKind.COMPANY)
    ) == ["zola"]
    assert keys(
        customers,
        customer_list(
            user=agent, workspace=workspace, kind=CustomerKind.INDIVIDUAL, query="a", sort="-nom"
        ),
    ) == ["martin", "bernard", "aubert"]


def test_customer_list_is_scoped_and_checked(
    agent, workspace, other_agent, other_workspace, customers
):
    CustomerFactory(workspace=other_workspace)
    assert len(customer_list(user=agent, workspace=workspace)) == 4
    with pytest.raises(NotFound):
        customer_list(user=agent, workspace=other_workspace)
    with pytest.raises(NotFound):
        customer_list(user=other_agent, workspace=workspace)


def test_customer_list_needs_a_bounded_number_of_queries(
    agent, workspace, customers, django_assert_num_queries
):
    # One read of the user's memberships (access and role), one page of customers with their
    # contacts. A fresh user object, as in a request: the memberships are then kept on it.
    agent = type(agent).objects.get(pk=agent.pk)
    with django_assert_num_queries(2):
        for customer in customer_list(user=agent, workspace=workspace, sort="ville"):
            assert customer.display_name


# --- Scoped lookups -------------------------------------------------------------------------


def test_customer_get(agent, workspace, customer):
    assert customer_get(user=agent, workspace=workspace, public_id=customer.public_id) == customer
    assert (
        customer_get(user=agent, workspace=workspace, public_id=str(customer.public_id)) == customer
    )


def test_customer_get_with_another_workspaces_id_is_not_found(agent, workspace, other_workspace):
    foreign = CustomerFactory(workspace=other_workspace)
    with pytest.raises(NotFound):
        customer_get(user=agent, workspace=workspace, public_id=foreign.public_id)


@pytest.mark.parametrize(
    "value", ["pas-un-uuid", "", "1", None, "00000000-0000-0000-0000-00000000000"]
)
def test_customer_get_with_a_malformed_id_is_not_found(agent, workspace, customer, value):
    with pytest.raises(NotFound):
        customer_get(user=agent, workspace=workspace, public_id=value)


def test_customer_get_with_an_unknown_id_is_not_found(agent, workspace, customer):
    with pytest.raises(NotFound):
        customer_get(user=agent, workspace=workspace, public_id=uuid.uuid4())


def test_customer_get_by_a_user_of_another_workspace_is_not_found(other_agent, workspace, customer):
    with pytest.raises(NotFound):
        customer_get(user=other_agent, workspace=workspace, public_id=customer.public_id)


def test_customer_get_by_an_anonymous_visitor_is_denied(workspace, customer):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        customer_get(user=AnonymousUser(), workspace=workspace, public_id=customer.public_id)


def test_record_getters_are_scoped_to_the_workspace(
    agent, workspace, other_agent, other_workspace, customer
):
    vehicle = new_vehicle(agent, customer, "AB-123-CD", date(2020, 1, 1))
    inv = invoice(
        agent, customer, number="A1", vehicle=vehicle, issued_on=date(2025, 1, 10), mileage=1000
    )
    activity = activity_create(
        actor=agent, customer=customer, data={"kind": "call", "subject": "Relance"}
    )
    note = note_create(actor=agent, customer=customer, data={"body": "Aime les SUV."})
    lead = LeadFactory(workspace=workspace)
    reading = inv.mileage_reading
    getters = [
        (vehicle_get, vehicle),
        (invoice_get, inv),
        (activity_get, activity),
        (note_get, note),
        (lead_get, lead),
        (mileage_reading_get, reading),
    ]
    other_member = UserFactory(
        organization=other_workspace.organization, workspaces=[other_workspace]
    )
    for getter, instance in getters:
        assert getter(user=agent, workspace=workspace, public_id=instance.public_id) == instance
        with pytest.raises(NotFound):
            getter(user=agent, workspace=other_workspace, public_id=instance.public_id)
        with pytest.raises(NotFound):
            getter(user=other_member, workspace=other_workspace, public_id=instance.public_id)
        with pytest.raises(NotFound):
            getter(user=other_agent, workspace=workspace, public_id=instance.public_id)
        with pytest.raises(NotFound):
            getter(user=agent, workspace=workspace, public_id="pas-un-uuid")
        # The sequential key is not an identifier.
        with pytest.raises(NotFound):
            getter(user=agent, workspace=workspace, public_id=instance.pk)


def test_company_contact_get_is_scoped_to_the_company(agent, workspace):
    first = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        contact_data={"legal_name": "A"},
    )
    second = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        contact_data={"legal_name": "B"},
    )
    link = company_contact_add(actor=agent, customer=first, person_data={"last_name": "Martin"})
    assert company_contact_get(user=agent, customer=first, contact_id=link.pk) == link
    with pytest.raises(NotFound):
        company_contact_get(user=agent, customer=second, contact_id=link.pk)


def test_timeline_of_lists_the_customers_interactions_newest_first(agent, customer, workspace):
    inv = invoice(agent, customer, number="P1", kind="parts", issued_on=date(2025, 6, 1))
    activity = activity_create(
        actor=agent,
        customer=customer,
        data={
            "kind": "call",
            "subject": "Relance",
            "occurred_at": timezone.make_aware(datetime.datetime(2025, 6, 10, 9)),
        },
    )
    stranger = CustomerFactory(workspace=workspace)
    activity_create(actor=agent, customer=stranger, data={"kind": "call", "subject": "Autre"})
    timeline = list(timeline_of(customer=customer))
    assert [i.source for i in timeline] == [activity, inv]


def test_lead_list_filters_and_scope(agent, workspace, other_workspace):
    test_drive = LeadFactory(workspace=workspace, lead_type="test_drive")
    quote = LeadFactory(workspace=workspace, lead_type="quote", status="contacted")
    LeadFactory(workspace=other_workspace)
    assert set(lead_list(user=agent, workspace=workspace)) == {test_drive, quote}
    assert list(lead_list(user=agent, workspace=workspace, lead_type="quote")) == [quote]
    assert list(lead_list(user=agent, workspace=workspace, status="new")) == [test_drive]
