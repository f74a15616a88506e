"""The deliverables: segmentation of a log's publics (seeded, the same twice), journey maps
with the designed and observed time per step, their pages and their PDFs (opened, read)."""

import io
import re

import polars as pl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from relais.journeys import reports, services
from relais.journeys.eventlog_store import store_frame
from relais.journeys.eventlogs import ColumnMapping, to_canonical
from relais.journeys.models import EventLog, EventLogStatus, Journey
from tests.factories import WorkspaceFactory
from tests.journeys.reco_logs import reco_frame

pytestmark = pytest.mark.django_db


def publics_frame() -> pl.DataFrame:
    """Twelve persons, two clear publics: six who call about their pension on the phone, six
    who declare online."""
    rows = []
    for n in range(6):
        person = f"P{n:02d}"
        for day in (1, 5, 9):
            rows.append(
                (
                    f"R{n}",
                    person,
                    "Appel",
                    f"2026-03-{day + n:02d}T10:00:00",
                    "phone",
                    "retraite",
                    "trimestres de retraite",
                )
            )
    for n in range(6, 12):
        person = f"P{n:02d}"
        rows.append(
            (
                f"D{n}",
                person,
                "Déclaration",
                f"2026-03-{n:02d}T10:00:00",
                "web",
                "declaration",
                "déclarer mes revenus",
            )
        )
    raw = pl.DataFrame(
        rows,
        schema=["dossier", "personne", "etape", "date", "canal", "demarche", "motif"],
        orient="row",
    )
    return to_canonical(
        raw, ColumnMapping(case="dossier", activity="etape", timestamp="date", channel="canal")
    )


def test_persons_of_a_log_gather_what_they_did():
    persons, unit = reports.persons_of(publics_frame())
    assert unit == "personnes" and persons.height == 12
    first = persons.row(0, named=True)
    assert first["id"] == "P00" and first["nb_contacts"] == 3 and first["nb_dossiers"] == 1
    assert first["demarche"] == "retraite"
    assert (
        first["demandes"] == "trimestres de retraite trimestres de retraite trimestres de retraite"
    )
    # Without a person column, the cases are the units.
    _persons, unit = reports.persons_of(reco_frame())
    assert unit == "dossiers"


def test_segmentation_finds_the_two_publics_the_same_way_twice():
    first = reports.segmentation_report(publics_frame())
    again = reports.segmentation_report(publics_frame())
    assert not first.error
    assert first.k == 2 and sorted(p.size for p in first.profiles) == [6, 6]
    assert [p.persona for p in first.profiles] == [p.persona for p in again.profiles]
    assert all(p.persona.startswith("Persona « ") for p in first.profiles)


def test_too_few_persons_is_said_in_french():
    small = publics_frame().filter(pl.col("personne").is_in(["P00", "P07"]))
    report = reports.segmentation_report(small)
    assert report.error.startswith("Segmentation impossible : trop peu de personnes")


def _journey(organization):
    journey = services.journey_create(actor=None, organization=organization, title="Affiliation")
    phase = services.phase_add(actor=None, journey=journey, name="Instruire")
    for name, value, unit in (
        ("Réception", 1, "days"),
        ("Examen", 3, "days"),
        ("Décision", 1, "days"),
    ):
        services.step_add(
            actor=None,
            phase=phase,
            fields={
                "name": name,
                "channel": "back_office",
                "duration_value": value,
                "duration_unit": unit,
            },
        )
    return Journey.objects.prefetch_related("phases__steps").get(pk=journey.pk)


def test_journey_report_sets_designed_time_beside_observed(organization):
    entry = reports.journeys_report(reco_frame(), [_journey(organization)])[0]
    steps = {row["name"]: row for row in entry["steps"]}
    # Into Examen: 2 d 14 h (A), 15 h and 2 d (B), 5 d (C) → 220 500 s on average.
    assert steps["Examen"]["mean_seconds"] == pytest.approx(220_500)
    assert steps["Examen"]["expected_seconds"] == 3 * 86_400
    assert steps["Examen"]["rework_cases"] == 1 and steps["Examen"]["cases"] == 3
    assert steps["Décision"]["skipped_share"] == pytest.approx(3 / 5)
    assert steps["Examen"]["designed_bar"] == 100 and steps["Examen"]["observed_bar"] == 85
    assert {row["activity"] for row in entry["comparison"]["undesigned"]} == {
        "Appel",
        "Courriel",
        "Visite",
    }


def _read(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _ready(organization, frame, name):
    log = EventLog.objects.create(organization=organization, name=name, status=EventLogStatus.READY)
    return store_frame(log, frame)


def test_deliverable_pages_and_pdfs(supervisor_client, organization):
    _journey(organization)
    publics = _ready(organization, publics_frame(), "Contacts de mars")
    observed = _ready(organization, reco_frame(), "Affiliations — janvier")
    page = supervisor_client.get(reverse("journeys:deliverables")).content.decode()
    assert "Contacts de mars" in page and "Affiliations — janvier" in page

    page = supervisor_client.get(
        reverse("journeys:report-segments", kwargs={"log_id": publics.public_id})
    ).content.decode()
    assert "Livrable 1" in page and "12 personnes" in page and "Persona « Camille »" in page
    response = supervisor_client.get(
        reverse("journeys:report-segments-pdf", kwargs={"log_id": publics.public_id})
    )
    assert response["Content-Type"] == "application/pdf"
    text = _read(response.content)
    assert "Livrable 1 — Segmentation des publics et de leurs besoins" in text
    assert "Persona « Camille »" in text and "Profils et personas" in text

    page = supervisor_client.get(
        reverse("journeys:report-journeys", kwargs={"log_id": observed.public_id})
    ).content.decode()
    assert "Livrable 2" in page and "Affiliation" in page and "2,6\u00a0j" in page
    text = _read(
        supervisor_client.get(
            reverse("journeys:report-journeys-pdf", kwargs={"log_id": observed.public_id})
        ).content
    )
    assert "Livrable 2 — Cartographie des parcours et temps par étape" in text
    assert "Examen" in text and "2,6 j" in text and "Temps par étape" in text
    assert "Activités observées hors du parcours conçu" in text


def test_a_log_not_ready_has_no_deliverable(supervisor_client, organization):
    log = EventLog.objects.create(organization=organization, name="En cours")
    url = reverse("journeys:report-segments", kwargs={"log_id": log.public_id})
    assert supervisor_client.get(url).status_code == 404


def test_a_large_log_gets_its_pdf_from_a_background_job(
    supervisor_client, organization, monkeypatch, django_capture_on_commit_callbacks
):
    from relais.core.jobs.models import Job, JobStatus
    from relais.journeys import services_recommendations

    monkeypatch.setattr(services_recommendations, "SYNC_EVENTS_MAX", 10)  # the log has 16
    log = _ready(organization, reco_frame(), "Affiliations — janvier")
    url = reverse("journeys:report-segments-pdf", kwargs={"log_id": log.public_id})
    page = supervisor_client.get(url)
    assert page["Content-Type"].startswith("text/html")
    assert "le PDF est préparé en tâche de fond" in page.content.decode()
    assert not Job.objects.exists()  # a GET starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(url)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED, job.message
    download = supervisor_client.get(reverse("jobs:job-download", args=[job.public_id]))
    assert 'filename="segmentation-affiliations-janvier.pdf"' in download["Content-Disposition"]
    text = _read(b"".join(download.streaming_content))
    assert "Livrable 1 — Segmentation des publics et de leurs besoins" in text


def test_another_organization_cannot_start_a_deliverable_job(client, organization, monkeypatch):
    from relais.core.accounts.roles import Role
    from relais.core.jobs.models import Job
    from relais.journeys import services_recommendations
    from tests.factories import UserFactory, WorkspaceFactory

    monkeypatch.setattr(services_recommendations, "SYNC_EVENTS_MAX", 10)
    log = _ready(organization, reco_frame(), "Affiliations — janvier")
    elsewhere = WorkspaceFactory(name="Autre organisme")
    client.force_login(
        UserFactory(
            username="etranger",
            role=Role.SUPERVISOR,
            organization=elsewhere.organization,
            workspaces=[elsewhere],
        )
    )
    url = reverse("journeys:report-journeys-pdf", kwargs={"log_id": log.public_id})
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404
    assert not Job.objects.exists()


def test_compare_a_designed_journey_with_a_kept_log(supervisor_client, organization):
    journey = _journey(organization)
    log = _ready(organization, reco_frame(), "Affiliations — janvier")
    url = reverse("journeys:journey-compare", kwargs={"journey_id": journey.public_id})
    page = supervisor_client.get(url).content.decode()
    assert "Affiliations — janvier" in page and "dossiers observés" not in page
    page = supervisor_client.post(url, {"log": str(log.public_id)}).content.decode()
    assert "5 dossiers observés" in page
    assert "2,6\u00a0j" in page  # the observed time before Examen
    assert "Courriel" in page  # observed, not designed


def test_compare_with_a_log_of_another_organization_is_not_found(supervisor_client, organization):
    journey = _journey(organization)
    other = WorkspaceFactory(name="Ailleurs").organization
    foreign = _ready(other, reco_frame(), "Journal d'ailleurs")
    url = reverse("journeys:journey-compare", kwargs={"journey_id": journey.public_id})
    assert supervisor_client.post(url, {"log": str(foreign.public_id)}).status_code == 400
    assert supervisor_client.post(url, {"log": "pas-un-uuid"}).status_code == 400


def test_a_log_segmentation_is_kept_while_the_log_is_unchanged(supervisor_client, organization):
    from django.core.cache import cache

    from relais.journeys.services_recommendations import segmentation_cache_key

    log = _ready(organization, publics_frame(), "Contacts de mars")
    cache.delete(segmentation_cache_key(log))
    url = reverse("journeys:report-segments", kwargs={"log_id": log.public_id})

    def personas(page):
        return re.findall(r'<p class="card-text"[^>]*>(.*?)</p>', page, flags=re.DOTALL)

    first = personas(supervisor_client.get(url).content.decode())
    kept = cache.get(segmentation_cache_key(log))
    assert kept is not None and kept.n_persons == 12
    assert len(first) == 2 and personas(supervisor_client.get(url).content.decode()) == first
    store_frame(log, publics_frame().head(20))  # imported again: segmented again
    assert cache.get(segmentation_cache_key(log)) is None
