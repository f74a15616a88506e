"""The field catalogue and ``field_update``: one value, parsed like the record's own form,
written by the record's own service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.exceptions import NotFound
from relais.crm.models import CustomerKind, MileageReading
from relais.crm.services.fields import (
    ENTITIES,
    field_grid,
    field_spec,
    field_update,
    field_update_many,
)
from relais.crm.services.records import invoice_create
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    LeadFactory,
    NoteFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db


def test_the_catalogue_covers_every_entity_with_labelled_fields(workspace):
    assert [str(entity.label) for entity in ENTITIES.values()] == [
        "Client particulier",
        "Société",
        "Véhicule",
        "Facture",
        "Activité",
        "Note",
        "Lead",
    ]
    for entity in ENTITIES.values():
        assert entity.fields, entity.key
        for spec in entity.fields.values():
            assert spec.label and spec.label[0].isupper(), spec.key
            assert field_spec(spec.key) is spec
            if spec.editable:
                assert spec.form_field(workspace).label == spec.label
    assert {"phone_mobile", "email", "consent_sms", "owner", "status"} <= set(
        ENTITIES["particulier"].fields
    )
    assert {"siren", "siret", "naf_code"} <= set(ENTITIES["societe"].fields)
    assert not field_spec("facture.total_incl_tax").editable


@pytest.mark.parametrize(
    "key", ["", "vehicule", "vehicule.nope", "inconnu.plate", "vehicule.customer"]
)
def test_an_unknown_field_is_not_found(key):
    with pytest.raises(NotFound):
        field_spec(key)


def test_a_phone_is_validated_and_normalised_by_the_customer_service(agent, workspace):
    customer = CustomerFactory(workspace=workspace)
    field_update(
        actor=agent,
        workspace=workspace,
        entity="particulier",
        field="phone_mobile",
        record_id=customer.public_id,
        raw_value="0698765432",
    )
    customer.person.refresh_from_db()
    assert customer.person.phone_mobile == "06 98 76 54 32"


def test_a_bad_phone_is_refused_in_french_and_nothing_changes(agent, workspace):
    customer = CustomerFactory(workspace=workspace, person__phone_mobile="06 12 34 56 78")
    with pytest.raises(ValidationError) as error:
        field_update(
            actor=agent,
            workspace=workspace,
            entity="particulier",
            field="phone_mobile",
            record_id=customer.public_id,
            raw_value="12345",
        )
    assert "n'est pas un numéro de téléphone valide" in error.value.messages[0]
    customer.person.refresh_from_db()
    assert customer.person.phone_mobile == "06 12 34 56 78"


def test_a_related_field_error_is_named(agent, workspace):
    customer = CustomerFactory(workspace=workspace)  # Paris, 75011
    with pytest.raises(ValidationError) as error:
        field_update(
            actor=agent,
            workspace=workspace,
            entity="particulier",
            field="postal_code",
            record_id=customer.public_id,
            raw_value="69003",
        )
    assert error.value.messages == [
        "Ville : La ville « Paris » ne correspond pas au code postal 69003."
    ]


def test_company_vehicle_note_lead_and_activity_fields(agent, workspace):
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    vehicle = VehicleFactory(customer=company)
    note = NoteFactory(customer=company)
    lead = LeadFactory(
        workspace=workspace, phone="06 12 34 56 78"
    )  # the factory's 07 11 … is unallocated
    activity = ActivityFactory(customer=company)
    update = lambda entity, field, record, raw: field_update(  # noqa: E731
        actor=agent,
        workspace=workspace,
        entity=entity,
        field=field,
        record_id=record.public_id,
        raw_value=raw,
    )
    update("societe", "naf_code", company, "4511z")
    update("societe", "consent_email", company, "True")
    update("vehicule", "plate", vehicle, "gh 456 jk")
    update("vehicule", "financing_amount", vehicle, "12500.50")
    update("note", "household_size", note, "3")
    update("lead", "status", lead, "contacted")
    update("activite", "owner", activity, str(agent.pk))
    update("activite", "occurred_at", activity, "2025-06-02T08:30")
    company.company.refresh_from_db()
    vehicle.refresh_from_db()
    note.refresh_from_db()
    lead.refresh_from_db()
    activity.refresh_from_db()
    assert company.company.naf_code == "45.11Z" and company.company.consent_email is True
    assert vehicle.plate == "GH-456-JK" and vehicle.financing_amount == Decimal("12500.50")
    assert note.household_size == 3
    assert lead.status == "contacted"
    assert activity.owner == agent
    assert timezone.localtime(activity.occurred_at).hour == 8


def test_changing_an_after_sales_mileage_moves_the_reading(agent, workspace):
    customer = CustomerFactory(workspace=workspace)
    vehicle = VehicleFactory(customer=customer)
    invoice = invoice_create(
        actor=agent,
        customer=customer,
        data={
            "kind": "apv",
            "number": "A-1",
            "issued_on": datetime.date(2025, 6, 1),
            "vehicle": vehicle,
            "mileage": 1000,
        },
        lines=[
            {
                "label": "Vidange",
                "quantity": Decimal("1"),
                "unit_price_excl_tax": Decimal("80"),
                "vat_rate": Decimal("20"),
            }
        ],
    )
    field_update(
        actor=agent,
        workspace=workspace,
        entity="facture",
        field="mileage",
        record_id=invoice.public_id,
        raw_value="1500",
    )
    assert MileageReading.objects.get(invoice=invoice).mileage == 1500


def test_a_computed_field_is_not_edited(agent, workspace):
    customer = CustomerFactory(workspace=workspace)
    with pytest.raises(ValidationError, match="calculé"):
        field_update(
            actor=agent,
            workspace=workspace,
            entity="particulier",
            field="status",
            record_id=customer.public_id,
            raw_value="customer",
        )


def test_another_workspaces_record_is_not_found(agent, workspace, other_workspace):
    stranger = CustomerFactory(workspace=other_workspace, person__last_name="Secret")
    for record_id in (stranger.public_id, "pas-un-uuid"):
        with pytest.raises(NotFound):
            field_update(
                actor=agent,
                workspace=workspace,
                entity="particulier",
                field="last_name",
                record_id=record_id,
                raw_value="Pirate",
            )
    with pytest.raises(NotFound):
        field_update(
            actor=agent,
            workspace=other_workspace,
            entity="particulier",
            field="last_name",
            record_id=stranger.public_id,
            raw_value="Pirate",
        )
    stranger.person.refresh_from_db()
    assert stranger.person.last_name == "Secret"


def test_a_company_is_not_an_individual(agent, workspace):
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    with pytest.raises(NotFound):
        field_update(
            actor=agent,
            workspace=workspace,
            entity="particulier",
            field="last_name",
            record_id=company.public_id,
            raw_value="Pirate",
        )


def test_many_values_are_applied_one_by_one(agent, workspace):
    good, bad, same = (
        CustomerFactory(workspace=workspace, person__phone_mobile="06 12 34 56 78")
        for _ in range(3)
    )
    outcome = field_update_many(
        actor=agent,
        workspace=workspace,
        entity="particulier",
        field="phone_mobile",
        values={
            str(good.public_id): "07 31 22 33 44",
            str(bad.public_id): "abc",
            str(same.public_id): "06 12 34 56 78",
        },
    )
    assert outcome.saved == [str(good.public_id)]
    assert list(outcome.errors) == [str(bad.public_id)]
    good.person.refresh_from_db()
    bad.person.refresh_from_db()
    assert good.person.phone_mobile == "07 31 22 33 44"
    assert bad.person.phone_mobile == "06 12 34 56 78"


def test_many_values_with_a_foreign_record_write_nothing(agent, workspace, other_workspace):
    mine = CustomerFactory(workspace=workspace, person__last_name="Avant")
    stranger = CustomerFactory(workspace=other_workspace)
    with pytest.raises(NotFound):
        field_update_many(
            actor=agent,
            workspace=workspace,
            entity="particulier",
            field="last_name",
            values={str(mine.public_id): "Après", str(stranger.public_id): "Pirate"},
        )
    mine.person.refresh_from_db()
    assert mine.person.last_name == "Avant"


def test_the_grid_filters_on_what_the_reader_sees_and_sorts_by_value(agent, workspace):
    diesel = VehicleFactory(
        customer=CustomerFactory(workspace=workspace),
        energy="diesel",
        first_registration_date=datetime.date(2020, 1, 2),
    )
    electric = VehicleFactory(
        customer=CustomerFactory(workspace=workspace),
        energy="electric",
        first_registration_date=datetime.date(2023, 5, 6),
    )
    energy = field_spec("vehicule.energy")
    assert list(field_grid(user=agent, workspace=workspace, spec=energy, query="élec")) == [
        electric
    ]
    assert list(field_grid(user=agent, workspace=workspace, spec=energy, sort="valeur")) == [
        diesel,
        electric,
    ]
    assert list(field_grid(user=agent, workspace=workspace, spec=energy, sort="-valeur")) == [
        electric,
        diesel,
    ]
    registered = field_spec("vehicule.first_registration_date")
    assert list(
        field_grid(user=agent, workspace=workspace, spec=registered, query="06/05/2023")
    ) == [electric]
    assert list(field_grid(user=agent, workspace=workspace, spec=registered, query="2020")) == [
        diesel
    ]
    consent = field_spec("particulier.consent_sms")
    assert field_grid(user=agent, workspace=workspace, spec=consent, query="oui").count() == 0
    assert field_grid(user=agent, workspace=workspace, spec=consent, query="non").count() == 2
