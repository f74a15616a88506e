"""Background reset of a whole class's sandboxes, run by the Huey worker (immediately in tests).

The worker registers this task only if the module is imported: ``relais/training/tasks.py``
re-exports it. Services start it by its job kind (``relais/training/job_kinds.py``).
"""

from huey.contrib.djhuey import db_task

from relais.core.jobs.services import job_run
from relais.training.services.class_reset import class_reset_run


@db_task()
def class_reset_task(job_id: int, class_id: int) -> None:
    """Reset every sandbox of the class asked for by job ``job_id``."""
    job_run(
        job_id, lambda job, progress: class_reset_run(job=job, class_id=class_id, progress=progress)
    )
