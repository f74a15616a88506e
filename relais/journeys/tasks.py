"""Background work of journeys, run by the Huey worker (immediately in tests)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from relais.core.jobs.services import job_run
from relais.journeys.services_logs import log_import_run, logs_purge_binned, observed_view_run


@db_task()
def log_import_task(job_id: int, log_id: int) -> None:
    """Import (or extract) the event log ``log_id`` under job ``job_id``."""
    job_run(job_id, lambda job, progress: log_import_run(log_id=log_id, job=job, progress=progress))


@db_task()
def observed_view_task(job_id: int, log_id: int, filters: dict) -> None:
    """Compute one observed view of the log ``log_id`` (a large log, not cached yet)."""
    job_run(
        job_id,
        lambda job, progress: observed_view_run(
            log_id=log_id, filters=filters, job=job, progress=progress
        ),
    )


@db_periodic_task(crontab(hour="3", minute="47"))
def purge_binned_logs_task() -> int:
    """Every night: purge the event logs in the bin for longer than the retention."""
    return logs_purge_binned()
