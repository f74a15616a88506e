"""Merge fields: whitelist substitution, French errors for unknown fields and template tags,
values computed from the customer's records, SMS length."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from relais.crm.campaigns import merge_fields
from relais.crm.campaigns.merge_fields import MergeContext, render, sms_length, validate_template
from relais.crm.models import CustomerKind
from tests.factories import CustomerFactory, InvoiceFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_known_fields_are_substituted_and_the_rest_is_left_as_typed():
    text = "Bonjour {{ civilite }} {{nom}}, votre {{ vehicule }}."
    values = {"civilite": "Madame", "nom": "Dupont", "vehicule": "Renault Clio"}
    assert render(text, values) == "Bonjour Madame Dupont, votre Renault Clio."
    assert render("{{ inconnu }}", values) == "{{ inconnu }}"


def test_unknown_field_is_a_french_error_naming_it():
    with pytest.raises(ValidationError) as error:
        validate_template("Bonjour {{ prenon }} {{ nom }}", field="body")
    messages = error.value.message_dict["body"]
    assert len(messages) == 1
    assert "Champ de fusion inconnu : {{ prenon }}" in messages[0]
    assert "prenom" in messages[0]  # the available fields are listed


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}{{ prenom }}",
        "{% for x in y %}{% endfor %}",
        "{# commentaire #}",
        "{{ settings.SECRET_KEY }}",
        "{{ prenom|upper }}",
        "{{ customer.person.email }}",
    ],
)
def test_template_code_is_refused(text):
    with pytest.raises(ValidationError):
        validate_template(text)


def test_user_text_is_never_executed_as_a_template():
    # Even past validation, rendering only substitutes: tags stay literal text.
    text = "{% now 'Y' %} <script>alert(1)</script> {{ prenom }}"
    assert render(text, {"prenom": "Léa"}) == "{% now 'Y' %} <script>alert(1)</script> Léa"


def test_values_come_from_the_customer_vehicle_and_after_sales(workspace):
    customer = CustomerFactory(
        workspace=workspace,
        person__civility="M",
        person__first_name="Jean",
        person__last_name="Martin",
        person__city="Lyon",
        dealership="Renault Lyon Sud",
    )
    VehicleFactory(
        customer=customer,
        make="Peugeot",
        model="308",
        plate="AB-123-CD",
        first_registration_date=datetime.date(2020, 1, 1),
    )
    VehicleFactory(
        customer=customer,
        make="Renault",
        model="Clio",
        plate="EF-456-GH",
        first_registration_date=datetime.date(2023, 1, 1),
    )
    InvoiceFactory(customer=customer, kind="apv", issued_on=datetime.date(2024, 1, 10))
    InvoiceFactory(customer=customer, kind="apv", issued_on=datetime.date(2024, 7, 10))
    InvoiceFactory(customer=customer, kind="parts", issued_on=datetime.date(2025, 1, 10))
    context = MergeContext([customer], workspace=workspace, today=datetime.date(2025, 6, 15))
    values = context.values(customer)
    assert values["civilite"] == "Monsieur"
    assert values["prenom"] == "Jean"
    assert values["nom"] == "Martin"
    assert values["nom_complet"] == "Jean Martin"
    assert values["vehicule"] == "Renault Clio"  # the most recent vehicle
    assert values["immatriculation"] == "EF-456-GH"
    # Two visits 182 days apart: the next one is expected 182 days after the last.
    assert values["prochaine_revision"] == "08/01/2025"
    assert values["derniere_visite"] == "10/07/2024"
    assert values["concession"] == "Renault Lyon Sud"
    assert values["ville"] == "Lyon"
    assert values["date_du_jour"] == "15/06/2025"


def test_company_and_missing_data_fall_back_politely(workspace):
    company = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Transports Roux"
    )
    values = MergeContext([company], workspace=workspace).values(company)
    assert values["civilite"] == "Madame, Monsieur"
    assert values["nom"] == "Transports Roux"
    assert values["societe"] == "Transports Roux"
    assert values["vehicule"] == ""
    assert values["prochaine_revision"] == "prochainement"
    assert values["concession"] == workspace.name


def test_merge_context_loads_a_batch_in_a_fixed_number_of_queries(
    workspace, django_assert_max_num_queries
):
    customers = [CustomerFactory(workspace=workspace) for _ in range(5)]
    for customer in customers:
        VehicleFactory(customer=customer)
    with django_assert_max_num_queries(2):
        context = MergeContext(customers, workspace=workspace)
    for customer in customers:
        context.values(customer)


def test_every_documented_field_is_rendered(workspace):
    customer = CustomerFactory(workspace=workspace)
    values = MergeContext([customer], workspace=workspace).values(customer)
    assert set(values) == set(merge_fields.MERGE_FIELDS)


@pytest.mark.parametrize(
    ("text", "characters", "segments", "unicode"),
    [
        ("", 0, 0, False),
        ("a" * 160, 160, 1, False),
        ("a" * 161, 161, 2, False),
        ("é" * 10, 10, 1, False),  # é is in the GSM alphabet
        ("€" * 80, 160, 1, False),  # the euro sign counts twice
        ("ê" * 70, 70, 1, True),  # ê is not: Unicode, 70 a segment
        ("ê" * 71, 71, 2, True),
    ],
)
def test_sms_length_and_segments(text, characters, segments, unicode):
    length = sms_length(text)
    assert (length.characters, length.segments, length.unicode) == (characters, segments, unicode)
