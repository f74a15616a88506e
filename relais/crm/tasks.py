"""Background work of the CRM, run by the Huey worker (immediately in tests)."""

from django.utils.translation import ngettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from relais.core.downloads import CSV_TYPE
from relais.core.jobs.services import job_attach_file, job_run
from relais.crm.services.deletion import customer_deletion_copies_purge
from relais.crm.services.exports import customer_export_csv, export_filename


@db_task()
def customer_export_task(job_id: int, query: str, status: str, kind: str) -> None:
    """Write the customer CSV export of job ``job_id`` into the job's result file."""

    def body(job, progress) -> str:
        export = customer_export_csv(
            actor=job.owner,
            workspace=job.workspace,
            query=query,
            status=status,
            kind=kind,
            progress=progress,
        )
        job_attach_file(
            job, filename=export_filename(), content=export.content, content_type=CSV_TYPE
        )
        return ngettext("%(count)s client exporté.", "%(count)s clients exportés.", export.rows) % {
            "count": export.rows
        }

    job_run(job_id, body)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_deletion_copies_task() -> int:
    """Every night: forget the personal data kept to undo deletions once the window has passed."""
    return customer_deletion_copies_purge()


from relais.crm.campaigns import tasks as campaign_tasks  # noqa: E402, F401  (Huey discovery)
from relais.crm.dedup import tasks as dedup_tasks  # noqa: E402, F401  (Huey discovery)
from relais.crm.segments import tasks as segment_tasks  # noqa: E402, F401  (Huey discovery)
