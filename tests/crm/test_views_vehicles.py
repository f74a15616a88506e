"""The vehicles tab, vehicle forms and mileage readings, through the HTTP client."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.crm.models import MileageReading, Vehicle
from tests.factories import CustomerFactory, InvoiceFactory, VehicleFactory


def text(response) -> str:
    return html.unescape(response.content.decode())


def vehicle_payload(**overrides) -> dict:
    data = {
        "make": "Peugeot",
        "model": "308",
        "trim": "Allure",
        "energy": "diesel",
        "plate": "ab123cd",
        "vin": "VF3LBYHZPKS123456",
        "first_registration_date": "2021-09-01",
        "usage": "private",
        "financing_type": "loa",
        "financing_date": "2021-09-01",
        "financing_amount": "18500.00",
        "financing_months": "48",
    }
    data.update(overrides)
    return data


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace)


def test_vehicles_tab_lists_vehicles_with_financing_and_latest_mileage(agent_client, customer):
    vehicle = VehicleFactory(
        customer=customer,
        plate="EF-456-GH",
        usage="private",
        financing_type="lld",
        financing_date=datetime.date(2022, 3, 1),
        financing_amount=Decimal("24000"),
        financing_months=36,
    )
    MileageReading.objects.create(
        workspace=customer.workspace,
        vehicle=vehicle,
        read_on=datetime.date(2024, 3, 1),
        mileage=15000,
    )
    MileageReading.objects.create(
        workspace=customer.workspace,
        vehicle=vehicle,
        read_on=datetime.date(2025, 3, 1),
        mileage=31250,
    )
    response = agent_client.get(reverse("crm:customer-vehicles", args=[customer.public_id]))
    page = text(response)
    assert response.context["active_tab"] == "vehicles"
    assert 'aria-current="page"' in page
    expected = [
        *("Renault", "Clio", "Intens", "Hybride", "EF-456-GH", vehicle.vin, "15/03/2022"),
        *("Personnel", "Location longue durée (LLD)", "le 01/03/2022", "36 mois"),
    ]
    for value in expected:
        assert value in page
    assert "24\u00a0000,00 €" in page or "24 000,00 €" in page
    row = response.context["rows"][0]
    assert row.latest_reading.mileage == 31250
    assert reverse("crm:mileage-reading-add", args=[vehicle.public_id]) in page
    assert reverse("crm:vehicle-create", args=[customer.public_id]) in page


def test_vehicles_tab_empty(agent_client, customer):
    page = text(agent_client.get(reverse("crm:customer-vehicles", args=[customer.public_id])))
    assert "Aucun véhicule enregistré pour ce client." in page


def test_create_vehicle_normalises_plate_and_vin(agent_client, customer):
    url = reverse("crm:vehicle-create", args=[customer.public_id])
    assert "Immatriculation" in text(agent_client.get(url))
    response = agent_client.post(url, vehicle_payload(vin="vf3 lbyhz pks 123456"))
    vehicle = Vehicle.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#vehicule-{vehicle.public_id}")
    assert vehicle.plate == "AB-123-CD"
    assert vehicle.vin == "VF3LBYHZPKS123456"
    assert vehicle.financing_months == 48
    # The new plate is searchable at once.
    listing = agent_client.get(reverse("crm:customer-list"), {"q": "AB-123-CD"})
    assert list(listing.context["page_obj"]) == [customer]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"plate": "AB-123"},
            "« AB-123 » n'est pas une immatriculation valide (format AA-123-AA).",
        ),
        ({"plate": "OA-123-CD"}, "n'est pas une immatriculation valide"),
        (
            {"vin": "VF3LBYHZ"},
            "Le numéro de châssis (VIN) compte 17 caractères ; « VF3LBYHZ » en compte 8.",
        ),
        (
            {"vin": "VF3LBYHZPKS12345O"},
            "ne peut contenir que des chiffres et des lettres, sauf I, O et Q",
        ),
        ({"first_registration_date": "2030-01-01"}, "ne peut pas être dans le futur"),
        ({"make": ""}, "Ce champ est obligatoire."),
        ({"financing_months": "500"}, "inférieure ou égale à 120"),
        ({"financing_amount": "abc"}, "Saisissez un nombre."),
    ],
)
def test_vehicle_form_rejects_wrong_values(agent_client, customer, overrides, message):
    url = reverse("crm:vehicle-create", args=[customer.public_id])
    response = agent_client.post(url, vehicle_payload(**overrides))
    assert response.status_code == 200
    page = text(response)
    assert "Le formulaire contient des erreurs" in page
    assert message in page
    assert not Vehicle.objects.exists()


def test_edit_vehicle(agent_client, customer):
    vehicle = VehicleFactory(customer=customer)
    url = reverse("crm:vehicle-edit", args=[vehicle.public_id])
    assert 'value="Clio"' in text(agent_client.get(url))
    response = agent_client.post(url, vehicle_payload(model="Captur", plate="gh 456 jk"))
    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.model == "Captur" and vehicle.plate == "GH-456-JK"
    bad = agent_client.post(url, vehicle_payload(plate="1234"))
    assert "n'est pas une immatriculation valide" in text(bad)
    vehicle.refresh_from_db()
    assert vehicle.plate == "GH-456-JK"


def test_agent_cannot_delete_a_vehicle(agent_client, customer):
    vehicle = VehicleFactory(customer=customer)
    tab = text(agent_client.get(reverse("crm:customer-vehicles", args=[customer.public_id])))
    assert reverse("crm:vehicle-delete", args=[vehicle.public_id]) not in tab
    assert (
        agent_client.post(reverse("crm:vehicle-delete", args=[vehicle.public_id])).status_code
        == 403
    )
    assert Vehicle.objects.filter(pk=vehicle.pk).exists()


def test_supervisor_deletes_a_vehicle(supervisor_client, customer):
    vehicle = VehicleFactory(customer=customer)
    InvoiceFactory(customer=customer, vehicle=vehicle)
    for year in (2023, 2024):
        MileageReading.objects.create(
            workspace=customer.workspace,
            vehicle=vehicle,
            read_on=datetime.date(year, 1, 1),
            mileage=year,
        )
    url = reverse("crm:vehicle-delete", args=[vehicle.public_id])
    page = text(supervisor_client.get(url))
    assert "ses 2 relevés kilométriques" in page and "1 facture porte sur ce véhicule" in page
    response = supervisor_client.post(url)
    assert response.status_code == 302
    assert not Vehicle.objects.filter(pk=vehicle.pk).exists()
    assert not MileageReading.objects.filter(workspace=customer.workspace).exists()


def test_add_and_delete_a_mileage_reading(agent_client, customer):
    vehicle = VehicleFactory(customer=customer)
    url = reverse("crm:mileage-reading-add", args=[vehicle.public_id])
    response = agent_client.post(url, {"read_on": "2025-06-01", "mileage": "42000"})
    assert response.status_code == 302
    reading = MileageReading.objects.get(vehicle=vehicle)
    assert reading.mileage == 42000
    page = text(agent_client.get(reverse("crm:customer-vehicles", args=[customer.public_id])))
    assert "01/06/2025" in page and "Saisie" in page
    delete = reverse("crm:mileage-reading-delete", args=[reading.public_id])
    assert "Supprimer ce relevé kilométrique ?" in text(agent_client.get(delete))
    assert agent_client.post(delete).status_code == 302
    assert not MileageReading.objects.filter(pk=reading.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"read_on": "2025-07-01", "mileage": "43000"},
            "Un relevé ne peut pas être daté dans le futur.",
        ),
        ({"read_on": "2025-06-10", "mileage": "1000"}, "Le kilométrage ne peut pas baisser"),
        ({"read_on": "", "mileage": "43000"}, "Ce champ est obligatoire."),
        ({"read_on": "2025-06-10", "mileage": "-5"}, "supérieure ou égale à 0"),
    ],
)
def test_mileage_reading_errors_show_on_their_page(agent_client, customer, data, message):
    vehicle = VehicleFactory(customer=customer)
    MileageReading.objects.create(
        workspace=customer.workspace,
        vehicle=vehicle,
        read_on=datetime.date(2025, 1, 1),
        mileage=5000,
    )
    response = agent_client.post(reverse("crm:mileage-reading-add", args=[vehicle.public_id]), data)
    assert response.status_code == 200
    assert message in text(response)
    assert MileageReading.objects.filter(vehicle=vehicle).count() == 1


def test_a_reading_from_an_invoice_cannot_be_deleted_here(agent_client, customer):
    vehicle = VehicleFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, vehicle=vehicle, kind="apv", mileage=9000)
    reading = MileageReading.objects.create(
        workspace=customer.workspace,
        vehicle=vehicle,
        read_on=datetime.date(2025, 6, 2),
        mileage=9000,
        invoice=invoice,
    )
    response = agent_client.post(
        reverse("crm:mileage-reading-delete", args=[reading.public_id]), follow=True
    )
    assert "Ce relevé vient d'une facture : modifiez la facture." in text(response)
    assert MileageReading.objects.filter(pk=reading.pk).exists()


def test_vehicles_tab_query_count_does_not_grow(
    agent_client, customer, django_assert_max_num_queries
):
    url = reverse("crm:customer-vehicles", args=[customer.public_id])

    def add_vehicles(count):
        for n in range(count):
            vehicle = VehicleFactory(customer=customer)
            for year in (2023, 2024):
                MileageReading.objects.create(
                    workspace=customer.workspace,
                    vehicle=vehicle,
                    read_on=datetime.date(year, 1, 1),
                    mileage=1000 * year + n,
                )

    def count():
        agent_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            agent_client.get(url)
        return len(queries)

    add_vehicles(5)
    small = count()
    add_vehicles(55)
    assert count() == small
    with django_assert_max_num_queries(14):  # +2: the modules of the navigation
        agent_client.get(url)


@pytest.fixture
def foreign_vehicle(other_workspace):
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=other_workspace), model="Étrangère")
    reading = MileageReading.objects.create(
        workspace=other_workspace, vehicle=vehicle, read_on=datetime.date(2025, 1, 1), mileage=100
    )
    return vehicle, reading


@pytest.mark.parametrize("name", ["vehicle-edit", "vehicle-delete", "mileage-reading-add"])
def test_another_workspaces_vehicle_is_not_found(supervisor_client, foreign_vehicle, name):
    vehicle, _reading = foreign_vehicle
    url = reverse(f"crm:{name}", args=[vehicle.public_id])
    assert supervisor_client.get(url).status_code == 404
    assert (
        supervisor_client.post(
            url, {**vehicle_payload(model="Pirate"), "read_on": "2025-06-01", "mileage": "999"}
        ).status_code
        == 404
    )
    vehicle.refresh_from_db()
    assert vehicle.model == "Étrangère"
    assert MileageReading.objects.filter(vehicle=vehicle).count() == 1


def test_another_workspaces_reading_is_not_found(supervisor_client, foreign_vehicle):
    _vehicle, reading = foreign_vehicle
    url = reverse("crm:mileage-reading-delete", args=[reading.public_id])
    assert supervisor_client.get(url).status_code == 404
    assert supervisor_client.post(url).status_code == 404
    assert MileageReading.objects.filter(pk=reading.pk).exists()
