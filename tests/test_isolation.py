"""Isolation through every UI page and API route, enumerated from the URL configuration.

Users of organization A (agent, supervisor, trainer, administrator, learner) ask for each
record of organization B through every URL pattern that names a record, in every URL
namespace the resolver knows: the answer is "not found" (or "method not allowed"), and nothing of B
changes. Lists of A never show B's records. A new app's namespace is covered as soon as its
URLs are included; a URL keyword with no known foreign value fails the test until a
``tests/isolation_extra/<app>.py`` module gives one.
"""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relais.core.accounts.roles import Role
from relais.core.contacts.models import CompanyContact
from relais.core.jobs.models import Job, JobStatus
from relais.core.jobs.services import job_attach_file
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.models import Customer, CustomerKind, MileageReading
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
    WorkspaceFactory,
)
from tests.isolation_extra import foreign_url_values
from tests.isolation_state import organization_state, state_difference

# Namespaces whose pages name no record of a workspace or an organization; every other
# namespace of the URL configuration is swept. Keep a reason next to each exclusion.
EXCLUDED_NAMESPACES = {
    None: "the root redirect, i18n's set_language and the public branding files",
    "admin": "Django's admin site: superusers only, outside the product's access rules",
    "accounts": "login and logout: they name no record",
}

# Roles of organization A that reach record pages. The learner works in a sandbox of A;
# tests/training/test_isolation.py also sweeps a learner against a classmate's sandbox.
SWEPT_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TRAINER, Role.ADMINISTRATOR, Role.LEARNER)

# "Not found" and "method not allowed" are always right. The answers below are accepted only
# when the same URL naming records that exist nowhere answers the same: they then say
# nothing about B's record.
NEUTRAL_ANSWERS = {
    403: "the role lacks the page's permission altogether (refused before any look-up)",
    422: "the JSON API refused the request body before looking anything up",
}

# The HTTP methods tried on each record URL (the JSON API also has PUT, PATCH, DELETE).
HTML_METHODS = ("get", "post")
API_METHODS = ("get", "post", "put", "patch", "delete")


def url_patterns(resolver=None, namespace=None):
    """``(namespace, pattern)`` for every named URL pattern of every namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            if inner and namespace:
                inner = f"{namespace}:{inner}"
            yield from url_patterns(entry, inner or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def swept_patterns():
    """The named patterns of every namespace not excluded above."""
    swept = []
    for namespace, pattern in url_patterns():
        if namespace in EXCLUDED_NAMESPACES:
            continue
        assert pattern.name, (
            f"an unnamed URL pattern {pattern.pattern} in namespace {namespace!r}: name it so "
            "the isolation sweep can reverse it"
        )
        swept.append((namespace, pattern))
    return swept


def record_patterns():
    return [(ns, p) for ns, p in swept_patterns() if p.pattern.regex.groupindex]


def list_patterns():
    return [(ns, p) for ns, p in swept_patterns() if not p.pattern.regex.groupindex]


def kwargs_for(namespace, pattern, values: dict) -> dict:
    """The URL keywords of ``pattern`` from ``values``; a ``"namespace:kwarg"`` key wins."""
    kwargs = {}
    for name in pattern.pattern.regex.groupindex:
        key = f"{namespace}:{name}"
        if key not in values:
            key = name
        assert key in values, (
            f"URL {namespace}:{pattern.name} takes the keyword {name!r}, for which the isolation "
            f"test knows no record of another organization: add a module "
            f"tests/isolation_extra/<app>.py whose foreign_records(workspace, agent) returns "
            f"{{{name!r}: <value naming one of B's records>}} (and own_records for the "
            "no-write-on-GET sweep); see tests/isolation_extra/__init__.py"
        )
        kwargs[name] = values[key]
    return kwargs


def missing_values(values: dict) -> dict:
    """The same keywords naming records that exist nowhere."""
    return {
        key: 999_999 if isinstance(value, int) else uuid.uuid4() for key, value in values.items()
    }


def users_of_a(workspace, agent, supervisor) -> dict:
    """One user of A per swept role, each a member of workspace A (a learner: of a sandbox)."""
    organization = workspace.organization
    users = {Role.AGENT: agent, Role.SUPERVISOR: supervisor}
    sandbox = WorkspaceFactory(
        organization=organization, name="Bac à sable de A", kind=WorkspaceKind.SANDBOX
    )
    for role in SWEPT_ROLES:
        if role not in users:
            users[role] = UserFactory(
                username=f"a-{role}",
                role=role,
                organization=organization,
                workspaces=[sandbox if role == Role.LEARNER else workspace],
            )
    return users


@pytest.fixture
def foreign(other_workspace, other_agent):
    """One record of every kind in workspace B, and B's training records."""
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
        owner=other_agent,
        workspace=other_workspace,
        kind="export",
        label="Export B",
        status=JobStatus.SUCCEEDED,
    )
    job_attach_file(job, filename="export-b.csv", content="nom\nÉtrangerb\n")
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
    activity = ActivityFactory(customer=customer, subject="Appel étrangerb")
    note = NoteFactory(customer=customer, body="Note étrangèreb")
    lead = LeadFactory(workspace=other_workspace, last_name="Leadb")
    records = {
        "customer": customer,
        "company": company,
        "person": contact_person,
        "vehicle": vehicle,
        "invoice": invoice,
        "lead": lead,
        "deletion": deletion,
        "organization": other_workspace.organization,
        "workspace": other_workspace,
        "agent": other_agent,
    }
    records["url_values"] = {
        "customer_id": customer.public_id,
        "vehicle_id": vehicle.public_id,
        "reading_id": reading.public_id,
        "invoice_id": invoice.public_id,
        "activity_id": activity.public_id,
        "note_id": note.public_id,
        "lead_id": lead.public_id,
        "contact_id": link.pk,
        "public_id": job.public_id,
        "entry_id": deletion.pk,
        "workspace_id": other_workspace.public_id,
        # The JSON API names a company's contact by the person's public id.
        "api:contact_id": contact_person.public_id,
        **foreign_url_values(other_workspace, other_agent),
    }
    return records


def _values_for(pattern, foreign) -> dict:
    values = dict(foreign["url_values"])
    if "contact" in (pattern.name or ""):
        # Contact pages live under a company customer.
        values["customer_id"] = foreign["company"].public_id
    return values


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


def _request(client, namespace, method, url):
    if namespace == "api" and method != "get":
        return getattr(client, method)(url, data={}, content_type="application/json")
    if method == "post":
        return client.post(url, POST_PAYLOAD)
    return getattr(client, method)(url)


def test_every_record_url_of_another_organization_is_not_found(
    workspace, agent, supervisor, foreign
):
    """Every record URL of every namespace, with B's ids, as each role of A."""
    patterns = record_patterns()
    namespaces = {ns for ns, _ in patterns}
    assert {"crm", "jobs", "training", "api"} <= namespaces, namespaces
    before = organization_state(foreign["organization"])
    failures = []
    for role, user in users_of_a(workspace, agent, supervisor).items():
        client = Client()
        client.force_login(user)
        tried = set()
        for namespace, pattern in patterns:
            values = _values_for(pattern, foreign)
            url = reverse(
                f"{namespace}:{pattern.name}", kwargs=kwargs_for(namespace, pattern, values)
            )
            if url in tried:  # the JSON API names one route once per operation
                continue
            tried.add(url)
            for method in API_METHODS if namespace == "api" else HTML_METHODS:
                answer = _request(client, namespace, method, url).status_code
                if answer in (404, 405):
                    continue
                if answer in NEUTRAL_ANSWERS:
                    missing = reverse(
                        f"{namespace}:{pattern.name}",
                        kwargs=kwargs_for(namespace, pattern, missing_values(values)),
                    )
                    baseline = _request(client, namespace, method, missing).status_code
                    if baseline == answer:
                        continue
                    answer = f"{answer} (but {baseline} for records that exist nowhere)"
                failures.append(
                    f"{role}: {method.upper()} {url} ({pattern.name}) answered {answer}"
                )
    assert not failures, "\n".join(failures)
    assert not state_difference(before, organization_state(foreign["organization"]))


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_restoring_another_workspaces_deletion_is_not_found(
    client, role, agent, supervisor, foreign, other_workspace
):
    client.force_login(agent if role == "agent" else supervisor)
    before = organization_state(foreign["organization"])
    url = reverse("crm:customer-restore", kwargs={"entry_id": foreign["deletion"].pk})
    assert client.post(url).status_code == 404
    assert not state_difference(before, organization_state(foreign["organization"]))
    assert not Customer.objects.filter(public_id=foreign["deletion"].target_id).exists()
    if role == "supervisor":
        trash = client.get(reverse("crm:customer-trash"))
        assert trash.status_code == 200
        assert "étrangerb" not in trash.content.decode().lower()


# Words found only in B's records (names, subjects, segment, training labels, B's workspace).
FOREIGN_MARKERS = ("étrangerb", "étrangèreb", "sociétéb", "contactb", "leadb", "de rennes")


def test_lists_never_show_another_organization(workspace, agent, supervisor, foreign):
    checked = 0
    for role, user in users_of_a(workspace, agent, supervisor).items():
        client = Client()
        client.force_login(user)
        for namespace, pattern in list_patterns():
            url = reverse(f"{namespace}:{pattern.name}")
            response = client.get(url)
            assert response.status_code < 500, f"{role}: GET {url} answered {response.status_code}"
            if response.status_code != 200 or response.streaming:
                continue
            body = response.content.decode(errors="replace").lower()
            for marker in FOREIGN_MARKERS:
                assert marker not in body, f"{role}: {url} shows a record of B ({marker})"
            for value in foreign["url_values"].values():
                if not isinstance(value, int):
                    assert str(value) not in body, f"{role}: {url} shows B's id {value}"
            checked += 1
    assert checked >= 20


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


def test_every_namespace_is_swept_or_excluded_with_a_reason():
    namespaces = {ns for ns, _ in url_patterns()}
    swept = {ns for ns, _ in swept_patterns()}
    assert namespaces - swept <= set(EXCLUDED_NAMESPACES)
    assert {"crm", "jobs", "training", "workspaces", "api"} <= swept
    assert all(EXCLUDED_NAMESPACES.values())


def test_an_unknown_url_keyword_says_where_to_add_its_foreign_value():
    from django.urls import path

    pattern = path("nouveau/<uuid:thread_id>/", lambda request, thread_id: None, name="thread")
    with pytest.raises(AssertionError, match=r"tests/isolation_extra/<app>\.py"):
        kwargs_for("community", pattern, {"customer_id": uuid.uuid4()})
    # A namespaced value wins over the plain keyword for that namespace only.
    values = {"thread_id": 1, "community:thread_id": 2}
    assert kwargs_for("community", pattern, values) == {"thread_id": 2}
    assert kwargs_for("forum", pattern, values) == {"thread_id": 1}
