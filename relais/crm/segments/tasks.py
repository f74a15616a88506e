"""Background export of a segment (CSV or xlsx), with progress on the job page."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from huey.contrib.djhuey import db_task

from relais.core.jobs.services import job_attach_file, job_run
from relais.crm.models import Segment
from relais.crm.segments.services import segment_export


@db_task()
def segment_export_task(job_id: int, segment_pk: int, fmt: str) -> None:
    """Write the export of job ``job_id`` into the job's result file."""

    def body(job, progress) -> str:
        # The segment of the job's own workspace only: a stale or forged id finds nothing.
        segment = Segment.objects.in_workspace(job.workspace).get(pk=segment_pk)
        try:
            export = segment_export(actor=job.owner, segment=segment, fmt=fmt, progress=progress)
        except ValidationError as exc:
            # The job page shows the French sentence, not a list's repr.
            raise ValueError(" ".join(exc.messages)) from exc
        job_attach_file(
            job,
            filename=export.filename,
            content=export.content,
            content_type=export.content_type,
        )
        return ngettext("%(count)s client exporté.", "%(count)s clients exportés.", export.rows) % {
            "count": export.rows
        }

    job_run(job_id, body)
