"""Recommendation pages end to end: compute from a ready log, the ranked list, one
recommendation with its evidence, gain and what-if, assumptions edited (French errors,
nothing changed on error), recompute, delete, the PDF — and another organization's users
reading or changing nothing."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.journeys import services_recommendations as services
from relais.journeys.eventlog_store import store_frame
from relais.journeys.models import EventLog, EventLogStatus, RecommendationSet
from tests.factories import UserFactory, WorkspaceFactory
from tests.journeys.reco_logs import reco_frame

pytestmark = pytest.mark.django_db


def ready_log(organization, name="Affiliations — janvier"):
    log = EventLog.objects.create(organization=organization, name=name, status=EventLogStatus.READY)
    return store_frame(log, reco_frame())


@pytest.fixture
def log(organization):
    return ready_log(organization)


@pytest.fixture
def computed(log, supervisor, organization):
    return services.recommendation_set_compute(
        actor=supervisor,
        organization=organization,
        event_log=log,
        assumptions={"expected_ends": ["Décision"]},
    )


@pytest.fixture
def stranger_client(client):
    """A supervisor of another body."""
    workspace = WorkspaceFactory(name="Autre organisme")
    user = UserFactory(
        username="etranger",
        role=Role.SUPERVISOR,
        organization=workspace.organization,
        workspaces=[workspace],
    )
    client.force_login(user)
    return client


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what a request queued on commit (the ranking job), as the worker would."""

    def call(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return call


def test_compute_from_a_ready_log_then_read_the_ranking(
    supervisor_client, log, organization, run_jobs
):
    page = supervisor_client.get(_url("recommendation-list")).content.decode()
    assert "Aucune analyse pour l'instant." in page and log.name in page
    # The request only starts the job: the set's page shows its progress meanwhile.
    response = supervisor_client.post(
        _url("recommendation-list"), {"event_log": str(log.public_id), "name": ""}
    )
    created = RecommendationSet.objects.get(organization=organization)
    assert response.status_code == 302
    assert response["Location"] == _url("recommendation-set", set_id=created.public_id)
    assert created.name == "Recommandations — Affiliations — janvier"
    assert created.state == "computing" and created.job.kind == services.RANKING_JOB_KIND
    assert created.computed_at is None and not created.recommendations
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "Calcul du classement en cours" in page and 'hx-trigger="every 1s"' in page
    polled = supervisor_client.get(response["Location"], headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "Calcul du classement en cours" in polled.content.decode()
    assert "Calcul en cours" in supervisor_client.get(_url("recommendation-list")).content.decode()
    created.delete()

    response = run_jobs(
        supervisor_client.post,
        _url("recommendation-list"),
        {"event_log": str(log.public_id), "name": ""},
    )
    created = RecommendationSet.objects.get(organization=organization)
    assert created.state == "ready" and created.job.status == "succeeded"
    assert (created.job.done, created.job.total) == (3, 3)
    assert created.computed_at is not None and created.recommendations
    for action in ("journeys.recommendations.compute", "journeys.recommendations.ranked"):
        assert AuditEntry.objects.filter(action=action, target_id=str(created.public_id)).exists()
    polled = supervisor_client.get(response["Location"], headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "Pistes classées par gain" in page
    assert "Attente avant l&#x27;étape « Examen »" in page
    assert "Changement de procédure" in page


def test_a_recommendation_shows_evidence_gain_and_what_if(supervisor_client, computed):
    first = computed.recommendations[0]
    url = _url("recommendation-detail", set_id=computed.public_id, key=first["key"])
    page = supervisor_client.get(url).content.decode()
    assert "Recommandation n° 1 : Changement de procédure" in page
    assert "Attente moyenne (jours)" in page and "6,5" in page
    assert "Dossiers concernés (exemples) : A, B, C" in page
    assert "3\u202f510" in page  # the gain
    assert 'id="what-if"' in page
    assert "Durée moyenne d&#x27;un dossier (jours)" in page
    assert "5,70" in page and "4,14" in page and "\u22121,56" in page


def test_an_unknown_recommendation_is_not_found(supervisor_client, computed):
    url = _url("recommendation-detail", set_id=computed.public_id, key="0123456789ab")
    assert supervisor_client.get(url).status_code == 404


def test_assumption_errors_are_french_and_change_nothing(supervisor_client, computed):
    url = _url("recommendation-set", set_id=computed.public_id)
    form = supervisor_client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(
        {
            "handling_minutes__phone": "abc",
            "avoided_share__callback": "150",
            "waiting_day_minutes": "-3",
        }
    )
    response = supervisor_client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez un nombre." in page
    assert "Assurez-vous que cette valeur est inférieure ou égale à 100." in page
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in page
    before = computed.ranking
    computed.refresh_from_db()
    assert computed.ranking == before
    assert computed.assumptions["handling_minutes"]["phone"] == 8.0


def test_volumes_without_a_volume_is_a_french_error(supervisor_client, computed):
    url = _url("recommendation-set", set_id=computed.public_id)
    form = supervisor_client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["annualisation"] = "volumes"
    response = supervisor_client.post(url, data)
    assert response.status_code == 400
    assert "au moins un canal" in response.content.decode()


def test_edited_assumptions_recompute_the_ranking(supervisor_client, computed, run_jobs):
    url = _url("recommendation-set", set_id=computed.public_id)
    form = supervisor_client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"waiting_day_minutes": "0", "satisfaction_weight__relance": "10"})
    response = run_jobs(supervisor_client.post, url, data)
    assert response.status_code == 302
    computed.refresh_from_db()
    assert computed.assumptions["waiting_day_minutes"] == 0
    assert computed.assumptions["expected_ends"] == ["Décision"]  # kept from the form
    first = computed.recommendations[0]
    assert (first["lever"], first["kind"]) == ("proactive_notice", "relance")
    assert AuditEntry.objects.filter(action="journeys.recommendations.assumptions").exists()


def test_the_pdf_is_the_ranked_deliverable(supervisor_client, computed):
    response = supervisor_client.get(_url("recommendation-set-pdf", set_id=computed.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Livrable 3 — Recommandations classées par gain" in text
    assert "Attente avant l'étape « Examen »" in text
    assert "Changement de procédure" in text
    assert "3 510" in text


def test_recompute_and_delete(supervisor_client, computed, run_jobs):
    response = run_jobs(
        supervisor_client.post, _url("recommendation-set-recompute", set_id=computed.public_id)
    )
    assert response.status_code == 302
    computed.refresh_from_db()
    assert computed.state == "ready" and computed.job.status == "succeeded"
    response = supervisor_client.post(_url("recommendation-set-delete", set_id=computed.public_id))
    assert response.status_code == 302
    assert not RecommendationSet.objects.exists()


def test_an_agent_reads_but_cannot_change(client, agent, computed):
    client.force_login(agent)
    url = _url("recommendation-set", set_id=computed.public_id)
    page = client.get(url).content.decode()
    assert "Votre rôle permet de lire les hypothèses" in page
    assert client.post(url, {"waiting_day_minutes": "0"}).status_code == 403
    assert (
        client.post(_url("recommendation-set-delete", set_id=computed.public_id)).status_code == 403
    )
    assert client.post(_url("recommendation-list"), {"event_log": "x"}).status_code == 403
    assert RecommendationSet.objects.count() == 1


def test_another_organization_reads_and_changes_nothing(stranger_client, computed, log):
    key = computed.recommendations[0]["key"]
    for url in (
        _url("recommendation-set", set_id=computed.public_id),
        _url("recommendation-detail", set_id=computed.public_id, key=key),
        _url("recommendation-set-pdf", set_id=computed.public_id),
        _url("report-segments", log_id=log.public_id),
        _url("report-journeys-pdf", log_id=log.public_id),
    ):
        assert stranger_client.get(url).status_code == 404, url
    for url in (
        _url("recommendation-set", set_id=computed.public_id),
        _url("recommendation-set-recompute", set_id=computed.public_id),
        _url("recommendation-set-delete", set_id=computed.public_id),
    ):
        assert stranger_client.post(url, {"waiting_day_minutes": "0"}).status_code == 404, url
    page = stranger_client.get(_url("recommendation-list")).content.decode()
    assert computed.name not in page and log.name not in page
    # Naming the other body's log in the form: refused, nothing computed.
    response = stranger_client.post(_url("recommendation-list"), {"event_log": str(log.public_id)})
    assert response.status_code == 400
    assert "Choisissez un journal de votre organisme." in response.content.decode()
    assert RecommendationSet.objects.count() == 1
    computed.refresh_from_db()
    assert computed.assumptions["waiting_day_minutes"] == 30.0


def test_the_service_refuses_a_log_of_another_organization(supervisor, organization):
    other = WorkspaceFactory(name="Ailleurs").organization
    foreign = ready_log(other, name="Journal d'ailleurs")
    with pytest.raises(services.ValidationError) as caught:
        services.recommendation_set_compute(
            actor=supervisor, organization=organization, event_log=foreign
        )
    assert caught.value.message_dict == {"event_log": ["Journal d'événements introuvable."]}
    assert not RecommendationSet.objects.exists()


def test_a_log_still_importing_is_refused(supervisor, organization):
    log = EventLog.objects.create(organization=organization, name="En cours")
    with pytest.raises(services.ValidationError) as caught:
        services.recommendation_set_compute(
            actor=supervisor, organization=organization, event_log=log
        )
    assert "pas prêt" in caught.value.message_dict["event_log"][0]


def _api(set_id, suffix=""):
    return f"/api/journeys/recommendations/{set_id}{suffix}"


def test_the_api_reads_and_edits_a_set(supervisor_client, computed, run_jobs):
    response = supervisor_client.get(_api(computed.public_id))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == computed.name and body["log"]["n_cases"] == 5
    assert (body["state"], body["job"]) == ("ready", None)
    assert body["recommendations"][0]["lever"] == "process_change"
    response = supervisor_client.put(
        _api(computed.public_id, "/assumptions"),
        {"assumptions": {"avoided_share": {"callback": 1.5}}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "avoided_share__callback": ["La part des contacts évités doit être entre 0 et 1."]
    }
    # Accepted: the ranking is recomputed by a background job, the set says so.
    response = supervisor_client.put(
        _api(computed.public_id, "/assumptions"),
        {"assumptions": {"waiting_day_minutes": 0}},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "computing" and body["job"]
    assert body["assumptions"]["waiting_day_minutes"] == 0
    response = run_jobs(
        supervisor_client.put,
        _api(computed.public_id, "/assumptions"),
        {"assumptions": {"waiting_day_minutes": 0, "satisfaction_weight": {"relance": 10}}},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = supervisor_client.get(_api(computed.public_id)).json()
    assert body["state"] == "ready"
    assert body["recommendations"][0]["kind"] == "relance"


def test_the_api_hides_a_set_from_another_organization(stranger_client, computed):
    assert stranger_client.get(_api(computed.public_id)).status_code == 404
    response = stranger_client.put(
        _api(computed.public_id, "/assumptions"),
        {"assumptions": {"waiting_day_minutes": 0}},
        content_type="application/json",
    )
    assert response.status_code == 404
    computed.refresh_from_db()
    assert computed.assumptions["waiting_day_minutes"] == 30.0


def test_the_api_lets_an_agent_read_but_not_edit(client, agent, computed):
    client.force_login(agent)
    assert client.get(_api(computed.public_id)).status_code == 200
    response = client.put(
        _api(computed.public_id, "/assumptions"),
        {"assumptions": {"waiting_day_minutes": 0}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "Votre rôle ne permet pas cette action." in response.json()["detail"]


def test_a_failed_ranking_keeps_the_previous_one_and_says_why(
    supervisor_client, computed, run_jobs, settings
):
    from pathlib import Path

    (Path(settings.MEDIA_ROOT) / computed.event_log.data_path).unlink()
    run_jobs(
        supervisor_client.post, _url("recommendation-set-recompute", set_id=computed.public_id)
    )
    computed.refresh_from_db()
    assert computed.state == "failed" and computed.recommendations
    page = supervisor_client.get(_url("recommendation-set", set_id=computed.public_id))
    text = page.content.decode()
    assert "Le dernier calcul du classement a échoué" in text
    assert "Le classement précédent est affiché" in text


def test_an_older_job_does_not_overwrite_a_newer_ranking(supervisor, computed, workspace):
    from relais.core.jobs.models import Job
    from relais.core.jobs.services import JobProgress

    first = services.recommendation_set_recompute(
        actor=supervisor, workspace=workspace, recommendation_set=computed
    ).job
    services.recommendation_set_recompute(
        actor=supervisor, workspace=workspace, recommendation_set=computed
    )
    message = services.recommendation_set_rank_run(
        set_id=computed.pk, job=first, progress=JobProgress(Job.objects.get(pk=first.pk))
    )
    assert message == "Classement remplacé par un calcul plus récent."
