"""No write on a GET: every page and API route, read by every role, leaves the data as it was.

Each demo-like role (agent, supervisor, trainer, learner, administrator) signs in with data
present and GETs every parameterless URL of every namespace, then every record URL filled
with its own records; the SQL run during each request is captured and any INSERT, UPDATE or
DELETE fails the test (a GET that must change something is a POST action, or renders
without saving).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.contacts.models import CompanyContact
from relais.core.jobs.models import Job, JobStatus
from relais.core.jobs.services import job_attach_file
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.models import CustomerKind, MileageReading
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
from tests.isolation_extra import own_url_values
from tests.test_isolation import kwargs_for, url_patterns

# Tables a GET may write to, and why.
ALLOWED_TABLES = {
    # The session remembers the current workspace and the launching LMS's origin.
    "django_session",
    # django-axes records sign-in attempts (only on the login page's POST, listed in case).
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}

# Patterns not requested: they name no page of the product.
SKIPPED = {
    "admin": "Django's admin site (superusers only, not part of the product)",
}

# Query strings some pages read, requested too ("{keyword}" is the user's own record).
QUERIES = {
    "crm:agenda-events": {"start": "2025-06-01T00:00:00+02:00", "end": "2025-07-01T00:00:00+02:00"},
    "crm:agenda-customers": {"q": "Lecture"},
    "crm:appointment-create": {"customer": "{customer_id}", "start": "2025-06-20T10:00:00+02:00"},
    "crm:campaign-create": {"client": "{customer_id}", "segment": "{segment_id}"},
    "crm:campaign-detail": {"destinataire": "{customer_id}"},
    "crm:campaign-inbox": {"etat": "non-lus"},
    "crm:segment-detail": {"format": "json"},
    "crm:customer-list": {"q": "Lecture", "tri": "-name"},
    "crm:customer-create": {"type": "company"},
    "crm:invoice-create": {"type": "apv"},
    "crm:dedup-list": {"avancement": "1"},
    "crm:cleaning": {"operations": "names"},
    "crm:dashboard": {"focus": "x"},
    "training:school-anomalies": {"format": "csv"},
    "training:class-results": {"format": "csv"},
    "training:exercise-detail": {"lms": "https://lms.exemple.fr/cours"},
}

# Headers some pages answer differently to (HTMX fragments).
HTMX = {"HTTP_HX_REQUEST": "true"}

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TRAINER, Role.LEARNER, Role.ADMINISTRATOR)

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _own_crm_values(workspace, user) -> dict:
    """One CRM record of every kind in the user's workspace, by URL keyword."""
    customer = CustomerFactory(workspace=workspace, person__last_name="Lecture")
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    link = CompanyContact.objects.create(
        company=company.company, person=PersonFactory(workspace=workspace), role="Gérant"
    )
    vehicle = VehicleFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, vehicle=vehicle, kind="apv", mileage=1000)
    InvoiceLineFactory(invoice=invoice)
    reading = MileageReading.objects.create(
        workspace=workspace, vehicle=vehicle, read_on=datetime.date(2025, 1, 10), mileage=900
    )
    job = Job.objects.create(
        owner=user, workspace=workspace, kind="export", label="Export", status=JobStatus.SUCCEEDED
    )
    job_attach_file(job, filename="export.csv", content="nom\nLecture\n")
    deleter = UserFactory(
        role=Role.SUPERVISOR, organization=workspace.organization, workspaces=[workspace]
    )
    deletion = customer_delete(actor=deleter, customer=CustomerFactory(workspace=workspace))
    return {
        "customer_id": customer.public_id,
        "vehicle_id": vehicle.public_id,
        "reading_id": reading.public_id,
        "invoice_id": invoice.public_id,
        "activity_id": ActivityFactory(customer=customer).public_id,
        "note_id": NoteFactory(customer=customer).public_id,
        "lead_id": LeadFactory(workspace=workspace).public_id,
        "contact_id": link.pk,
        "public_id": job.public_id,
        "entry_id": deletion.pk,
        "workspace_id": workspace.public_id,
        "api:contact_id": link.person.public_id,
        "company_id": company.public_id,
    }


def _user_with_data(organization, role):
    """A user of ``role`` with a workspace of their own (a sandbox for a learner) and data."""
    kind = WorkspaceKind.SANDBOX if role == Role.LEARNER else WorkspaceKind.LIVE
    workspace = WorkspaceFactory(organization=organization, name=f"Espace {role}", kind=kind)
    user = UserFactory(
        username=f"lecteur-{role}", role=role, organization=organization, workspaces=[workspace]
    )
    values = {**_own_crm_values(workspace, user), **own_url_values(workspace, user)}
    return user, values


def _writes(queries) -> list[str]:
    writes = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2).lower() not in ALLOWED_TABLES:
            writes.append(query["sql"][:160])
    return writes


@pytest.mark.django_db
def test_no_page_writes_on_a_get(organization):
    users = [_user_with_data(organization, role) for role in ROLES]
    patterns = [(ns, p) for ns, p in url_patterns() if p.name and ns not in SKIPPED]
    failures, answered = [], 0
    for user, values in users:
        client = Client()
        client.force_login(user)
        # The first request settles the session (current workspace): not a page's write.
        client.get(reverse("crm:customer-list"))
        tried = set()
        for namespace, pattern in patterns:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            if name == "accounts:logout":
                continue  # ends the session the sweep runs in (and is POST only anyway)
            local = dict(values)
            if "contact" in pattern.name:
                local["customer_id"] = values["company_id"]
            if pattern.pattern.regex.groupindex:
                if "path" in pattern.pattern.regex.groupindex:
                    continue  # public branding files, not a page
                url = reverse(name, kwargs=kwargs_for(namespace, pattern, local))
            else:
                url = reverse(name)
            if url in tried:
                continue
            tried.add(url)
            query = {
                key: str(values[value[1:-1]]) if value.startswith("{") else value
                for key, value in QUERIES.get(name, {}).items()
            }
            variants = [({}, {}), ({}, HTMX)] + ([(query, {}), (query, HTMX)] if query else [])
            for params, headers in variants:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url, params, **headers)
                    if response.streaming:
                        b"".join(response.streaming_content)
                assert response.status_code < 500, f"{user.username}: GET {url} answered 500"
                answered += response.status_code == 200
                for sql in _writes(captured.captured_queries):
                    failures.append(f"{user.username}: GET {url}?{params} ({name}) wrote: {sql}")
    assert not failures, "\n".join(failures)
    assert answered >= 300, f"only {answered} pages answered 200: the sweep reaches too little"
