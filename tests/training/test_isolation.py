"""A learner cannot reach another learner's sandbox by any training URL or API call.

Every URL pattern of the ``training`` namespace is enumerated (whoever wrote it), filled with
the other learner's identifiers, and requested with GET and POST: the answer must be the
same as for identifiers that do not exist at all (404, or 403 for a trainer-only page), and
nothing of the other learner's sandbox may change. The same holds for every CRM API route
under ``/api/workspaces/{id}/`` and for the training API.
"""

import uuid

import pytest
from django.urls import URLPattern, reverse

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import CompanyContact, Person
from relais.core.workspaces.models import Workspace
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from relais.training import urls as training_urls
from relais.training.models import Enrollment, SchoolBase
from tests.factories import ActivityFactory, LeadFactory, NoteFactory

pytestmark = pytest.mark.django_db

# Identifiers of things that belong to no learner: the shared exercise catalogue.
SHARED_KWARGS = {"exercise_id"}


def _state(enrollment: Enrollment) -> dict:
    sandbox = enrollment.sandbox
    enrollment.refresh_from_db()
    return {
        "persons": sorted(
            Person.objects.in_workspace(sandbox).values_list("pk", "last_name", "updated_at")
        ),
        "customers": sorted(Customer.objects.in_workspace(sandbox).values_list("pk", "updated_at")),
        "vehicles": Vehicle.objects.in_workspace(sandbox).count(),
        "invoices": Invoice.objects.in_workspace(sandbox).count(),
        "activities": Activity.objects.in_workspace(sandbox).count(),
        "notes": Note.objects.in_workspace(sandbox).count(),
        "leads": Lead.objects.in_workspace(sandbox).count(),
        "audit": AuditEntry.objects.filter(workspace=sandbox).count(),
        "reset_count": enrollment.reset_count,
        "workspaces": Workspace.objects.count(),
    }


def _training_patterns():
    return [p for p in training_urls.urlpatterns if isinstance(p, URLPattern) and p.name]


def _kwargs_of(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.converters)


def _other_ids(other: Enrollment) -> dict:
    school = SchoolBase.objects.filter(workspace=other.training_class.template).first()
    return {
        "class_id": other.training_class.public_id,
        "sandbox_id": other.sandbox.public_id,
        "workspace_id": other.sandbox.public_id,
        "school_id": school.pk if school else 1,
    }


def _missing_ids() -> dict:
    return {
        "class_id": uuid.uuid4(),
        "sandbox_id": uuid.uuid4(),
        "workspace_id": uuid.uuid4(),
        "school_id": 999_999,
    }


def test_every_training_url_hides_the_other_learners_sandbox(
    learner_client, enrollment, other_enrollment
):
    before = _state(other_enrollment)
    checked = []
    for pattern in _training_patterns():
        names = _kwargs_of(pattern)
        if not names or names & SHARED_KWARGS:
            continue
        other = {name: _other_ids(other_enrollment)[name] for name in names}
        missing = {name: _missing_ids()[name] for name in names}
        other_url = reverse(f"training:{pattern.name}", kwargs=other)
        missing_url = reverse(f"training:{pattern.name}", kwargs=missing)
        for method in ("get", "post"):
            answer = getattr(learner_client, method)(other_url)
            baseline = getattr(learner_client, method)(missing_url)
            assert answer.status_code in (403, 404, 405), (pattern.name, method, answer.status_code)
            assert answer.status_code == baseline.status_code, (pattern.name, method)
            if names & {"sandbox_id", "workspace_id"} and answer.status_code != 405:
                assert answer.status_code == 404, (pattern.name, method)
            body = answer.content.decode(errors="replace")
            assert other_enrollment.sandbox.name not in body
            assert other_enrollment.learner.username not in body
            checked.append((pattern.name, method))
    assert ("sandbox-reset", "post") in checked and ("class-detail", "get") in checked
    assert _state(other_enrollment) == before


def test_training_pages_without_ids_never_show_the_other_learner(
    learner_client, enrollment, other_enrollment
):
    before = _state(other_enrollment)
    for pattern in _training_patterns():
        if _kwargs_of(pattern):
            continue
        url = reverse(f"training:{pattern.name}")
        for method in ("get", "post"):
            response = getattr(learner_client, method)(url)
            assert response.status_code < 500, (pattern.name, method)
            body = response.content.decode(errors="replace")
            assert other_enrollment.sandbox.name not in body, pattern.name
            assert str(other_enrollment.sandbox.public_id) not in body, pattern.name
    assert _state(other_enrollment) == before


def test_the_learner_cannot_switch_into_the_other_sandbox(
    learner_client, enrollment, other_enrollment
):
    response = learner_client.post(
        reverse("workspaces:switch"), {"workspace": str(other_enrollment.sandbox.public_id)}
    )
    assert response.status_code == 404


# --- REST API --------------------------------------------------------------------------------


def _records_of(sandbox, learner) -> dict:
    customer = Customer.objects.in_workspace(sandbox).first()
    vehicle = Vehicle.objects.in_workspace(sandbox).first()
    invoice = Invoice.objects.in_workspace(sandbox).first()
    reading = MileageReading.objects.in_workspace(sandbox).first()
    activity = Activity.objects.in_workspace(sandbox).first() or ActivityFactory(
        workspace=sandbox, customer=customer
    )
    note = Note.objects.in_workspace(sandbox).first() or NoteFactory(
        workspace=sandbox, customer=customer
    )
    lead = Lead.objects.in_workspace(sandbox).first() or LeadFactory(workspace=sandbox)
    contact = CompanyContact.objects.filter(company__workspace=sandbox).first()
    return {
        "workspace_id": sandbox.public_id,
        "customer_id": customer.public_id,
        "vehicle_id": vehicle.public_id,
        "invoice_id": invoice.public_id,
        "reading_id": reading.public_id if reading else uuid.uuid4(),
        "activity_id": activity.public_id,
        "note_id": note.public_id,
        "lead_id": lead.public_id,
        "contact_id": contact.person.public_id if contact else uuid.uuid4(),
    }


def _api_routes():
    from relais.api import api

    for entry in api.urls[0]:
        route = str(entry.pattern)
        if route.startswith("workspaces/<uuid:workspace_id>/") or route.startswith("training/"):
            yield route, entry.pattern.converters


def _fill(route: str, values: dict) -> str:
    import re

    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def test_the_crm_api_hides_the_other_sandbox(learner_client, enrollment, other_enrollment):
    other = _records_of(other_enrollment.sandbox, other_enrollment.learner)
    before = _state(other_enrollment)
    missing = {name: uuid.uuid4() for name in other}
    routes = {route for route, _ in _api_routes() if route.startswith("workspaces/")}
    assert len(routes) > 10
    for route in sorted(routes):
        for method in ("get", "post", "put", "patch", "delete"):
            answer = getattr(learner_client, method)(
                _fill(route, other), data={}, content_type="application/json"
            )
            baseline = getattr(learner_client, method)(
                _fill(route, missing), data={}, content_type="application/json"
            )
            assert answer.status_code == baseline.status_code, (route, method)
            assert answer.status_code in (404, 405, 422), (route, method, answer.status_code)
            if method == "get" and answer.status_code != 405:
                assert answer.status_code == 404, route
    assert _state(other_enrollment) == before
    # The learner's own sandbox answers through the same routes.
    own = learner_client.get(f"/api/workspaces/{enrollment.sandbox.public_id}/customers")
    assert own.status_code == 200


@pytest.fixture
def training_api_prefix(settings):
    """``/api/training/`` once the lead mounts the router; a test mount until then."""
    from relais.api import api

    if any(prefix.startswith("training") for prefix, _router in api._routers):
        return "/api/training/"
    import sys
    import types

    from django.urls import path
    from ninja import NinjaAPI
    from ninja.security import django_auth

    from relais.core.accounts.api_auth import ApiTokenAuth
    from relais.core.api import install_error_handlers
    from relais.training.api import router

    module = sys.modules.get("tests.training._api_urls")
    if module is None:
        test_api = NinjaAPI(urls_namespace="training-test", auth=[ApiTokenAuth(), django_auth])
        install_error_handlers(test_api)
        test_api.add_router("training/", router)
        module = types.ModuleType("tests.training._api_urls")
        module.urlpatterns = [path("api-test/", test_api.urls)]
        sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    return "/api-test/training/"


def test_the_training_api_is_scoped(
    training_api_prefix, learner_client, enrollment, other_enrollment
):
    mine = learner_client.get(f"{training_api_prefix}sandboxes/")
    assert mine.status_code == 200
    assert [row["id"] for row in mine.json()] == [str(enrollment.sandbox.public_id)]
    before = _state(other_enrollment)
    response = learner_client.post(
        f"{training_api_prefix}sandboxes/{other_enrollment.sandbox.public_id}/reset"
    )
    assert response.status_code == 404 and response.json()["detail"] == "Bac à sable introuvable."
    assert _state(other_enrollment) == before
    response = learner_client.post(
        f"{training_api_prefix}sandboxes/{enrollment.sandbox.public_id}/reset"
    )
    assert response.status_code == 200 and response.json()["reset_count"] == 1
    assert learner_client.get(f"{training_api_prefix}classes/").status_code == 403
    progress = f"{training_api_prefix}classes/{other_enrollment.training_class.public_id}/progress"
    assert learner_client.get(progress).status_code == 404


def test_the_trainer_reads_progress_through_the_api(
    trainer_client, enrollment, training_class, training_api_prefix
):
    response = trainer_client.get(
        f"{training_api_prefix}classes/{training_class.public_id}/progress"
    )
    assert response.status_code == 200
    row = response.json()[0]
    assert row["learner"] == "apprenant" and row["customer_count"] == 10
