"""Background export of a snapshot, run by the Huey worker (immediately in tests).

The worker registers this task only if the module is imported: ``relais/training/tasks.py``
re-exports it. Services start it by its job kind (``relais/training/job_kinds.py``).
"""

import tempfile
from pathlib import Path

from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from relais.core.downloads import XLSX_TYPE
from relais.core.jobs.services import job_attach_file, job_run
from relais.training.services.snapshots import snapshot_export, snapshot_filename


@db_task()
def snapshot_export_task(job_id: int) -> None:
    """Write the snapshot of the job's workspace into the job's result file."""

    def body(job, progress) -> str:
        progress.start(1)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "snapshot.xlsx"
            snapshot_export(actor=job.owner, workspace=job.workspace, path=path)
            job_attach_file(
                job,
                filename=snapshot_filename(job.workspace),
                path=path,
                content_type=XLSX_TYPE,
            )
        progress.advance(1)
        return _("La sauvegarde Excel est prête.")

    job_run(job_id, body)
