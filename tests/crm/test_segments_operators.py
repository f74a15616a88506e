"""The segment compiler: every operator of every field type, every relative date, record
blocks (at least one / none), computed values, sorts and validation. The clock is fixed at
Sunday 2025-06-15 (tests/conftest.py) and ``today`` is also passed explicitly."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from relais.crm.models import CustomerKind, Segment
from relais.crm.segments.definition import validate_definition
from relais.crm.segments.fields import FIELDS, OPERATORS_BY_TYPE
from relais.crm.segments.query import relative_range, segment_customers, segment_queryset
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    LeadFactory,
    NoteFactory,
    UserFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)  # a Sunday


def names(definition, workspace, today=TODAY):
    customers = segment_queryset(definition, workspace=workspace, today=today)
    return {c.person.last_name if c.person_id else c.company.legal_name for c in customers}


def one(field, op, value=None, **extra):
    condition = {"field": field, "op": op, **extra}
    if value is not None:
        condition["value"] = value
    return {"match": "all", "conditions": [condition]}


@pytest.fixture
def people(workspace):
    """Three individuals and one company with distinct values for the customer fields."""
    anne = CustomerFactory(
        workspace=workspace,
        person__last_name="Anne",
        person__first_name="Marie",
        person__civility="MME",
        person__city="Lyon",
        person__postal_code="69003",
        person__birth_date=datetime.date(1995, 6, 15),  # 30 today
        person__consent_sms=True,
        person__profession="",
        status="customer",
        dealership="Lyon Est",
    )
    bruno = CustomerFactory(
        workspace=workspace,
        person__last_name="Bruno",
        person__first_name="Paul",
        person__civility="M",
        person__city="Villeurbanne",
        person__postal_code="69100",
        person__birth_date=datetime.date(1995, 6, 16),  # 29 until tomorrow
        person__profession="Boulanger",
        status="prospect",
        source="website",
    )
    chloe = CustomerFactory(
        workspace=workspace,
        person__last_name="Chloé",
        person__city="Paris",
        person__postal_code="75011",
        person__birth_date=None,
        person__email="",
        status="customer",
    )
    acme = CustomerFactory(
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        company__legal_name="Acme",
        company__city="Lyon",
        company__postal_code="69003",
        company__consent_sms=True,
    )
    return {"anne": anne, "bruno": bruno, "chloe": chloe, "acme": acme}


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "lyon", {"Anne", "Acme"}),
        ("ne", "Lyon", {"Bruno", "Chloé"}),
        ("contains", "ille", {"Bruno"}),
        ("not_contains", "y", {"Bruno", "Chloé"}),
        ("startswith", "PA", {"Chloé"}),
        ("in", ["Paris", "Villeurbanne"], {"Bruno", "Chloé"}),
        ("in", "Paris, Lyon", {"Anne", "Chloé", "Acme"}),
    ],
)
def test_text_operators_on_a_contact_field_shared_by_people_and_companies(
    people, workspace, op, value, expected
):
    assert names(one("customer.city", op, value), workspace) == expected


def test_text_is_empty_and_is_not_empty(people, workspace):
    assert names(one("customer.profession", "is_empty"), workspace) == {"Anne", "Chloé", "Acme"}
    assert names(one("customer.profession", "is_not_empty"), workspace) == {"Bruno"}
    assert names(one("customer.email", "is_empty"), workspace) == {"Chloé", "Acme"}


# --- choice, boolean, user ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "customer", {"Anne", "Chloé"}),
        ("ne", "customer", {"Bruno", "Acme"}),
        ("in", ["prospect"], {"Bruno", "Acme"}),
        ("not_in", ["prospect"], {"Anne", "Chloé"}),
    ],
)
def test_choice_operators(people, workspace, op, value, expected):
    assert names(one("customer.status", op, value), workspace) == expected


def test_choice_is_empty_on_a_person_field(people, workspace):
    people["chloe"].person.civility = ""
    people["chloe"].person.save()
    # A company has no civility at all: empty too.
    assert names(one("customer.civility", "is_empty"), workspace) == {"Chloé", "Acme"}
    assert names(one("customer.civility", "is_not_empty"), workspace) == {"Anne", "Bruno"}


def test_boolean_consents(people, workspace):
    assert names(one("customer.consent_sms", "is_true"), workspace) == {"Anne", "Acme"}
    assert names(one("customer.consent_sms", "is_false"), workspace) == {"Bruno", "Chloé"}


def test_user_operators(people, workspace, agent):
    people["anne"].owner = agent
    people["anne"].save()
    assert names(one("customer.owner", "eq", "agent"), workspace) == {"Anne"}
    # "Different from" compares known values only: customers without an owner are left out.
    assert names(one("customer.owner", "ne", "agent"), workspace) == set()
    assert names(one("customer.owner", "is_not_empty"), workspace) == {"Anne"}
    assert names(one("customer.owner", "is_empty"), workspace) == {"Bruno", "Chloé", "Acme"}


# --- numbers (on a related record: at least one matching) ----------------------------------


@pytest.fixture
def noted(people):
    NoteFactory(customer=people["anne"], household_size=2)
    NoteFactory(customer=people["anne"], household_size=5)
    NoteFactory(customer=people["bruno"], household_size=3)
    NoteFactory(customer=people["chloe"], household_size=None)
    return people


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 3, {"Bruno"}),
        ("ne", 3, {"Anne"}),
        ("lt", 3, {"Anne"}),
        ("lte", 3, {"Anne", "Bruno"}),
        ("gt", 3, {"Anne"}),
        ("gte", 3, {"Anne", "Bruno"}),
        ("between", [3, 4], {"Bruno"}),
        ("is_empty", None, {"Chloé"}),
        ("is_not_empty", None, {"Anne", "Bruno"}),
        ("gte", "2,5", {"Anne", "Bruno"}),
    ],
)
def test_number_operators(noted, workspace, op, value, expected):
    assert names(one("note.household_size", op, value), workspace) == expected


# --- dates: absolute and relative ----------------------------------------------------------


@pytest.fixture
def follow_ups(people):
    """Follow-up dates around Sunday 2025-06-15."""
    dates = {
        "anne": datetime.date(2025, 6, 9),  # Monday of this week
        "bruno": datetime.date(2025, 6, 15),  # today
        "chloe": datetime.date(2025, 6, 20),  # Friday of next week, this month
        "acme": datetime.date(2024, 12, 31),  # last year
    }
    for key, day in dates.items():
        ActivityFactory(customer=people[key], next_follow_up_on=day)
    return people


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "2025-06-15", {"Bruno"}),
        ("eq", "15/06/2025", {"Bruno"}),
        ("ne", "2025-06-15", {"Anne", "Chloé", "Acme"}),
        ("lt", "2025-06-15", {"Anne", "Acme"}),
        ("lte", "2025-06-15", {"Anne", "Bruno", "Acme"}),
        ("gt", "2025-06-15", {"Chloé"}),
        ("gte", "2025-06-15", {"Bruno", "Chloé"}),
        ("between", ["2025-06-09", "2025-06-15"], {"Anne", "Bruno"}),
        ("today", None, {"Bruno"}),
        ("this_week", None, {"Anne", "Bruno"}),
        ("this_month", None, {"Anne", "Bruno", "Chloé"}),
        ("this_year", None, {"Anne", "Bruno", "Chloé"}),
        ("older_than", {"amount": 6, "unit": "days"}, {"Acme"}),
        ("older_than", {"amount": 5, "unit": "days"}, {"Anne", "Acme"}),
        ("in_last", {"amount": 6, "unit": "days"}, {"Anne", "Bruno"}),
        ("in_last", {"amount": 1, "unit": "weeks"}, {"Anne", "Bruno"}),
        ("in_last", {"amount": 6, "unit": "months"}, {"Anne", "Bruno", "Acme"}),
        ("in_next", {"amount": 5, "unit": "days"}, {"Bruno", "Chloé"}),
        ("in_next", {"amount": 4, "unit": "days"}, {"Bruno"}),
        ("older_than", {"amount": 0, "unit": "years"}, {"Anne", "Acme"}),
    ],
)
def test_date_operators(follow_ups, workspace, op, value, expected):
    assert names(one("activity.next_follow_up_on", op, value), workspace) == expected


def test_date_is_empty_and_not_empty(people, workspace):
    assert names(one("customer.birth_date", "is_empty"), workspace) == {"Chloé", "Acme"}
    assert names(one("customer.birth_date", "is_not_empty"), workspace) == {"Anne", "Bruno"}


@pytest.fixture
def contacted(people):
    """Activities at date-times, around local midnight boundaries."""
    at = lambda *args: datetime.datetime(*args, tzinfo=datetime.UTC)  # noqa: E731
    ActivityFactory(
        customer=people["anne"], occurred_at=at(2025, 6, 14, 22, 30)
    )  # 15/06 00:30 Paris
    ActivityFactory(
        customer=people["bruno"], occurred_at=at(2025, 6, 8, 21, 59)
    )  # 08/06 23:59 Paris
    ActivityFactory(
        customer=people["chloe"], occurred_at=at(2025, 5, 31, 22, 0)
    )  # 01/06 00:00 Paris
    return people


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "2025-06-15", {"Anne"}),
        ("ne", "2025-06-15", {"Bruno", "Chloé"}),
        ("lt", "2025-06-09", {"Bruno", "Chloé"}),
        ("lte", "2025-06-08", {"Bruno", "Chloé"}),
        ("gt", "2025-06-08", {"Anne"}),
        ("gte", "2025-06-01", {"Anne", "Bruno", "Chloé"}),
        ("between", ["2025-06-01", "2025-06-08"], {"Bruno", "Chloé"}),
        ("today", None, {"Anne"}),
        ("this_week", None, {"Anne"}),
        ("this_month", None, {"Anne", "Bruno", "Chloé"}),
        ("this_year", None, {"Anne", "Bruno", "Chloé"}),
        ("in_last", {"amount": 7, "unit": "days"}, {"Anne", "Bruno"}),
        ("in_last", {"amount": 6, "unit": "days"}, {"Anne"}),
        ("older_than", {"amount": 7, "unit": "days"}, {"Chloé"}),
        ("in_next", {"amount": 1, "unit": "days"}, {"Anne"}),
        ("is_not_empty", None, {"Anne", "Bruno", "Chloé"}),
    ],
)
def test_datetime_operators_use_local_days(contacted, workspace, op, value, expected):
    assert names(one("activity.occurred_at", op, value), workspace) == expected


def test_relative_ranges():
    assert relative_range("this_week", None, TODAY) == (
        datetime.date(2025, 6, 9),
        datetime.date(2025, 6, 15),
    )
    assert relative_range("this_month", None, datetime.date(2024, 2, 10)) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )
    assert relative_range(
        "in_last", {"amount": 1, "unit": "months"}, datetime.date(2025, 3, 31)
    ) == (
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 31),
    )
    assert relative_range("older_than", {"amount": 4, "unit": "years"}, TODAY) == (
        None,
        datetime.date(2021, 6, 14),
    )
    assert relative_range("in_next", {"amount": 2, "unit": "weeks"}, TODAY) == (
        TODAY,
        datetime.date(2025, 6, 29),
    )


def test_the_clock_moves_relative_dates(follow_ups, workspace):
    definition = one("activity.next_follow_up_on", "this_week")
    assert names(definition, workspace, today=datetime.date(2025, 6, 16)) == {"Chloé"}


# --- computed values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 30, {"Anne"}),
        ("ne", 30, {"Bruno"}),
        ("gte", 30, {"Anne"}),
        ("gt", 29, {"Anne"}),
        ("lt", 30, {"Bruno"}),
        ("lte", 29, {"Bruno"}),
        ("between", [29, 30], {"Anne", "Bruno"}),
        ("is_empty", None, {"Chloé", "Acme"}),
        ("is_not_empty", None, {"Anne", "Bruno"}),
    ],
)
def test_age_counts_whole_years(people, workspace, op, value, expected):
    assert names(one("computed.age", op, value), workspace) == expected


def test_age_follows_the_birthday(people, workspace):
    tomorrow = datetime.date(2025, 6, 16)
    assert names(one("computed.age", "eq", 30), workspace, today=tomorrow) == {"Anne", "Bruno"}


@pytest.fixture
def workshop(people):
    """After-sales visits: Anne twice (last 10 days ago), Bruno once 14 months ago."""
    InvoiceFactory(
        customer=people["anne"],
        kind="apv",
        issued_on=datetime.date(2025, 6, 5),
        total_excl_tax=Decimal("200.00"),
    )
    InvoiceFactory(
        customer=people["anne"],
        kind="apv",
        issued_on=datetime.date(2023, 1, 5),
        total_excl_tax=Decimal("300.00"),
    )
    InvoiceFactory(
        customer=people["anne"],
        kind="vn",
        issued_on=datetime.date(2022, 1, 5),
        total_excl_tax=Decimal("20000.00"),
    )
    InvoiceFactory(
        customer=people["bruno"],
        kind="apv",
        issued_on=datetime.date(2024, 4, 15),
        total_excl_tax=Decimal("150.50"),
    )
    InvoiceFactory(
        customer=people["chloe"],
        kind="parts",
        issued_on=datetime.date(2025, 6, 1),
        total_excl_tax=Decimal("40.00"),
    )
    return people


def test_visits_revenue_and_days_since_last_visit(workshop, workspace):
    assert names(one("computed.visit_count", "gte", 2), workspace) == {"Anne"}
    assert names(one("computed.visit_count", "eq", 0), workspace) == {"Chloé", "Acme"}
    assert names(one("computed.invoice_count", "eq", 3), workspace) == {"Anne"}
    assert names(one("computed.revenue", "gt", 20000), workspace) == {"Anne"}
    assert names(one("computed.revenue", "between", [100, 200]), workspace) == {"Bruno"}
    assert names(one("computed.revenue", "eq", 0), workspace) == {"Acme"}
    assert names(one("computed.days_since_last_visit", "eq", 10), workspace) == {"Anne"}
    assert names(one("computed.days_since_last_visit", "gt", 365), workspace) == {"Bruno"}
    assert names(one("computed.days_since_last_visit", "is_empty"), workspace) == {"Chloé", "Acme"}
    assert names(
        one("computed.last_visit_on", "in_last", {"amount": 1, "unit": "months"}), workspace
    ) == {"Anne"}
    # Two visits in the last three years (2023-01 and 2025-06): two thirds a year.
    assert names(one("computed.visit_frequency", "gte", 0.6), workspace) == {"Anne"}
    assert names(one("computed.visit_frequency", "gte", 0.3), workspace) == {"Anne", "Bruno"}
    assert names(one("computed.visit_frequency", "lt", 0.3), workspace) == {"Chloé", "Acme"}


def test_no_after_sales_visit_for_twelve_months_is_a_negated_block(workshop, workspace):
    definition = {
        "match": "all",
        "conditions": [
            {
                "entity": "invoice",
                "quantifier": "none",
                "match": "all",
                "conditions": [
                    {"field": "invoice.kind", "op": "eq", "value": "apv"},
                    {
                        "field": "invoice.issued_on",
                        "op": "in_last",
                        "value": {"amount": 12, "unit": "months"},
                    },
                ],
            }
        ],
    }
    # Customers who never came count too: they had no visit in the last 12 months.
    assert names(definition, workspace) == {"Bruno", "Chloé", "Acme"}
    definition["conditions"][0]["quantifier"] = "any"
    assert names(definition, workspace) == {"Anne"}


def test_a_block_keeps_its_conditions_on_the_same_record(workshop, workspace):
    """Anne has an APV invoice and a 20 000 € invoice, but no APV invoice above 1 000 €."""
    block = {
        "entity": "invoice",
        "match": "all",
        "conditions": [
            {"field": "invoice.kind", "op": "eq", "value": "apv"},
            {"field": "invoice.total_excl_tax", "op": "gt", "value": 1000},
        ],
    }
    assert names({"conditions": [block]}, workspace) == set()
    separate = {"conditions": block["conditions"]}
    assert names(separate, workspace) == {"Anne"}


def test_an_empty_block_means_has_or_has_no_record(workshop, workspace):
    assert names({"conditions": [{"entity": "invoice", "conditions": []}]}, workspace) == {
        "Anne",
        "Bruno",
        "Chloé",
    }
    none = {"conditions": [{"entity": "invoice", "quantifier": "none", "conditions": []}]}
    assert names(none, workspace) == {"Acme"}


def test_vehicle_older_than_four_years_and_vehicle_age(people, workspace):
    VehicleFactory(customer=people["anne"], first_registration_date=datetime.date(2021, 6, 14))
    VehicleFactory(customer=people["anne"], first_registration_date=datetime.date(2024, 1, 1))
    VehicleFactory(customer=people["bruno"], first_registration_date=datetime.date(2021, 6, 15))
    VehicleFactory(customer=people["chloe"], first_registration_date=None)
    older = one("vehicle.first_registration_date", "older_than", {"amount": 4, "unit": "years"})
    assert names(older, workspace) == {"Anne"}
    assert names(one("vehicle.age", "gte", 4), workspace) == {"Anne", "Bruno"}
    assert names(one("vehicle.age", "is_empty"), workspace) == {"Chloé"}
    assert names(one("computed.oldest_vehicle_age", "gte", 4), workspace) == {"Anne", "Bruno"}
    assert names(one("computed.newest_vehicle_age", "lt", 2), workspace) == {"Anne"}
    assert names(one("computed.vehicle_count", "eq", 2), workspace) == {"Anne"}
    # Counting: a customer with two matching vehicles is one member.
    assert (
        segment_queryset(
            one("vehicle.make", "eq", "renault"), workspace=workspace, today=TODAY
        ).count()
        == 3
    )


def test_lead_and_note_text_fields(people, workspace):
    LeadFactory(
        workspace=workspace,
        customer=people["bruno"],
        lead_type="quote",
        vehicle_of_interest="Renault Austral",
    )
    NoteFactory(customer=people["chloe"], interests="Randonnée, vélo")
    assert names(one("lead.lead_type", "eq", "quote"), workspace) == {"Bruno"}
    assert names(one("lead.vehicle_of_interest", "contains", "austral"), workspace) == {"Bruno"}
    assert names(one("note.interests", "contains", "vélo"), workspace) == {"Chloé"}


# --- groups and sort -----------------------------------------------------------------------


def test_nested_and_or_groups(people, workspace):
    definition = {
        "match": "any",
        "conditions": [
            {
                "match": "all",
                "conditions": [
                    {"field": "customer.city", "op": "eq", "value": "Lyon"},
                    {"field": "customer.kind", "op": "eq", "value": "individual"},
                ],
            },
            {"field": "customer.city", "op": "eq", "value": "Paris"},
        ],
    }
    assert names(definition, workspace) == {"Anne", "Chloé"}
    assert names({"match": "all", "conditions": []}, workspace) == {
        "Anne",
        "Bruno",
        "Chloé",
        "Acme",
    }


def test_sorts_on_several_keys_including_computed(workshop, workspace):
    definition = {
        "conditions": [],
        "sort": [{"field": "computed.revenue", "dir": "desc"}, {"field": "customer.city"}],
    }
    order = [
        c.person.last_name if c.person_id else c.company.legal_name
        for c in segment_queryset(definition, workspace=workspace, today=TODAY)
    ]
    assert order == ["Anne", "Bruno", "Chloé", "Acme"]
    by_age = {"conditions": [], "sort": [{"field": "computed.age", "dir": "desc"}]}
    aged = [
        c.person.last_name if c.person_id else "Acme"
        for c in segment_queryset(by_age, workspace=workspace, today=TODAY)
    ]
    assert aged[:2] == ["Anne", "Bruno"]  # the missing ages come last
    by_visit = {
        "conditions": [],
        "sort": [{"field": "computed.days_since_last_visit", "dir": "asc"}],
    }
    visited = [c.display_name for c in segment_queryset(by_visit, workspace=workspace, today=TODAY)]
    assert visited[:2] == ["Marie ANNE", "Paul BRUNO"]


def test_segment_customers_is_scoped_to_the_workspace(people, workspace, other_workspace):
    CustomerFactory(workspace=other_workspace, person__last_name="Autre", person__city="Lyon")
    segment = Segment.objects.create(
        workspace=workspace, name="Lyon", definition=one("customer.city", "eq", "Lyon")
    )
    assert {c.display_name for c in segment_customers(segment)} == {"Marie ANNE", "Acme"}


def test_an_invalid_saved_definition_gives_no_customer(people, workspace):
    segment = Segment.objects.create(
        workspace=workspace, name="Cassé", definition={"conditions": [{"field": "x.y", "op": "eq"}]}
    )
    assert list(segment_customers(segment)) == []


# --- validation ----------------------------------------------------------------------------


def test_every_catalogue_field_and_operator_compiles(people, workspace):
    samples = {
        "text": "a",
        "user": "agent",
        "number": 1,
        "years_since": 1,
        "days_since": 1,
        "date": "2025-01-01",
        "datetime": "2025-01-01",
    }
    for spec in FIELDS.values():
        for op in OPERATORS_BY_TYPE[spec.type]:
            from relais.crm.segments.fields import OPERATOR_VALUE

            shape = OPERATOR_VALUE[op]
            sample = spec.choices[0][0] if spec.choices else samples.get(spec.type)
            value = {
                "none": None,
                "single": sample,
                "list": [sample],
                "range": [sample, sample],
                "relative": {"amount": 2, "unit": "months"},
            }[shape]
            segment_queryset(one(spec.key, op, value), workspace=workspace, today=TODAY).count()


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("pas un objet", "doit être un objet JSON"),
        ({"conditions": "x"}, "« conditions » doit être une liste"),
        ({"conditions": [{"field": "customer.nope", "op": "eq", "value": "x"}]}, "champ inconnu"),
        (
            {"conditions": [{"field": "customer.city", "op": "gt", "value": "x"}]},
            "n'est pas permis pour le champ « Ville »",
        ),
        (
            {"conditions": [{"field": "customer.status", "op": "eq", "value": "vip"}]},
            "hors de la liste proposée",
        ),
        (
            {"conditions": [{"field": "invoice.total_excl_tax", "op": "gt", "value": "beaucoup"}]},
            "saisissez un nombre",
        ),
        (
            {"conditions": [{"field": "invoice.total_excl_tax", "op": "gt", "value": 1e300}]},
            "hors des limites",
        ),
        (
            {"conditions": [{"field": "invoice.issued_on", "op": "eq", "value": "31/02/2025"}]},
            "JJ/MM/AAAA",
        ),
        (
            {
                "conditions": [
                    {
                        "field": "invoice.issued_on",
                        "op": "in_last",
                        "value": {"amount": -1, "unit": "days"},
                    }
                ]
            },
            "nombre entier entre 0",
        ),
        (
            {
                "conditions": [
                    {
                        "field": "invoice.issued_on",
                        "op": "in_last",
                        "value": {"amount": 1, "unit": "siècles"},
                    }
                ]
            },
            "unité de durée inconnue",
        ),
        (
            {"conditions": [{"field": "computed.age", "op": "between", "value": [40, 30]}]},
            "première borne",
        ),
        (
            {"conditions": [{"field": "customer.city", "op": "eq", "value": "x" * 500}]},
            "200 caractères au plus",
        ),
        (
            {"conditions": [{"field": "customer.city", "op": "eq", "value": {"$gt": 1}}]},
            "saisissez un texte",
        ),
        (
            {
                "conditions": [
                    {
                        "entity": "invoice",
                        "conditions": [{"field": "vehicle.make", "op": "eq", "value": "x"}],
                    }
                ]
            },
            "n'appartient pas",
        ),
        ({"conditions": [{"entity": "users", "conditions": []}]}, "entité de bloc inconnue"),
        ({"match": "xor", "conditions": []}, "« match » doit valoir"),
        ({"conditions": [], "sort": [{"field": "vehicle.make"}]}, "impossible de trier"),
        (
            {"conditions": [{"field": "customer.city", "op": "eq", "value": "x"}] * 61},
            "Trop de conditions",
        ),
    ],
)
def test_hostile_definitions_get_french_errors(definition, message):
    with pytest.raises(ValidationError) as error:
        validate_definition(definition)
    assert any(message in text for text in error.value.messages), error.value.messages


def test_deep_nesting_is_refused():
    node = {"conditions": []}
    for _level in range(10):
        node = {"conditions": [node]}
    with pytest.raises(ValidationError, match="imbriqués"):
        validate_definition(node)


def test_validation_normalises_values():
    result = validate_definition(
        {
            "conditions": [
                {"field": "invoice.issued_on", "op": "eq", "value": "05/06/2025"},
                {"field": "note.household_size", "op": "gte", "value": "3"},
            ],
            "unknown": 1,
        }
    )
    assert result == {
        "match": "all",
        "conditions": [
            {"field": "invoice.issued_on", "op": "eq", "value": "2025-06-05"},
            {"field": "note.household_size", "op": "gte", "value": 3},
        ],
        "sort": [],
    }


def test_users_of_the_workspace_are_matched_by_username(people, workspace):
    colleague = UserFactory(username="collegue", workspaces=[workspace])
    ActivityFactory(customer=people["chloe"], owner=colleague)
    assert names(one("activity.owner", "eq", "collegue"), workspace) == {"Chloé"}


def test_a_nested_error_names_its_condition_once():
    """« Condition 1.2.1 », not « Condition Condition Condition 1.2.1 »."""
    definition = {
        "conditions": [
            {
                "match": "any",
                "conditions": [
                    {"field": "customer.city", "op": "eq", "value": "Lyon"},
                    {"match": "all", "conditions": [{"field": "nope", "op": "eq", "value": 1}]},
                ],
            }
        ]
    }
    with pytest.raises(ValidationError) as error:
        validate_definition(definition)
    messages = " ".join(error.value.messages)
    assert "Condition 1.2.1" in messages
    assert messages.count("Condition") == 1
