"""Work done in the background, in a real browser: the observed view of a large log (the size
threshold lowered to the small log's) computed by a job the page starts by itself, then shown;
and the progress page of a recommendation set still being ranked. axe-core checks each page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.jobs.models import Job, JobStatus
from relais.journeys.eventlog_store import store_frame
from relais.journeys.models import EventLog, EventLogStatus, RecommendationSet
from relais.journeys.observed import Filters, observed_invalidate, observed_job_mark
from relais.journeys.recommendations import validate_assumptions
from relais.journeys.services_logs import OBSERVED_JOB_KIND
from relais.journeys.services_recommendations import RANKING_JOB_KIND
from tests.e2e.conftest import assert_accessible
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory
from tests.journeys.reco_logs import reco_frame

pytestmark = pytest.mark.e2e


@pytest.fixture
def analyst(transactional_db):
    organization = OrganizationFactory(name="Sécurité sociale des artistes auteurs", slug="ssaa")
    workspace = WorkspaceFactory(organization=organization, name="Relation affiliés")
    user = UserFactory(
        username="analyste", role=Role.SUPERVISOR, organization=organization, workspaces=[workspace]
    )
    log = EventLog.objects.create(
        organization=organization, name="Affiliations — janvier", status=EventLogStatus.READY
    )
    store_frame(log, reco_frame())
    return user


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


def test_a_large_view_is_computed_in_the_background_then_shown(page, login, analyst, settings):
    settings.JOURNEYS_OBSERVED_SYNC_MAX_EVENTS = 3
    log = EventLog.objects.get()
    login(analyst)
    page.goto(f"/parcours/journaux/{log.public_id}/")
    # The page starts the job by itself; the test server runs it at once, then the view.
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Parcours observés : Affiliations — janvier"
    )
    expect(page.locator("#chart-graph canvas")).to_have_count(1, timeout=20_000)
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.owner == analyst
    assert_accessible(page)


def test_the_progress_pages_are_accessible(page, login, analyst, settings):
    log = EventLog.objects.get()
    workspace = analyst.memberships.first().workspace
    job = Job.objects.create(
        owner=analyst,
        workspace=workspace,
        kind=RANKING_JOB_KIND,
        label="Calcul",
        status=JobStatus.RUNNING,
        total=3,
        done=1,
    )
    ranked = RecommendationSet.objects.create(
        organization=log.organization,
        event_log=log,
        name="Pistes de janvier",
        job=job,
        assumptions=validate_assumptions({}),
    )
    login(analyst)
    page.goto(f"/parcours/recommandations/{ranked.public_id}/")
    expect(page.get_by_role("status")).to_contain_text("Calcul du classement en cours… 1 / 3")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")
    assert_accessible(page)
    # The job ends: the polling page turns into the ranking by itself.
    RecommendationSet.objects.filter(pk=ranked.pk).update(
        ranking={"recommendations": [], "log": {}}, computed_at=timezone.now()
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, done=3)
    expect(page.get_by_role("heading", name="Pistes classées par gain")).to_be_visible(
        timeout=10_000
    )

    # The observed view's progress page while a job computes it (another reader's).
    settings.JOURNEYS_OBSERVED_SYNC_MAX_EVENTS = 3
    observed_invalidate(log)
    running = Job.objects.create(
        owner=analyst,
        workspace=workspace,
        kind=OBSERVED_JOB_KIND,
        label="Vue",
        status=JobStatus.RUNNING,
        total=6,
        done=2,
    )
    observed_job_mark(log, Filters(), str(running.public_id))
    page.goto(f"/parcours/journaux/{log.public_id}/")
    expect(page.get_by_role("status")).to_contain_text("Calcul de la vue en cours… 2 / 6")
    expect(page.get_by_text("sa vue est calculée en tâche de fond")).to_be_visible()
    assert_accessible(page)
