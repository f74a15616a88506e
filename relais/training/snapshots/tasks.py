"""Background export of a snapshot, run by the Huey worker (immediately in tests).

The worker registers this task only if the module is imported: ``relais/training/tasks.py``
re-exports it.
"""

import tempfile
from pathlib import Path

from django.core.files import File
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from relais.core.jobs.services import job_run


@db_task()
def snapshot_export_task(job_id: int) -> None:
    """Write the snapshot of the job's workspace into the job's result file."""
    from relais.training.services.snapshots import snapshot_export, snapshot_filename

    def body(job, progress) -> str:
        progress.start(1)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "snapshot.xlsx"
            snapshot_export(actor=job.owner, workspace=job.workspace, path=path)
            with path.open("rb") as handle:
                job.result_file.save(snapshot_filename(job.workspace), File(handle), save=True)
        progress.advance(1)
        return _("La sauvegarde Excel est prête.")

    job_run(job_id, body)
