"""The CRM REST API, end to end through the HTTP client, with token authentication."""

import datetime
import json
import warnings
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.core.accounts.services import api_token_create
from relais.core.contacts.models import CompanyContact
from relais.core.interactions.models import Interaction
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    Invoice,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.services.customers import company_contact_add
from relais.crm.services.records import invoice_create, mileage_reading_add
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    LeadFactory,
    NoteFactory,
    VehicleFactory,
    WorkspaceFactory,
)


class Api:
    """A test client that speaks JSON to one workspace of the API with a bearer token."""

    def __init__(self, client, user, workspace):
        self.client = client
        self.workspace = workspace
        _token, key = api_token_create(user=user, name="tests")
        self.headers = {"Authorization": f"Bearer {key}"}

    def url(self, path: str) -> str:
        return f"/api/workspaces/{self.workspace.public_id}/{path}"

    def get(self, path: str, **params):
        return self.client.get(self.url(path), params, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self._send("post", path, body or {})

    def patch(self, path: str, body: dict):
        return self._send("patch", path, body)

    def delete(self, path: str):
        return self.client.delete(self.url(path), headers=self.headers)

    def _send(self, method: str, path: str, body: dict):
        send = getattr(self.client, method)
        return send(self.url(path), body, content_type="application/json", headers=self.headers)


@pytest.fixture
def api(client, agent, workspace):
    return Api(client, agent, workspace)


@pytest.fixture
def supervisor_api(client, supervisor, workspace):
    return Api(client, supervisor, workspace)


@pytest.fixture
def customer(workspace):
    return CustomerFactory(
        workspace=workspace, person__last_name="Durand", person__first_name="Léa"
    )


@pytest.fixture
def company(workspace):
    return CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(customer=customer)


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


# --- Workspaces and the current user ---------------------------------------------------------


def test_me(api, agent):
    body = api.client.get("/api/me", headers=api.headers).json()

    assert body["username"] == agent.username
    assert body["role_label"] == "Agent"
    assert "crm.edit" in body["permissions"]
    assert "crm.delete" not in body["permissions"]


def test_workspaces_lists_only_mine(api, workspace, other_workspace):
    body = api.client.get("/api/workspaces/", headers=api.headers).json()

    assert body["count"] == 1
    assert body["items"][0]["id"] == str(workspace.public_id)
    assert body["items"][0]["organization"] == workspace.organization.name


def test_a_workspace_i_cannot_enter_is_not_found(api, other_workspace):
    api.workspace = other_workspace

    response = api.get("customers")

    assert response.status_code == 404
    assert response.json() == {"detail": "Espace de travail introuvable."}


# --- Customers ------------------------------------------------------------------------------


def test_customer_list_searches_filters_sorts_and_paginates(api, workspace, settings):
    settings.RELAIS_PAGE_SIZE = 2
    durand = CustomerFactory(workspace=workspace, person__last_name="Durand")
    martin = CustomerFactory(workspace=workspace, person__last_name="Martin")
    acme = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Acme"
    )
    CustomerFactory(workspace=WorkspaceFactory(), person__last_name="Durand")

    first_page = api.get("customers").json()
    assert first_page["count"] == 3
    assert [c["id"] for c in first_page["items"]] == [str(acme.public_id), str(durand.public_id)]
    assert ids(api.get("customers", page=2)) == [str(martin.public_id)]
    assert ids(api.get("customers", q="durand")) == [str(durand.public_id)]
    assert ids(api.get("customers", kind="company")) == [str(acme.public_id)]
    assert ids(api.get("customers", sort="-nom", page_size=1)) == [str(martin.public_id)]
    assert api.get("customers", status="customer").json()["count"] == 0


def test_customer_list_has_a_bounded_number_of_queries(
    api, workspace, django_assert_max_num_queries
):
    for _ in range(5):
        CustomerFactory(workspace=workspace)
        CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)

    with django_assert_max_num_queries(8):
        response = api.get("customers")

    assert response.json()["count"] == 10


def test_customer_detail_has_status_and_age(api, customer):
    body = api.get(f"customers/{customer.public_id}").json()

    assert body["id"] == str(customer.public_id)
    assert body["kind"] == "individual"
    assert body["status"] == "prospect"
    assert body["display_name"] == "Léa DURAND"
    assert body["person"]["age"] == 45  # born 1980-05-17, today 2025-06-15
    assert body["company"] is None
    assert "pk" not in body and isinstance(body["id"], str)


def test_create_an_individual(api, agent, workspace):
    response = api.post(
        "customers",
        {
            "kind": "individual",
            "person": {
                "civility": "MME",
                "first_name": "Inès",
                "last_name": "Moreau",
                "birth_date": "1990-02-01",
                "phone_mobile": "0611223344",
                "postal_code": "69003",
                "city": "Lyon",
                "consent_email": True,
            },
            "source": "website",
            "owner": agent.username,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "prospect"
    assert body["person"]["phone_mobile"] == "06 11 22 33 44"
    assert body["person"]["age"] == 35
    assert body["person"]["consent_updated_at"] is not None
    assert body["owner"]["username"] == agent.username
    customer = Customer.objects.get(public_id=body["id"])
    assert customer.workspace == workspace
    assert customer.person.last_name == "Moreau"


def test_create_a_company_with_its_parent(api, company):
    response = api.post(
        "customers",
        {
            "kind": "company",
            "company": {
                "legal_name": "Filiale Nord",
                "siren": "732829320",
                "naf_code": "4941a",
                "parent_id": str(company.public_id),
            },
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"] is None
    assert body["company"]["naf_code"] == "49.41A"
    assert body["company"]["parent_id"] == str(company.public_id)


def test_create_customer_validation_errors_are_in_french(api):
    response = api.post(
        "customers",
        {
            "kind": "individual",
            "person": {"last_name": "Moreau", "postal_code": "69003", "city": "Paris"},
        },
    )

    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {
        "person.city": ["La ville « Paris » ne correspond pas au code postal 69003."]
    }
    assert body["detail"] == "La ville « Paris » ne correspond pas au code postal 69003."
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"kind": "individual"}, {"person": ["Ce champ est obligatoire."]}),
        (
            {"kind": "individual", "person": {"last_name": "A"}, "company": {"legal_name": "B"}},
            {"company": ["Un particulier se décrit dans « person », pas dans « company »."]},
        ),
        (
            {"kind": "robot"},
            {"kind": ["Valeur non valide : choisissez parmi 'individual' ou 'company'."]},
        ),
        ({"kind": "individual", "person": {}}, {"person.last_name": ["Ce champ est obligatoire."]}),
        (
            {"kind": "individual", "person": {"last_name": "A", "birth_date": "hier"}},
            {"person.birth_date": ["Saisissez une date au format AAAA-MM-JJ."]},
        ),
        (
            {"kind": "individual", "person": {"last_name": "A", "nickname": "Bob"}},
            {"person.nickname": ["Ce champ n'existe pas ici."]},
        ),
    ],
    ids=[
        "missing section",
        "wrong section",
        "unknown kind",
        "missing name",
        "bad date",
        "unknown field",
    ],
)
def test_malformed_customer_bodies_get_422_in_french(api, body, errors):
    response = api.post("customers", body)

    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_malformed_json_gets_400(api):
    response = api.client.post(
        api.url("customers"), "{nope", content_type="application/json", headers=api.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Le corps de la requête n'est pas un document JSON valide."
    }


def test_patch_a_customer_changes_only_the_given_fields(api, customer):
    response = api.patch(
        f"customers/{customer.public_id}",
        {"person": {"email": "lea.durand@exemple.fr"}, "dealership": "Lyon Sud"},
    )

    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    customer.person.refresh_from_db()
    assert customer.person.email == "lea.durand@exemple.fr"
    assert customer.person.last_name == "Durand"
    assert customer.dealership == "Lyon Sud"


def test_patch_a_customer_rejects_the_other_kinds_fields(api, customer):
    response = api.patch(f"customers/{customer.public_id}", {"company": {"legal_name": "X"}})

    assert response.status_code == 422
    assert "company" in response.json()["errors"]


def test_patch_a_company_validates_the_siret(api, company):
    response = api.patch(f"customers/{company.public_id}", {"company": {"siret": "12345678901234"}})

    assert response.status_code == 422
    assert response.json()["errors"]["company.siret"]


def test_a_company_cannot_be_its_own_parent(api, company):
    response = api.patch(
        f"customers/{company.public_id}", {"company": {"parent_id": str(company.public_id)}}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "company.parent_id": ["Une société ne peut pas être sa propre société mère."]
    }


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"page": 0}, {"page": ["La valeur doit être au moins 1."]}),
        ({"sort": "prix"}, {"sort": ["Valeur non valide : choisissez parmi 'nom', '-nom', "]}),
    ],
)
def test_invalid_query_parameters_get_422(api, params, errors):
    response = api.get("customers", **params)

    assert response.status_code == 422
    field, [message] = next(iter(response.json()["errors"].items()))
    expected_field, [expected_start] = next(iter(errors.items()))
    assert field == expected_field
    assert message.startswith(expected_start)


def test_supervisor_deletes_a_customer(supervisor_api, customer):
    response = supervisor_api.delete(f"customers/{customer.public_id}")

    assert response.status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "customers/{customer}",
        "vehicles/{vehicle}",
        "invoices/{invoice}",
        "activities/{activity}",
        "notes/{note}",
        "leads/{lead}",
    ],
)
def test_an_agent_may_not_delete(api, workspace, agent, path):
    customer = CustomerFactory(workspace=workspace)
    records = {
        "customer": customer,
        "vehicle": VehicleFactory(customer=customer),
        "invoice": invoice_create(
            actor=agent,
            customer=customer,
            data={"kind": "parts", "number": "F-1", "issued_on": datetime.date(2025, 6, 1)},
            lines=[{"label": "Balais", "unit_price_excl_tax": Decimal("20")}],
        ),
        "activity": ActivityFactory(customer=customer),
        "note": NoteFactory(customer=customer),
        "lead": LeadFactory(workspace=workspace),
    }

    response = api.delete(path.format(**{name: r.public_id for name, r in records.items()}))

    assert response.status_code == 403
    assert response.json() == {"detail": "Votre rôle ne permet pas cette action."}
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert Vehicle.objects.count() == Invoice.objects.count() == Lead.objects.count() == 1


# --- Company contacts -----------------------------------------------------------------------


def test_company_contacts(api, company):
    added = api.post(
        f"customers/{company.public_id}/contacts",
        {"first_name": "Paul", "last_name": "Lefèvre", "role": "Gestionnaire de flotte"},
    )
    assert added.status_code == 201, added.json()
    contact_id = added.json()["id"]

    listed = api.get(f"customers/{company.public_id}/contacts").json()
    assert listed["count"] == 1
    assert listed["items"][0] == added.json()
    assert listed["items"][0]["role"] == "Gestionnaire de flotte"

    removed = api.delete(f"customers/{company.public_id}/contacts/{contact_id}")
    assert removed.status_code == 204
    assert not CompanyContact.objects.exists()


def test_company_contact_validation(api, company):
    response = api.post(
        f"customers/{company.public_id}/contacts", {"last_name": "Lefèvre", "email": "pas-un-mail"}
    )

    assert response.status_code == 422
    assert response.json()["errors"]["email"] == [
        "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
    ]


# --- Vehicles and mileage -------------------------------------------------------------------


def test_vehicle_crud(api, customer):
    created = api.post(
        f"customers/{customer.public_id}/vehicles",
        {"make": "Peugeot", "model": "208", "energy": "electric", "plate": "gh 456 jk"},
    )
    assert created.status_code == 201, created.json()
    vehicle_id = created.json()["id"]
    assert created.json()["plate"] == "GH-456-JK"
    assert created.json()["customer_id"] == str(customer.public_id)
    assert created.json()["latest_mileage"] is None

    assert ids(api.get(f"customers/{customer.public_id}/vehicles")) == [vehicle_id]
    assert api.get(f"vehicles/{vehicle_id}").json()["model"] == "208"

    updated = api.patch(f"vehicles/{vehicle_id}", {"trim": "GT", "financing_type": "loa"})
    assert updated.status_code == 200
    assert updated.json()["trim"] == "GT"
    assert updated.json()["make"] == "Peugeot"

    invalid = api.patch(f"vehicles/{vehicle_id}", {"plate": "123"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"]["plate"] == [
        "« 123 » n'est pas une immatriculation valide (format AA-123-AA)."
    ]


def test_supervisor_deletes_a_vehicle(supervisor_api, vehicle):
    assert supervisor_api.delete(f"vehicles/{vehicle.public_id}").status_code == 204
    assert not Vehicle.objects.exists()


def test_mileage_readings(api, supervisor_api, vehicle):
    path = f"vehicles/{vehicle.public_id}/mileage-readings"
    first = api.post(path, {"read_on": "2025-01-10", "mileage": 12000})
    second = api.post(path, {"read_on": "2025-05-10", "mileage": 18500})
    assert first.status_code == second.status_code == 201

    listed = api.get(path).json()
    assert [r["mileage"] for r in listed["items"]] == [12000, 18500]
    latest = api.get(f"vehicles/{vehicle.public_id}").json()["latest_mileage"]
    assert latest == {"read_on": "2025-05-10", "mileage": 18500}

    lower = api.post(path, {"read_on": "2025-06-01", "mileage": 100})
    assert lower.status_code == 422
    assert lower.json()["errors"]["mileage"][0].startswith("Le kilométrage ne peut pas baisser")

    deleted = api.delete(f"mileage-readings/{first.json()['id']}")
    assert deleted.status_code == 204
    assert MileageReading.objects.count() == 1


# --- Invoices -------------------------------------------------------------------------------


def invoice_body(vehicle=None, **changes) -> dict:
    body = {
        "kind": "apv",
        "number": "APV-2025-001",
        "issued_on": "2025-06-10",
        "mileage": 25000,
        "vehicle_id": str(vehicle.public_id) if vehicle else None,
        "lines": [
            {"label": "Vidange", "quantity": "1", "unit_price_excl_tax": "89.90"},
            {"label": "Filtre à huile", "quantity": "2", "unit_price_excl_tax": "12.50"},
        ],
    }
    return body | changes


def test_invoice_crud(api, supervisor_api, customer, vehicle):
    created = api.post(f"customers/{customer.public_id}/invoices", invoice_body(vehicle))
    assert created.status_code == 201, created.json()
    invoice = created.json()
    assert invoice["total_excl_tax"] == "114.90"
    assert invoice["total_incl_tax"] == "137.88"
    assert invoice["vat_amount"] == "22.98"
    assert [line["total_incl_tax"] for line in invoice["lines"]] == ["107.88", "30.00"]
    assert invoice["vehicle_id"] == str(vehicle.public_id)
    # The customer is no longer a prospect; the workshop visit recorded the mileage.
    assert api.get(f"customers/{customer.public_id}").json()["status"] == "customer"
    assert api.get(f"vehicles/{vehicle.public_id}").json()["latest_mileage"]["mileage"] == 25000

    assert ids(api.get(f"customers/{customer.public_id}/invoices")) == [invoice["id"]]
    detail = api.get(f"invoices/{invoice['id']}").json()
    assert len(detail["lines"]) == 2

    updated = api.patch(
        f"invoices/{invoice['id']}",
        {"lines": [{"label": "Forfait entretien", "unit_price_excl_tax": "150"}]},
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["total_incl_tax"] == "180.00"
    assert updated.json()["number"] == "APV-2025-001"

    assert supervisor_api.delete(f"invoices/{invoice['id']}").status_code == 204
    assert api.get(f"customers/{customer.public_id}").json()["status"] == "prospect"


def test_invoice_validation_errors_are_in_french(api, customer):
    response = api.post(
        f"customers/{customer.public_id}/invoices",
        invoice_body(None, mileage=None, lines=[], issued_on="2030-01-01"),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["vehicle_id"] == ["Une facture après-vente porte sur un véhicule du client."]
    assert errors["mileage"] == ["Indiquez le kilométrage relevé lors du passage à l'atelier."]
    assert errors["issued_on"] == ["Une facture ne peut pas être datée dans le futur."]
    assert errors["lines"] == ["Une facture compte au moins une ligne."]
    assert not Invoice.objects.exists()


def test_invoice_with_another_customers_vehicle_is_refused(api, customer, workspace):
    someone_elses = VehicleFactory(customer=CustomerFactory(workspace=workspace))

    response = api.post(f"customers/{customer.public_id}/invoices", invoice_body(someone_elses))

    assert response.status_code == 422
    assert response.json()["errors"]["vehicle_id"] == ["Ce véhicule n'appartient pas à ce client."]


# --- Activities and notes -------------------------------------------------------------------


def test_activity_crud(api, supervisor_api, customer, agent):
    created = api.post(
        f"customers/{customer.public_id}/activities",
        {
            "kind": "call",
            "subject": "Proposition d'entretien",
            "occurred_at": "2025-06-14T15:30:00+02:00",
            "outcome": "appointment_set",
            "next_follow_up_on": "2025-06-20",
        },
    )
    assert created.status_code == 201, created.json()
    activity = created.json()
    assert activity["owner"]["username"] == agent.username
    assert Interaction.objects.filter(topic="Proposition d'entretien").exists()

    assert ids(api.get(f"customers/{customer.public_id}/activities")) == [activity["id"]]
    assert api.get(f"activities/{activity['id']}").json()["subject"] == "Proposition d'entretien"

    too_early = api.patch(f"activities/{activity['id']}", {"next_follow_up_on": "2025-06-01"})
    assert too_early.status_code == 422
    assert too_early.json()["errors"]["next_follow_up_on"] == [
        "La relance ne peut pas précéder l'activité."
    ]

    updated = api.patch(f"activities/{activity['id']}", {"body": "RDV pris pour la révision."})
    assert updated.status_code == 200
    assert updated.json()["body"] == "RDV pris pour la révision."

    assert supervisor_api.delete(f"activities/{activity['id']}").status_code == 204
    assert not Activity.objects.exists()


def test_activity_owner_must_belong_to_the_workspace(api, customer, other_agent):
    response = api.post(
        f"customers/{customer.public_id}/activities",
        {"kind": "call", "subject": "Relance", "owner": other_agent.username},
    )

    assert response.status_code == 422
    assert response.json()["errors"]["owner"] == ["Aucun utilisateur « autre » dans cet espace."]
    assert not Activity.objects.exists()


def test_note_crud(api, supervisor_api, customer, agent):
    empty = api.post(f"customers/{customer.public_id}/notes", {})
    assert empty.status_code == 422
    assert empty.json()["detail"] == (
        "Une note vide n'est pas enregistrée : remplissez au moins un champ."
    )

    created = api.post(
        f"customers/{customer.public_id}/notes",
        {"wished_vehicles": "Break hybride", "household_size": 5},
    )
    assert created.status_code == 201, created.json()
    note = created.json()
    assert note["author"]["username"] == agent.username

    assert ids(api.get(f"customers/{customer.public_id}/notes")) == [note["id"]]
    assert api.get(f"notes/{note['id']}").json()["household_size"] == 5

    too_many = api.patch(f"notes/{note['id']}", {"household_size": 50})
    assert too_many.status_code == 422
    assert "household_size" in too_many.json()["errors"]

    assert supervisor_api.delete(f"notes/{note['id']}").status_code == 204
    assert not Note.objects.exists()


# --- Leads ----------------------------------------------------------------------------------


def test_lead_crud_and_conversion(api, supervisor_api, workspace):
    created = api.post(
        "leads",
        {
            "first_name": "Nora",
            "last_name": "Benali",
            "phone": "0612345678",
            "lead_type": "test_drive",
            "vehicle_of_interest": "Renault Scénic",
        },
    )
    assert created.status_code == 201, created.json()
    lead = created.json()
    assert lead["phone"] == "06 12 34 56 78"
    assert lead["status"] == "new"

    assert ids(api.get("leads", lead_type="test_drive")) == [lead["id"]]
    assert api.get("leads", status="lost").json()["count"] == 0

    updated = api.patch(f"leads/{lead['id']}", {"status": "contacted"})
    assert updated.json()["status"] == "contacted"

    converted = api.post(f"leads/{lead['id']}/convert")
    assert converted.status_code == 201, converted.json()
    customer = converted.json()
    assert customer["source"] == "lead"
    assert customer["person"]["phone_mobile"] == "06 12 34 56 78"
    assert api.get(f"leads/{lead['id']}").json()["customer_id"] == customer["id"]

    again = api.post(f"leads/{lead['id']}/convert")
    assert again.status_code == 422
    assert again.json()["detail"] == "Ce lead a déjà été converti."

    assert supervisor_api.delete(f"leads/{lead['id']}").status_code == 204
    assert not Lead.objects.exists()


def test_lead_validation(api):
    response = api.post(
        "leads",
        {"last_name": "Benali", "lead_type": "quote", "emitted_at": "2026-01-01T10:00:00+01:00"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "emitted_at": ["Un lead ne peut pas être émis dans le futur."]
    }


# --- Query counts ---------------------------------------------------------------------------


def _grow(kind: str, customer, company, vehicle, workspace, agent, n: int) -> None:
    """Add ``n`` more rows to the list ``kind``."""
    for i in range(n):
        if kind == "contacts":
            company_contact_add(
                actor=agent, customer=company, person_data={"last_name": f"Contact {i}"}
            )
        elif kind == "vehicles":
            VehicleFactory(customer=customer)
        elif kind == "mileage-readings":
            count = MileageReading.objects.count()
            mileage_reading_add(
                actor=agent,
                vehicle=vehicle,
                read_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=count),
                mileage=1000 * (count + 1),
            )
        elif kind == "invoices":
            InvoiceLineFactory(invoice=InvoiceFactory(customer=customer))
        elif kind == "activities":
            ActivityFactory(customer=customer, owner=agent)
        elif kind == "notes":
            NoteFactory(customer=customer, author=agent)
        elif kind == "leads":
            LeadFactory(workspace=workspace, customer=customer)


@pytest.mark.parametrize(
    "kind", ["contacts", "vehicles", "mileage-readings", "invoices", "activities", "notes", "leads"]
)
def test_list_endpoints_make_a_constant_number_of_queries(
    api, workspace, agent, customer, company, vehicle, kind
):
    path = {
        "contacts": f"customers/{company.public_id}/contacts",
        "mileage-readings": f"vehicles/{vehicle.public_id}/mileage-readings",
        "leads": "leads",
    }.get(kind, f"customers/{customer.public_id}/{kind}")
    grow = partial(_grow, kind, customer, company, vehicle, workspace, agent)

    api.get(path)  # the token's first use of the minute records it: not part of the list
    grow(2)
    with CaptureQueriesContext(connection) as few:
        first = api.get(path)
    grow(4)
    with CaptureQueriesContext(connection) as more:
        second = api.get(path)

    assert second.json()["count"] == first.json()["count"] + 4
    assert len(more) == len(few), [q["sql"] for q in more]


# --- The OpenAPI document and the docs page -------------------------------------------------


def test_openapi_document(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["components"]["securitySchemes"]) == {"ApiTokenAuth", "SessionAuth"}
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["security"], operation["operationId"]


def test_docs_page_loads_nothing_from_a_cdn(client, db):
    response = client.get("/api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert '"validatorUrl": null' in page


def test_the_api_needs_authentication(client, workspace):
    response = client.get(f"/api/workspaces/{workspace.public_id}/customers")

    assert response.status_code == 401


def test_a_page_number_beyond_any_list_is_invalid_not_a_crash(api):
    response = api.get("customers", page=10**20)
    assert response.status_code == 422
    assert response.json()["errors"] == {"page": ["La valeur doit être au plus 1000000."]}


def test_a_search_text_is_limited_as_on_the_web(api):
    response = api.get("customers", q="x" * 201)
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["Ce texte est trop long."]}


def test_a_number_that_is_not_finite_is_refused_in_french(api, customer):
    vehicle = {"make": "Peugeot", "model": "208", "energy": "petrol", "financing_amount": "NaN"}
    response = api.post(f"customers/{customer.public_id}/vehicles", vehicle)
    assert response.status_code == 422
    assert response.json()["errors"] == {"financing_amount": ["Saisissez un nombre."]}


def test_a_date_and_time_without_offset_is_paris_time(api, customer):
    body = {"kind": "call", "subject": "Relance", "occurred_at": "2025-01-10T10:00:00"}
    with warnings.catch_warnings():
        # Django warns when it is handed a naive datetime: it never should be.
        warnings.simplefilter("error", RuntimeWarning)
        response = api.post(f"customers/{customer.public_id}/activities", body)
    assert response.status_code == 201
    activity = Activity.objects.get(public_id=response.json()["id"])
    assert activity.occurred_at == datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.UTC)
