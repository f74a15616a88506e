"""Workspace isolation through every UI page, enumerated from the URL configuration.

A user of workspace A asks for each record of workspace B through every URL pattern that
names a record: the answer is always "not found", and nothing in B changes. Lists of A
never show B's records. New URL patterns are covered automatically; a pattern naming an
unknown kind of record fails the test until it is added to ``RECORD_KWARGS``.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.core.jobs.models import Job
from relais.core.workspaces.sandbox import sandbox_models
from relais.crm.models import (
    Customer,
    CustomerKind,
    MileageReading,
)
from relais.crm.services.deletion import customer_delete
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    LeadFactory,
    NoteFactory,
    PersonFactory,
    UserFactory,
    VehicleFactory,
)
from tests.isolation_extra import foreign_url_values

NAMESPACES = ("crm", "jobs")


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and namespace in NAMESPACES and entry.name:
            yield namespace, entry


def record_patterns():
    return [(ns, p) for ns, p in _patterns() if p.pattern.regex.groupindex]


def list_patterns():
    return [(ns, p) for ns, p in _patterns() if not p.pattern.regex.groupindex]


@pytest.fixture
def foreign(other_workspace, other_agent):
    """One record of every kind in workspace B."""
    customer = CustomerFactory(workspace=other_workspace, person__last_name="Étrangerb")
    company = CustomerFactory(
        workspace=other_workspace,
        kind=CustomerKind.COMPANY,
        company__legal_name="Sociétéb Étrangère",
    )
    contact_person = PersonFactory(workspace=other_workspace, last_name="Contactb")
    link = CompanyContact.objects.create(
        company=company.company, person=contact_person, role="Gérant"
    )
    vehicle = VehicleFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, vehicle=vehicle, kind="apv", mileage=1000)
    InvoiceLineFactory(invoice=invoice)
    reading = MileageReading.objects.create(
        workspace=other_workspace, vehicle=vehicle, read_on=datetime.date(2025, 1, 10), mileage=900
    )
    job = Job.objects.create(
        owner=other_agent, workspace=other_workspace, kind="export", label="Export B"
    )
    # A customer deleted in B, restorable from its audit entry (crm:customer-restore, trash).
    other_supervisor = UserFactory(
        role=Role.SUPERVISOR,
        organization=other_workspace.organization,
        workspaces=[other_workspace],
    )
    deletion = customer_delete(
        actor=other_supervisor,
        customer=CustomerFactory(
            workspace=other_workspace, person__last_name="Corbeilleb Étrangerb"
        ),
    )
    return {
        "customer": customer,
        "company": company,
        "link": link,
        "vehicle": vehicle,
        "invoice": invoice,
        "reading": reading,
        "activity": ActivityFactory(customer=customer, subject="Appel étrangerb"),
        "note": NoteFactory(customer=customer, body="Note étrangèreb"),
        "lead": LeadFactory(workspace=other_workspace, last_name="Leadb"),
        "job": job,
        "deletion": deletion,
        "url_values": foreign_url_values(other_workspace, other_agent),
    }


def _kwargs_for(pattern, foreign) -> dict:
    values = {
        "customer_id": foreign["company"].public_id
        if "contact" in (pattern.name or "")
        else foreign["customer"].public_id,
        "vehicle_id": foreign["vehicle"].public_id,
        "reading_id": foreign["reading"].public_id,
        "invoice_id": foreign["invoice"].public_id,
        "activity_id": foreign["activity"].public_id,
        "note_id": foreign["note"].public_id,
        "lead_id": foreign["lead"].public_id,
        "contact_id": foreign["link"].pk,
        "public_id": foreign["job"].public_id,
        "entry_id": foreign["deletion"].pk,
        **foreign["url_values"],
    }
    kwargs = {}
    for name in pattern.pattern.regex.groupindex:
        assert name in values, f"URL {pattern.name}: add the kwarg {name!r} to the isolation test"
        kwargs[name] = values[name]
    return kwargs


def _state(workspace):
    """Every row of workspace B with its last change: any write shows up here."""
    state = {}
    scoped = [m for m in sandbox_models() if any(f.name == "workspace" for f in m._meta.fields)]
    for model in {Person, Interaction, *scoped}:
        state[model._meta.label] = sorted(
            model.objects.filter(workspace=workspace).values_list("pk", "updated_at")
        )
    state["CompanyContact"] = sorted(CompanyContact.objects.values_list("pk", "updated_at"))
    state["Job"] = sorted(Job.objects.values_list("pk", "status"))
    state["AuditEntry"] = sorted(
        AuditEntry.objects.filter(workspace=workspace).values_list("pk", "action")
    )
    return state


POST_PAYLOAD = {
    "last_name": "Pirate",
    "first_name": "Pirate",
    "value": "Pirate",
    "subject": "Pirate",
    "make": "Pirate",
    "model": "Pirate",
    "energy": "petrol",
    "mileage": "999999",
    "read_on": "2025-06-01",
    "kind": "call",
    "number": "PIRATE",
}


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_every_record_url_of_another_workspace_is_not_found(
    client, role, agent, supervisor, foreign, other_workspace
):
    client.force_login(agent if role == "agent" else supervisor)
    patterns = record_patterns()
    assert len(patterns) >= 10, "the URL enumeration found too few record pages"
    before = _state(other_workspace)
    for namespace, pattern in patterns:
        url = reverse(f"{namespace}:{pattern.name}", kwargs=_kwargs_for(pattern, foreign))
        get = client.get(url)
        assert get.status_code in (404, 405), (
            f"GET {url} ({pattern.name}) answered {get.status_code}"
        )
        post = client.post(url, POST_PAYLOAD)
        assert post.status_code in (404, 405), (
            f"POST {url} ({pattern.name}) answered {post.status_code}"
        )
    assert _state(other_workspace) == before


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_restoring_another_workspaces_deletion_is_not_found(
    client, role, agent, supervisor, foreign, other_workspace
):
    client.force_login(agent if role == "agent" else supervisor)
    before = _state(other_workspace)
    url = reverse("crm:customer-restore", kwargs={"entry_id": foreign["deletion"].pk})
    assert client.post(url).status_code == 404
    assert _state(other_workspace) == before
    assert not Customer.objects.filter(public_id=foreign["deletion"].target_id).exists()
    if role == "supervisor":
        trash = client.get(reverse("crm:customer-trash"))
        assert trash.status_code == 200
        assert "étrangerb" not in trash.content.decode().lower()


def test_lists_never_show_another_workspace(agent_client, foreign):
    checked = 0
    for namespace, pattern in list_patterns():
        url = reverse(f"{namespace}:{pattern.name}")
        response = agent_client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode().lower()
        for marker in ("étrangerb", "sociétéb", "contactb", "leadb", "note étrangèreb"):
            assert marker not in html, f"{url} shows a record of another workspace ({marker})"
        checked += 1
    assert checked >= 3


def test_another_workspaces_search_finds_nothing(agent_client, foreign):
    response = agent_client.get(reverse("crm:customer-list"), {"q": "Étrangerb"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert str(foreign["customer"].public_id) not in response.content.decode()


def test_a_user_without_workspace_sees_an_explanation(client, organization):
    loner = UserFactory(organization=organization)
    client.force_login(loner)
    response = client.get(reverse("crm:customer-list"))
    assert response.status_code == 403
    assert "Aucun espace de travail" in response.content.decode()
