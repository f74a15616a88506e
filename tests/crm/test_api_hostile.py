"""What a new user hit with the API: booleans for numbers, a date of year 25, a malformed id in
the path (JSON 404, never HTML); and ``/favicon.ico``."""

import pytest

from relais.crm.models import MileageReading, Note
from tests.crm.test_api import Api
from tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, agent, workspace):
    return Api(client, agent, workspace)


@pytest.mark.parametrize("value", [False, True], ids=["false", "true"])
def test_a_boolean_is_not_an_integer(api, workspace, value):
    customer = CustomerFactory(workspace=workspace)
    response = api.post(
        f"customers/{customer.public_id}/notes", {"body": "Foyer", "household_size": value}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"household_size": ["Saisissez un nombre entier."]}
    assert not Note.objects.exists()


def test_a_mileage_reading_of_year_25_is_refused(api, workspace):
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace))
    url = f"vehicles/{vehicle.public_id}/mileage-readings"
    for read_on in ("0025-06-01", "1899-12-31"):
        response = api.post(url, {"read_on": read_on, "mileage": 12000})
        assert response.status_code == 422, read_on
        assert "postérieure à 1900" in response.json()["errors"]["read_on"][0]
    assert not MileageReading.objects.exists()
    assert api.post(url, {"read_on": "2024-06-01", "mileage": 12000}).status_code == 201


def test_the_service_refuses_a_reading_before_1900(agent, workspace):
    from django.core.exceptions import ValidationError

    from relais.crm.services.records import mileage_reading_add

    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace))
    with pytest.raises(ValidationError, match="avant 1900"):
        import datetime

        mileage_reading_add(
            actor=agent, vehicle=vehicle, read_on=datetime.date(25, 6, 1), mileage=10
        )


@pytest.mark.parametrize(
    "path",
    [
        "/api/workspaces/pas-un-uuid/customers",
        "/api/workspaces/{ws}/customers/pas-un-uuid",
        "/api/workspaces/{ws}/vehicles/12/mileage-readings",
        "/api/nimporte-quoi",
    ],
    ids=["workspace-id", "customer-id", "vehicle-id", "unknown-route"],
)
def test_an_invalid_path_answers_json_404(api, workspace, path):
    response = api.client.get(path.format(ws=workspace.public_id), headers=api.headers)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "Adresse inconnue de l'API" in response.json()["detail"]


def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
