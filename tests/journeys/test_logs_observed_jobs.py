"""Observed views of a large log: not computed in the request but by a background job, the
page showing its progress (polled) and then the view; a small log's view stays in the
request. The size threshold is lowered to the hand-made log's size for the test."""

import pytest
from django.test import Client
from django.urls import reverse

from relais.core.jobs.models import Job, JobStatus
from relais.journeys.models import EventLogSource
from relais.journeys.observed import Filters, observed_cached, observed_invalidate
from relais.journeys.services_logs import OBSERVED_JOB_KIND, log_store_frame
from tests.journeys.test_logs_observed import _frame

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def large_log(organization, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log = log_store_frame(
            actor=None,
            organization=organization,
            name="Grand",
            source=EventLogSource.FILE,
            frame=_frame(),
        )
    observed_invalidate(log)  # as after an upgrade of the cache's format: nothing cached
    settings.JOURNEYS_OBSERVED_SYNC_MAX_EVENTS = 5  # the log has 7 events
    return log


def _detail(log, query=""):
    url = reverse("journeys:log-detail", kwargs={"log_id": log.public_id})
    return f"{url}?{query}" if query else url


def test_a_small_log_is_computed_in_the_request(supervisor_client, large_log, settings):
    settings.JOURNEYS_OBSERVED_SYNC_MAX_EVENTS = 100
    page = supervisor_client.get(_detail(large_log)).content.decode()
    assert 'id="chart-graph"' in page and not Job.objects.exists()


def test_a_large_view_is_computed_by_a_job_with_a_progress_page(
    supervisor_client, large_log, django_capture_on_commit_callbacks
):
    # The GET writes nothing: it shows the page that starts the job by itself (a POST).
    page = supervisor_client.get(_detail(large_log)).content.decode()
    assert "sa vue est calculée en tâche de fond" in page
    assert 'hx-trigger="load"' in page and "Calculer la vue" in page
    assert not Job.objects.exists() and observed_cached(large_log) is None
    compute = reverse("journeys:log-compute", kwargs={"log_id": large_log.public_id})

    # Started, not run yet: the fragment shows the progress and polls.
    fragment = supervisor_client.post(compute, {"query": ""}, headers=HTMX).content.decode()
    job = Job.objects.get()
    assert job.kind == OBSERVED_JOB_KIND and job.status == JobStatus.PENDING
    assert 'hx-trigger="every 1s"' in fragment and "Calcul de la vue en cours" in fragment
    polled = supervisor_client.get(_detail(large_log), headers=HTMX)
    assert polled.status_code == 200 and "Calcul de la vue en cours" in polled.content.decode()
    # Asking again follows the same job.
    supervisor_client.post(compute, {"query": ""}, headers=HTMX)
    assert Job.objects.count() == 1

    # The worker runs it: progress 6 / 6, the view is cached, the poll asks for a reload.
    job.delete()
    with django_capture_on_commit_callbacks(execute=True):
        supervisor_client.post(compute, {"query": ""}, headers=HTMX)
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and (job.done, job.total) == (6, 6)
    assert observed_cached(large_log)["n_events"] == 7
    polled = supervisor_client.get(_detail(large_log), headers=HTMX)
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    assert 'id="chart-graph"' in supervisor_client.get(_detail(large_log)).content.decode()
    # Asking for a view already computed starts nothing: the page just reloads.
    again = supervisor_client.post(compute, {"query": ""}, headers=HTMX)
    assert again.status_code == 204 and Job.objects.count() == 1

    # A filtered view not computed yet: its own job, then its page.
    query = "segment=branch%3Dphoto"
    page = supervisor_client.get(_detail(large_log, query)).content.decode()
    assert "Calculer la vue" in page and 'name="query" value="segment=branch%3Dphoto"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(compute, {"query": query})
    assert response.status_code == 302 and response["Location"].endswith("?" + query)
    assert (
        observed_cached(large_log, Filters(segment="branch", segment_value="photo"))["n_cases"] == 1
    )
    page = supervisor_client.get(_detail(large_log, query)).content.decode()
    assert "Tout voir" in page and 'id="chart-graph"' in page


def test_a_failed_job_is_shown_with_a_button_to_try_again(supervisor_client, large_log):
    compute = reverse("journeys:log-compute", kwargs={"log_id": large_log.public_id})
    supervisor_client.post(compute, {"query": ""})
    Job.objects.update(status=JobStatus.FAILED, message="mémoire insuffisante")
    page = supervisor_client.get(_detail(large_log)).content.decode()
    assert "Le calcul de cette vue a échoué" in page and "mémoire insuffisante" in page
    assert "Relancer le calcul" in page and 'hx-trigger="load"' not in page
    supervisor_client.post(compute, {"query": ""})
    assert Job.objects.filter(status=JobStatus.PENDING).count() == 1


def test_another_organization_cannot_start_or_see_the_job(large_log, other_agent):
    client = Client()
    client.force_login(other_agent)
    compute = reverse("journeys:log-compute", kwargs={"log_id": large_log.public_id})
    assert client.post(compute, {"query": ""}).status_code in (403, 404)
    assert client.get(_detail(large_log)).status_code in (403, 404)
    assert not Job.objects.exists()


def test_an_agent_may_compute_a_view_but_a_get_never_starts_one(agent_client, large_log):
    agent_client.get(_detail(large_log))
    assert not Job.objects.exists()
    compute = reverse("journeys:log-compute", kwargs={"log_id": large_log.public_id})
    agent_client.post(compute, {"query": ""})
    assert Job.objects.get().owner.username == "agent"
