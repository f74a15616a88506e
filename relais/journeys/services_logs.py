"""Actions on kept event logs: upload, column mapping and import as a background job,
extraction of the kernel's interaction log, rename, delete and restore (undo), and the
demo's stored logs.

An import is atomic: a CSV file (plain or gzip) is streamed in batches
(:func:`relais.journeys.eventlogs.iter_csv`) into a Parquet file written beside its final name,
never whole in memory; XES and Parquet files are read whole
(:func:`relais.journeys.eventlogs.read_event_log`). The first bad row stops it with a French
``EventLogError`` and its line; the partial file is removed, and the file is renamed into place
(:mod:`eventlog_store`) and the log becomes *ready* only once every row was read. A rejected file leaves the log *failed* with the message, no events file and no upload.

Size: an upload is refused above ``settings.JOURNEYS_LOG_MAX_UPLOAD_BYTES`` (512 MiB by
default), before it is stored (the upload view also stops reading a request that announces
more); Django keeps at most ``FILE_UPLOAD_MAX_MEMORY_SIZE`` of it in memory, the rest goes to a
temporary file, copied chunk by chunk under ``MEDIA_ROOT/journeys/uploads/``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.interactions.events import event_label
from relais.core.interactions.export import case_of, for_export
from relais.core.interactions.selectors import interactions_in_window, interactions_of_workspace
from relais.core.jobs.models import Job, JobStatus
from relais.core.jobs.services import JobProgress, job_start
from relais.journeys.access import ensure_can_edit, ensure_journey_permission
from relais.journeys.eventlog_store import delete_frame, store_batches, store_frame
from relais.journeys.eventlogs import (
    CSV_BATCH_BYTES,
    ColumnMapping,
    EventLogError,
    iter_csv,
    log_format,
    read_event_log,
    to_canonical,
)
from relais.journeys.models import EventLog, EventLogSource, EventLogStatus
from relais.journeys.observed import (
    SUMMARY_STAGES,
    Filters,
    observed_compute,
    observed_invalidate,
    observed_job_mark,
    observed_job_marker,
    observed_summary,
)
from relais.journeys.permissions import Permission

IMPORT_JOB_KIND = "journeys.log_import"
OBSERVED_JOB_KIND = "journeys.observed_view"
# Above this many events, a view not computed yet is computed by a background job (a page
# never waits seconds on a request); below, in the request (well under a second).
DEFAULT_OBSERVED_SYNC_MAX_EVENTS = 200_000
UPLOADS_DIR = "journeys/uploads"
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
DEFAULT_BIN_RETENTION_DAYS = 30
NAME_MAX = 160


def max_upload_bytes() -> int:
    """The largest event-log file accepted (``JOURNEYS_LOG_MAX_UPLOAD_BYTES``, 512 MiB)."""
    return int(getattr(settings, "JOURNEYS_LOG_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_large_message() -> str:
    """« Le fichier dépasse la taille maximale (512,0 Mo). », the limit written for people."""
    return _("Le fichier dépasse la taille maximale (%(size)s).") % {
        "size": filesizeformat(max_upload_bytes())
    }


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"name": _("Donnez un nom au journal.")})
    if len(value) > NAME_MAX:
        raise ValidationError({"name": _("%(max)s caractères au plus.") % {"max": NAME_MAX}})
    return value


def _audit(actor, action: str, log: EventLog, **changes) -> None:
    audit_log(actor=actor, action=action, target=log, **changes)


def _discard_upload(log: EventLog) -> None:
    if log.upload_path:
        _media(log.upload_path).unlink(missing_ok=True)
        log.upload_path = ""


# --- Upload and import ------------------------------------------------------------------------


def log_upload(*, actor, organization, name: str, upload) -> EventLog:
    """Keep an uploaded event-log file (CSV, CSV gzip, XES, XES gzip, Parquet) as a *pending*
    log of ``organization``, waiting for its column mapping (see :func:`log_import_start`)."""
    ensure_can_edit(actor, organization)
    name = _name(name)
    try:
        fmt = log_format(upload.name)
    except EventLogError as error:
        raise ValidationError({"file": str(error)}) from None
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError({"file": too_large_message()})
    if upload.size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    relative = f"{UPLOADS_DIR}/{organization.pk}/{uuid.uuid4().hex}.{fmt}"
    target = _media(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        with transaction.atomic():
            log = EventLog.objects.create(
                organization=organization,
                name=name,
                source=EventLogSource.FILE,
                status=EventLogStatus.PENDING,
                original_filename=Path(upload.name).name[:255],
                upload_path=relative,
                created_by=actor,
            )
            _audit(actor, "journeys.log.upload", log, after={"file": log.original_filename})
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return log


def mapping_from_json(data: dict) -> ColumnMapping:
    attributes = data.get("attributes")
    return ColumnMapping(
        case=data["case"],
        activity=data["activity"],
        timestamp=data["timestamp"],
        start_timestamp=data.get("start_timestamp") or None,
        channel=data.get("channel") or None,
        resource=data.get("resource") or None,
        attributes=tuple(attributes) if attributes is not None else None,
    )


def mapping_to_json(mapping: ColumnMapping, *, separator: str | None = None) -> dict:
    data = asdict(mapping)
    data["attributes"] = list(mapping.attributes) if mapping.attributes is not None else None
    if separator:
        data["separator"] = separator
    return data


@transaction.atomic
def log_import_start(
    *,
    actor,
    workspace,
    log: EventLog,
    mapping: ColumnMapping,
    columns: list[str],
    separator: str | None = None,
) -> EventLog:
    """Import the uploaded file of the pending ``log`` with ``mapping``, as a background job
    (queued after commit; the log page shows its progress). ``columns`` are the file's columns
    (from its preview): a mapping naming another column is refused here, in French."""
    ensure_can_edit(actor, log.organization)
    log = EventLog.objects.select_for_update().get(pk=log.pk)
    if log.status != EventLogStatus.PENDING or not log.upload_path:
        raise ValidationError(_("Ce journal n'attend pas d'import."))
    known = set(columns)
    for _role, source, label in mapping.roles():
        if source not in known:
            raise ValidationError(
                _("Colonne « %(column)s » (%(label)s) absente du fichier.")
                % {"column": source, "label": label}
            )
    chosen = [source for _role, source, _label in mapping.roles()]
    if len(set(chosen)) != len(chosen):
        raise ValidationError(_("Une même colonne ne peut pas tenir deux rôles."))
    log.mapping = mapping_to_json(mapping, separator=separator)
    log.status = EventLogStatus.IMPORTING
    log.error = ""
    log.job = job_start(
        actor=actor,
        workspace=workspace,
        kind=IMPORT_JOB_KIND,
        label=_("Import du journal « %(name)s »") % {"name": log.name},
        params={"log_id": log.pk},
    )
    log.save(update_fields=["mapping", "status", "error", "job", "updated_at"])
    _audit(actor, "journeys.log.import", log, after={"mapping": log.mapping})
    return log


def _fail(log: EventLog, message: str) -> None:
    delete_frame(log)
    observed_invalidate(log)
    _discard_upload(log)
    log.status = EventLogStatus.FAILED
    log.error = message[:2000]
    log.data_path = ""
    log.save(update_fields=["status", "error", "data_path", "upload_path", "updated_at"])


def log_import_run(*, log_id: int, job, progress: JobProgress) -> str:
    """The import job's body: read the file (or the interaction log), store the canonical
    frame, compute the observed summary (so the first page is fast), mark the log ready.
    On a rejected file the log is failed with the French message and nothing is kept; the
    message is raised again so the job is failed too."""
    log = EventLog.objects.select_related("organization").get(pk=log_id)
    try:
        if log.source == EventLogSource.INTERACTIONS:
            progress.start(3)
            store_frame(log, interactions_frame(job.workspace))
            progress.advance(2)
        elif log_format(log.upload_path) in ("csv", "csv.gz"):
            # Streamed: batches of the file go to the Parquet file one by one (progress per
            # batch, by the bytes of the upload); a bad line in any batch removes it all.
            path = _media(log.upload_path)
            size = int(getattr(settings, "JOURNEYS_CSV_BATCH_BYTES", CSV_BATCH_BYTES))
            progress.start(max(1, -(-path.stat().st_size // size)) + 1)
            store_batches(
                log,
                iter_csv(
                    path,
                    mapping_from_json(log.mapping),
                    separator=(log.mapping or {}).get("separator"),
                    batch_bytes=size,
                ),
                on_batch=progress.advance,
            )
        else:  # XES (streamed by expat into columns) and Parquet are read whole
            progress.start(3)
            frame = read_event_log(_media(log.upload_path), mapping_from_json(log.mapping))
            progress.advance()
            store_frame(log, frame)
            progress.advance()
        observed_invalidate(log)
        observed_summary(log)
        progress.advance()
    except EventLogError as error:
        _fail(log, str(error))
        raise
    except Exception:
        _fail(log, _("L'import a échoué : erreur interne, rien n'a été enregistré."))
        raise
    _discard_upload(log)
    log.status = EventLogStatus.READY
    log.save(update_fields=["status", "upload_path", "updated_at"])
    return _("%(events)s événements, %(cases)s dossiers importés.") % {
        "events": log.n_events,
        "cases": log.n_cases,
    }


# --- The kernel's interaction log -------------------------------------------------------------


def interactions_frame(workspace) -> pl.DataFrame:
    """The workspace's touchpoints as a canonical frame: case = case key (else the contact,
    else the visitor), activity = the event's label, channel, direction and outcome kept;
    free text (topic, summary) never leaves the log."""
    if workspace is None:
        raise EventLogError("Aucun espace de travail pour lire le journal des interactions.")
    rows = {
        "case": [],
        "activity": [],
        "timestamp": [],
        "start": [],
        "channel": [],
        "direction": [],
        "outcome": [],
        "event_code": [],
    }
    labels: dict[str, str] = {}
    for interaction in for_export(interactions_in_window(workspace=workspace)).iterator(2000):
        code = interaction.event_code
        if code not in labels:
            labels[code] = event_label(code)
        rows["case"].append(case_of(interaction))
        rows["activity"].append(labels[code])
        rows["start"].append(interaction.started_at)
        rows["timestamp"].append(interaction.ended_at or interaction.started_at)
        rows["channel"].append(interaction.channel)
        rows["direction"].append(interaction.direction)
        rows["outcome"].append(interaction.outcome)
        rows["event_code"].append(code)
    if not rows["case"]:
        raise EventLogError("Le journal des interactions de cet espace est vide.")
    frame = pl.DataFrame(rows, schema_overrides={"timestamp": pl.Datetime("us", "UTC")})
    return to_canonical(
        frame,
        ColumnMapping(
            case="case",
            activity="activity",
            timestamp="timestamp",
            start_timestamp="start",
            channel="channel",
        ),
    )


@transaction.atomic
def log_from_interactions(*, actor, workspace, name: str) -> EventLog:
    """Extract the current workspace's interaction log (every module's touchpoints, grouped by
    case key) into a new log of the workspace's organization, as a background job."""
    organization = workspace.organization
    ensure_can_edit(actor, organization)
    if actor is not None:
        interactions_of_workspace(user=actor, workspace=workspace)  # raises without the right
    log = EventLog.objects.create(
        organization=organization,
        name=_name(name),
        source=EventLogSource.INTERACTIONS,
        status=EventLogStatus.IMPORTING,
        created_by=actor,
    )
    log.job = job_start(
        actor=actor,
        workspace=workspace,
        kind=IMPORT_JOB_KIND,
        label=_("Extraction du journal des interactions"),
        params={"log_id": log.pk},
    )
    log.save(update_fields=["job", "updated_at"])
    _audit(actor, "journeys.log.extract", log)
    return log


# --- A frame computed by Relais (the sample, the simulated year) ------------------------------


def log_store_frame(
    *, actor, organization, name: str, source: str, frame: pl.DataFrame, description: str = ""
) -> EventLog:
    """Keep a canonical frame built by Relais (a recorded sample, the demo's simulated year)
    as a ready log; its observed summary is computed at once."""
    ensure_can_edit(actor, organization)
    with transaction.atomic():
        log = EventLog.objects.create(
            organization=organization,
            name=_name(name),
            description=description,
            source=source,
            status=EventLogStatus.IMPORTING,
            created_by=actor,
        )
        store_frame(log, frame)
        log.status = EventLogStatus.READY
        log.save(update_fields=["status", "updated_at"])
        _audit(actor, "journeys.log.create", log, after={"source": source})
        transaction.on_commit(lambda: observed_summary(log))
    return log


# --- Rename, delete, restore ------------------------------------------------------------------


@transaction.atomic
def log_rename(*, actor, log: EventLog, name: str, description: str = "") -> EventLog:
    """Rename a log and change its description."""
    ensure_can_edit(actor, log.organization)
    before = {"name": log.name, "description": log.description}
    log.name = _name(name)
    description = (description or "").strip()
    if len(description) > 2000:
        raise ValidationError({"description": _("2000 caractères au plus.")})
    log.description = description
    log.save(update_fields=["name", "description", "updated_at"])
    _audit(actor, "journeys.log.rename", log, before=before, after={"name": log.name})
    return log


@transaction.atomic
def log_delete(*, actor, log: EventLog) -> EventLog:
    """Put a log in the bin (its events are kept: ``log_restore`` undoes it). A log still
    waiting for its mapping has nothing to restore: its upload is discarded."""
    ensure_can_edit(actor, log.organization)
    if log.status == EventLogStatus.PENDING:
        _discard_upload(log)
        log.status = EventLogStatus.FAILED
        log.error = _("Import abandonné.")
    log.deleted_at = timezone.now()
    log.save(update_fields=["deleted_at", "status", "error", "upload_path", "updated_at"])
    _audit(actor, "journeys.log.delete", log)
    return log


def bin_retention_days() -> int:
    """How long a log stays in the bin before it is purged (``JOURNEYS_BIN_RETENTION_DAYS``,
    30 days by default)."""
    return int(getattr(settings, "JOURNEYS_BIN_RETENTION_DAYS", DEFAULT_BIN_RETENTION_DAYS))


def log_purge_date(log: EventLog) -> datetime | None:
    """When the binned ``log`` will be purged (``None`` when it is not in the bin)."""
    if log.deleted_at is None:
        return None
    return log.deleted_at + timedelta(days=bin_retention_days())


def logs_purge_binned(*, now: datetime | None = None) -> int:
    """Purge every log in the bin for longer than the retention: its row (and the
    recommendation sets computed from it), its events file, its cached views and any upload
    left. Audited, one entry a log, by the system. A log restored meanwhile is kept. Run every
    night by ``purge_binned_logs_task``; returns the number of logs purged."""
    cutoff = (now or timezone.now()) - timedelta(days=bin_retention_days())
    purged = 0
    for candidate in EventLog.objects.filter(deleted_at__lte=cutoff).order_by("pk"):
        with transaction.atomic():
            log = (
                EventLog.objects.select_for_update()
                .filter(pk=candidate.pk, deleted_at__lte=cutoff)
                .first()
            )
            if log is None:
                continue
            audit_log(
                actor=None,
                action="journeys.log.purge",
                target=log,
                before={
                    "name": log.name,
                    "organization": log.organization_id,
                    "deleted_at": log.deleted_at.isoformat(),
                    "n_events": log.n_events,
                    "recommendation_sets": log.recommendation_sets.count(),
                },
            )
            log.delete()
        # The files go once the row is gone for good (a rolled-back purge keeps both).
        observed_invalidate(log)
        delete_frame(log)
        _discard_upload(log)
        purged += 1
    return purged


@transaction.atomic
def log_restore(*, actor, log: EventLog) -> EventLog:
    """Take a log out of the bin."""
    ensure_can_edit(actor, log.organization)
    log.deleted_at = None
    log.save(update_fields=["deleted_at", "updated_at"])
    _audit(actor, "journeys.log.restore", log)
    return log


# --- Observed views computed in the background ------------------------------------------------


def observed_sync_max_events() -> int:
    """The largest log whose uncached views are computed in the request
    (``JOURNEYS_OBSERVED_SYNC_MAX_EVENTS``, 200,000 events by default)."""
    return int(
        getattr(settings, "JOURNEYS_OBSERVED_SYNC_MAX_EVENTS", DEFAULT_OBSERVED_SYNC_MAX_EVENTS)
    )


def observed_in_background(log: EventLog) -> bool:
    """Whether an uncached view of ``log`` is computed by a job rather than in the request."""
    return log.n_events > observed_sync_max_events()


def observed_view_job(log: EventLog, filters: Filters | None = None) -> Job | None:
    """The job last started for this view of ``log`` (any state), or ``None``."""
    marker = observed_job_marker(log, filters)
    if not marker:
        return None
    try:
        return Job.objects.filter(public_id=marker, kind=OBSERVED_JOB_KIND).first()
    except (ValueError, ValidationError):
        return None


def observed_view_start(*, actor, workspace, log: EventLog, filters: Filters | None = None) -> Job:
    """Compute the view of ``log`` under ``filters`` as a background job (whoever may read
    the log may ask for it). A job already queued or running for the same view is returned
    instead of starting a second one."""
    ensure_journey_permission(actor, Permission.JOURNEYS_VIEW, log.organization)
    if log.status != EventLogStatus.READY or log.deleted_at is not None:
        raise ValidationError(_("Ce journal n'est pas prêt."))
    filters = filters or Filters()
    running = observed_view_job(log, filters)
    if running is not None and running.status in (JobStatus.PENDING, JobStatus.RUNNING):
        return running
    job = job_start(
        actor=actor,
        workspace=workspace,
        kind=OBSERVED_JOB_KIND,
        label=_("Calcul de la vue observée du journal « %(name)s »") % {"name": log.name},
        params={"log_id": log.pk, "filters": filters.key()},
    )
    observed_job_mark(log, filters, str(job.public_id))
    return job


def observed_view_run(*, log_id: int, filters: dict, job, progress: JobProgress) -> str:
    """The observed-view job's body: read the log's events, compute the summary stage by
    stage (progress after each) and write it to the cache the page reads."""
    log = EventLog.objects.get(pk=log_id)
    progress.start(1 + SUMMARY_STAGES)
    summary = observed_compute(log, Filters.from_key(filters), step=progress.advance)
    return _("Vue calculée : %(events)s événements.") % {"events": summary.get("n_events", 0)}
