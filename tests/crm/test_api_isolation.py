"""Workspace isolation of the REST API, by enumeration of every operation it documents.

The operations come from the OpenAPI document itself, so an endpoint added later is
covered without touching this file; a new kind of path parameter makes the test fail
until it is taught which record of the other workspace to name.
"""

import datetime
import uuid
from decimal import Decimal

import pytest

from relais.core.accounts.services import api_token_create
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    Invoice,
    InvoiceLine,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.permissions import Permission
from relais.crm.services.customers import company_contact_add
from relais.crm.services.records import invoice_create, mileage_reading_add
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    LeadFactory,
    NoteFactory,
    VehicleFactory,
)

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def foreign(other_workspace, other_agent) -> dict[str, str]:
    """One record of every kind in ``other_workspace``, by the path parameter naming it."""
    company = CustomerFactory(workspace=other_workspace, kind=CustomerKind.COMPANY)
    link = company_contact_add(
        actor=other_agent, customer=company, person_data={"last_name": "Étranger"}, role="Gérant"
    )
    vehicle = VehicleFactory(customer=company)
    reading = mileage_reading_add(
        actor=other_agent, vehicle=vehicle, read_on=datetime.date(2025, 1, 5), mileage=9000
    )
    invoice = invoice_create(
        actor=other_agent,
        customer=company,
        data={
            "kind": "apv",
            "number": "R-1",
            "issued_on": datetime.date(2025, 6, 1),
            "vehicle": vehicle,
            "mileage": 12000,
        },
        lines=[{"label": "Révision", "unit_price_excl_tax": Decimal("150")}],
    )
    records = {
        "workspace_id": other_workspace,
        "customer_id": company,
        "vehicle_id": vehicle,
        "reading_id": reading,
        "invoice_id": invoice,
        "activity_id": ActivityFactory(customer=company),
        "note_id": NoteFactory(customer=company),
        "lead_id": LeadFactory(workspace=other_workspace, customer=company),
    }
    ids = {name: str(record.public_id) for name, record in records.items()}
    ids["contact_id"] = str(link.person.public_id)
    ids["parent_id"] = ids["customer_id"]
    return ids


def snapshot(workspace) -> dict:
    """Every stored value of every row of ``workspace``."""
    in_workspace = {
        Customer: {"workspace": workspace},
        Person: {"workspace": workspace},
        Company: {"workspace": workspace},
        CompanyContact: {"company__workspace": workspace},
        Vehicle: {"workspace": workspace},
        MileageReading: {"workspace": workspace},
        Invoice: {"workspace": workspace},
        InvoiceLine: {"invoice__workspace": workspace},
        Activity: {"workspace": workspace},
        Note: {"workspace": workspace},
        Lead: {"workspace": workspace},
        Interaction: {"workspace": workspace},
        AuditEntry: {"workspace": workspace},
    }
    return {
        model.__name__: list(model.objects.filter(**lookup).order_by("pk").values())
        for model, lookup in in_workspace.items()
    }


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def path_parameters(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]


def example(schema: dict, document: dict, foreign: dict, name: str = ""):
    """A value that satisfies ``schema``, naming ``foreign`` records wherever an id is asked,
    so that a body passes parsing and reaches the access checks behind it."""
    if "$ref" in schema:
        target = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return example(target, document, foreign, name)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example(options[0], document, foreign, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object":
        properties = schema.get("properties", {})
        wanted = set(schema.get("required", [])) | {p for p in properties if p.endswith("_id")}
        return {
            prop: example(properties[prop], document, foreign, prop)
            for prop in properties
            if prop in wanted
        }
    if kind == "array":
        return [example(schema["items"], document, foreign, name)]
    if fmt == "uuid":
        return foreign.get(name, foreign["customer_id"])
    if fmt == "date":
        return "2025-06-01"
    if fmt == "date-time":
        return "2025-06-01T10:00:00+02:00"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return "Texte"


def request_body(operation: dict, document: dict, foreign: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(content["application/json"]["schema"], document, foreign)


@pytest.fixture
def document(client, db):
    return client.get("/api/openapi.json").json()


@pytest.mark.parametrize("role_fixture", ["agent", "supervisor"])
def test_no_operation_reaches_another_workspace(
    request, client, document, workspace, other_workspace, foreign, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    _token, key = api_token_create(user=user, name="isolation")
    headers = {"Authorization": f"Bearer {key}"}
    before = snapshot(other_workspace)
    checked = 0

    for method, path, operation in operations(document):
        if not path.startswith("/api/workspaces/"):
            continue  # /api/training/ has its own test: tests/training/test_isolation.py
        parameters = path_parameters(operation)
        if not parameters:
            continue  # /api/workspaces/: nothing to name
        unknown = set(parameters) - set(foreign)
        assert not unknown, f"{method.upper()} {path}: teach this test about {unknown}"
        role_forbidden = method == "delete" and not user.has_role_permission(Permission.CRM_DELETE)
        expected = {403, 404} if role_forbidden else {404}
        body = request_body(operation, document, foreign)
        names_a_record = set(parameters) != {"workspace_id"}
        # The other workspace, and (when a record is named) the user's own workspace.
        for workspace_id in [foreign["workspace_id"]] + (
            [str(workspace.public_id)] if names_a_record else []
        ):
            values = foreign | {"workspace_id": workspace_id}
            url = path.format(**{name: values[name] for name in parameters})
            kwargs = {"headers": headers}
            if body is not None:
                kwargs |= {"data": body, "content_type": "application/json"}

            response = getattr(client, method)(url, **kwargs)

            assert response.status_code in expected, (
                f"{method.upper()} {url} -> {response.status_code} {response.content[:300]!r}"
            )
            if response.status_code == 404 and workspace_id == str(workspace.public_id):
                # A record of another workspace looks exactly like one that does not exist.
                random_values = {name: str(uuid.uuid4()) for name in parameters}
                random_values["workspace_id"] = workspace_id
                missing = getattr(client, method)(
                    path.format(**{name: random_values[name] for name in parameters}), **kwargs
                )
                assert missing.status_code == 404
                assert missing.json() == response.json(), f"{method.upper()} {path}"
            checked += 1

    assert checked >= 60  # every operation, some of them twice
    assert snapshot(other_workspace) == before


def test_the_workspace_list_shows_only_mine(client, agent, workspace, other_workspace):
    _token, key = api_token_create(user=agent, name="isolation")

    body = client.get("/api/workspaces/", headers={"Authorization": f"Bearer {key}"}).json()

    assert [w["id"] for w in body["items"]] == [str(workspace.public_id)]


class TestCraftedBodies:
    """A body that names another workspace's record is refused, and nothing is written."""

    @pytest.fixture
    def api(self, client, supervisor, workspace):
        _token, key = api_token_create(user=supervisor, name="isolation")
        headers = {"Authorization": f"Bearer {key}"}
        base = f"/api/workspaces/{workspace.public_id}/"

        def send(method, path, body):
            return getattr(client, method)(
                base + path, body, content_type="application/json", headers=headers
            )

        return send

    @pytest.fixture
    def customer(self, workspace):
        return CustomerFactory(workspace=workspace)

    def test_invoice_with_a_foreign_vehicle(self, api, customer, foreign, other_workspace):
        before = snapshot(other_workspace)
        body = {
            "kind": "apv",
            "number": "X-1",
            "issued_on": "2025-06-01",
            "mileage": 50000,
            "vehicle_id": foreign["vehicle_id"],
            "lines": [{"label": "Vidange", "unit_price_excl_tax": "80"}],
        }

        response = api("post", f"customers/{customer.public_id}/invoices", body)

        assert response.status_code == 422
        assert response.json()["errors"] == {"vehicle_id": ["Véhicule introuvable."]}
        assert not Invoice.objects.filter(customer=customer).exists()
        assert snapshot(other_workspace) == before

    def test_invoice_update_to_a_foreign_vehicle(self, api, customer, foreign, supervisor):
        own_vehicle = VehicleFactory(customer=customer)
        invoice = invoice_create(
            actor=supervisor,
            customer=customer,
            data={"kind": "vn", "number": "VN-1", "issued_on": datetime.date(2025, 6, 1)}
            | {"vehicle": own_vehicle},
            lines=[{"label": "Véhicule", "unit_price_excl_tax": Decimal("20000")}],
        )

        response = api(
            "patch", f"invoices/{invoice.public_id}", {"vehicle_id": foreign["vehicle_id"]}
        )

        assert response.status_code == 422
        invoice.refresh_from_db()
        assert invoice.vehicle == own_vehicle

    def test_company_with_a_foreign_parent(self, api, foreign):
        body = {
            "kind": "company",
            "company": {"legal_name": "Filiale", "parent_id": foreign["customer_id"]},
        }

        response = api("post", "customers", body)

        assert response.status_code == 422
        assert response.json()["errors"] == {"company.parent_id": ["Client introuvable."]}
        assert not Company.objects.filter(legal_name="Filiale").exists()

    def test_customer_owner_from_another_workspace(self, api, customer, other_agent):
        response = api("patch", f"customers/{customer.public_id}", {"owner": other_agent.username})

        assert response.status_code == 422
        assert "owner" in response.json()["errors"]
        customer.refresh_from_db()
        assert customer.owner is None
