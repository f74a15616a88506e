"""Stored event logs: upload, preview, column mapping and the import job (through the pages,
with the real task queue run inline), their French errors with the line, nothing
half-imported, progress, rename, bin and restore, the kernel's interaction log."""

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relais.core.interactions.services import record
from relais.core.jobs.models import Job, JobStatus
from relais.journeys.eventlog_store import load_frame
from relais.journeys.models import EventLog, EventLogSource, EventLogStatus
from relais.journeys.services_logs import log_upload
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "dossier;etape;quand;canal;branche\n"
    "A;Dépôt;2026-01-05T09:00:00+01:00;web;musique\n"
    "A;Relance;2026-01-20 10:30;phone;musique\n"
    "A;Décision;2026-02-01T08:00:00Z;letter;musique\n"
    "B;Dépôt;2026-01-07T09:00:00Z;letter;photo\n"
    "B;Décision;2026-01-30T09:00:00Z;letter;photo\n"
)
MAPPING = {
    "case": "dossier",
    "activity": "etape",
    "timestamp": "quand",
    "start_timestamp": "",
    "channel": "canal",
    "resource": "",
    "attributes": ["branche"],
}


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


def _upload(client, content: bytes, filename="affiliations.csv", name="Affiliations 2026"):
    return client.post(
        _url("log-upload"),
        {"name": name, "file": SimpleUploadedFile(filename, content)},
    )


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """POST, then run what was queued on commit (the import job) as the worker would."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_preview_mapping_import_then_observed_page(
    supervisor_client, run_jobs, organization, settings
):
    response = _upload(supervisor_client, GOOD_CSV.encode())
    log = EventLog.objects.get(organization=organization)
    assert response.status_code == 302
    assert response["Location"] == _url("log-mapping", log_id=log.public_id)
    assert log.status == EventLogStatus.PENDING and log.upload_path

    page = supervisor_client.get(response["Location"]).content.decode()
    # The preview shows the columns and the first rows; the guesses preselect the channel.
    assert '<th scope="col">dossier</th>' in page and "2026-01-20 10:30" in page
    assert '<option value="canal" selected>' in page

    response = run_jobs(supervisor_client, response["Location"], MAPPING)
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == EventLogStatus.READY, log.error
    assert (log.n_cases, log.n_events, log.n_activities) == (2, 5, 3)
    assert log.upload_path == "" and log.mapping["channel"] == "canal"
    # Progress: one batch of the file (streamed), then the observed summary.
    assert log.job.status == JobStatus.SUCCEEDED and log.job.done == log.job.total == 2
    frame = load_frame(log)
    assert frame.columns == ["case_id", "activity", "timestamp", "channel", "position", "branche"]
    # Only the events file and its cached summary remain: the upload is gone.
    files = [p.name for p in _media_files(settings)]
    assert f"{log.public_id}.parquet" in files and not any(f.endswith(".csv") for f in files)

    page = supervisor_client.get(_url("log-detail", log_id=log.public_id)).content.decode()
    assert "Graphe des parcours" in page and "Flux entre canaux" in page
    assert "<caption" in page and "Dépôt" in page and 'id="data-graph"' in page


def test_a_bad_timestamp_fails_in_french_with_its_line_and_keeps_nothing(
    supervisor_client, run_jobs, organization, settings
):
    bad = GOOD_CSV.replace("2026-01-07T09:00:00Z", "2026-13-45")
    _upload(supervisor_client, bad.encode())
    log = EventLog.objects.get(organization=organization)
    assert (
        run_jobs(supervisor_client, _url("log-mapping", log_id=log.public_id), MAPPING).status_code
        == 302
    )
    log.refresh_from_db()
    assert log.status == EventLogStatus.FAILED
    assert log.error.startswith("Ligne 5 : horodatage illisible « 2026-13-45 »")
    assert log.data_path == "" and log.upload_path == ""
    assert _media_files(settings) == []
    assert Job.objects.get().status == JobStatus.FAILED
    page = supervisor_client.get(_url("log-detail", log_id=log.public_id)).content.decode()
    assert "import a échoué" in page
    assert "Ligne 5 : horodatage illisible" in page
    assert not EventLog.objects.ready().exists()


def test_a_csv_is_streamed_in_batches_and_a_bad_late_line_keeps_nothing(
    supervisor_client, run_jobs, organization, settings
):
    settings.JOURNEYS_CSV_BATCH_BYTES = 64  # about one line a batch
    _upload(supervisor_client, GOOD_CSV.encode())
    log = EventLog.objects.get(organization=organization)
    run_jobs(supervisor_client, _url("log-mapping", log_id=log.public_id), MAPPING)
    log.refresh_from_db()
    assert log.status == EventLogStatus.READY and log.n_events == 5
    assert log.job.total >= 4 and log.job.done == log.job.total
    assert load_frame(log)["position"].to_list() == [0, 1, 2, 3, 4]

    bad = GOOD_CSV + "C;Dépôt;2026-02-30T09:00:00Z;web;photo\n"
    _upload(supervisor_client, bad.encode(), name="Mauvais")
    log = EventLog.objects.get(name="Mauvais")
    run_jobs(supervisor_client, _url("log-mapping", log_id=log.public_id), MAPPING)
    log.refresh_from_db()
    assert log.status == EventLogStatus.FAILED and log.data_path == ""
    assert log.error.startswith("Ligne 7 : horodatage illisible « 2026-02-30T09:00:00Z »")
    assert not any(p.name.startswith(str(log.public_id)) for p in _media_files(settings))


def test_an_empty_case_id_is_reported_with_its_line(supervisor_client, run_jobs, organization):
    bad = GOOD_CSV.replace("B;Décision", ";Décision")
    _upload(supervisor_client, bad.encode())
    log = EventLog.objects.get()
    assert (
        run_jobs(supervisor_client, _url("log-mapping", log_id=log.public_id), MAPPING).status_code
        == 302
    )
    log.refresh_from_db()
    assert log.error == "Ligne 6 : identifiant de dossier vide (colonne « dossier »)."


def test_a_mapping_naming_no_column_or_one_column_twice_is_refused(supervisor_client):
    _upload(supervisor_client, GOOD_CSV.encode())
    log = EventLog.objects.get()
    url = _url("log-mapping", log_id=log.public_id)
    response = supervisor_client.post(url, {**MAPPING, "activity": "pirate"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    response = supervisor_client.post(url, {**MAPPING, "activity": "dossier"})
    assert response.status_code == 400
    assert "Une même colonne ne peut pas tenir deux rôles." in response.content.decode()
    log.refresh_from_db()
    assert log.status == EventLogStatus.PENDING and not Job.objects.exists()


def test_an_unknown_format_and_an_oversized_file_are_refused_before_storing(
    supervisor_client, settings
):
    response = _upload(supervisor_client, b"a,b\n1,2\n", filename="journal.xlsx")
    assert response.status_code == 400
    assert "Format de fichier non reconnu" in response.content.decode()
    settings.JOURNEYS_LOG_MAX_UPLOAD_BYTES = 100
    response = _upload(supervisor_client, GOOD_CSV.encode())
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale" in response.content.decode()
    assert not EventLog.objects.exists() and _media_files(settings) == []


def test_gzip_csv_xes_and_parquet_files_import(supervisor_client, run_jobs, organization, tmp_path):
    _upload(supervisor_client, gzip.compress(GOOD_CSV.encode()), filename="a.csv.gz", name="gz")
    buffer = io.BytesIO()
    pl.read_csv(io.StringIO(GOOD_CSV), separator=";").write_parquet(buffer)
    _upload(supervisor_client, buffer.getvalue(), filename="a.parquet", name="parquet")
    xes = (
        '<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0">'
        '<trace><string key="concept:name" value="A"/>'
        '<event><string key="concept:name" value="Dépôt"/>'
        '<date key="time:timestamp" value="2026-01-05T09:00:00+01:00"/></event>'
        '<event><string key="concept:name" value="Décision"/>'
        '<date key="time:timestamp" value="2026-02-01T09:00:00+01:00"/></event></trace></log>'
    )
    _upload(supervisor_client, xes.encode(), filename="a.xes", name="xes")
    for log in EventLog.objects.all():
        url = _url("log-mapping", log_id=log.public_id)
        if log.name == "xes":
            page = supervisor_client.get(url).content.decode()
            assert '<option value="case:concept:name" selected>' in page
            mapping = {
                "case": "case:concept:name",
                "activity": "concept:name",
                "timestamp": "time:timestamp",
            }
        else:
            mapping = MAPPING
        run_jobs(supervisor_client, url, mapping)
        log.refresh_from_db()
        assert log.status == EventLogStatus.READY, (log.name, log.error)
    counts = dict(EventLog.objects.values_list("name", "n_events"))
    assert counts == {"gz": 5, "parquet": 5, "xes": 2}


def test_rename_delete_and_restore(supervisor_client, run_jobs, organization):
    _upload(supervisor_client, GOOD_CSV.encode())
    log = EventLog.objects.get()
    run_jobs(supervisor_client, _url("log-mapping", log_id=log.public_id), MAPPING)
    response = supervisor_client.post(
        _url("log-rename", log_id=log.public_id), {"name": "  ", "description": ""}
    )
    assert response.status_code == 400 and "Ce champ est obligatoire" in response.content.decode()
    supervisor_client.post(
        _url("log-rename", log_id=log.public_id), {"name": "Affiliations T1", "description": "x"}
    )
    supervisor_client.post(_url("log-delete", log_id=log.public_id))
    log.refresh_from_db()
    assert log.name == "Affiliations T1" and log.deleted_at is not None
    assert supervisor_client.get(_url("log-detail", log_id=log.public_id)).status_code == 404
    page = supervisor_client.get(_url("log-list")).content.decode()
    assert "Corbeille" in page and _url("log-restore", log_id=log.public_id) in page
    supervisor_client.post(_url("log-restore", log_id=log.public_id))
    log.refresh_from_db()
    assert log.deleted_at is None
    assert supervisor_client.get(_url("log-detail", log_id=log.public_id)).status_code == 200


def test_the_progress_fragment_asks_for_a_reload_once_ready(supervisor_client, organization):
    log = EventLog.objects.create(
        organization=organization, name="En cours", status=EventLogStatus.IMPORTING
    )
    url = _url("log-detail", log_id=log.public_id)
    fragment = supervisor_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "Import en cours" in fragment
    log.status = EventLogStatus.FAILED
    log.save()
    response = supervisor_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_the_workspace_interaction_log_becomes_a_log(
    supervisor_client, run_jobs, supervisor, workspace
):
    person = PersonFactory(workspace=workspace)
    for hour, code, channel in (
        (9, "core.interaction.recorded", "phone"),
        (11, "core.interaction.recorded", "email"),
    ):
        record(
            workspace=workspace,
            person=person,
            event_code=code,
            channel=channel,
            direction="in",
            topic="Question",
            summary="texte libre à ne pas exporter",
            case_key="DOSSIER-1",
            started_at=datetime(2025, 6, 2, hour, tzinfo=UTC),
        )
    response = run_jobs(supervisor_client, _url("log-extract"), {"name": "Interactions"})
    log = EventLog.objects.get(source=EventLogSource.INTERACTIONS)
    assert response.status_code == 302
    assert log.status == EventLogStatus.READY, log.error
    frame = load_frame(log)
    assert frame.get_column("case_id").to_list() == ["DOSSIER-1", "DOSSIER-1"]
    assert frame.get_column("channel").to_list() == ["phone", "email"]
    assert "texte libre à ne pas exporter" not in str(frame.to_dicts())


def test_an_empty_upload_for_the_service_is_a_french_error(supervisor, organization):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Le fichier est vide"):
        log_upload(
            actor=supervisor,
            organization=organization,
            name="Vide",
            upload=SimpleUploadedFile("vide.csv", b""),
        )


def test_a_request_announcing_more_than_the_limit_is_not_stored(supervisor_client, settings):
    settings.JOURNEYS_LOG_MAX_UPLOAD_BYTES = 1000
    big = GOOD_CSV.encode() + b"A;Relance;2026-01-20 10:30;phone;musique\n" * 30_000
    response = _upload(supervisor_client, big)
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale (1000" in response.content.decode()
    assert not EventLog.objects.exists() and _media_files(settings) == []
