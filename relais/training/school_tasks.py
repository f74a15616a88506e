"""Background generation of a school database, run by the Huey worker (immediately in tests).

The worker registers this task only if the module is imported: ``relais/training/tasks.py``
re-exports it. Services start it by its job kind (``relais/training/job_kinds.py``).
"""

from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from relais.core.jobs.services import job_run
from relais.training.services.school import school_base_generate


@db_task()
def school_base_generate_task(job_id: int, name: str, customers: int, seed: int) -> None:
    """Generate the school database asked for by job ``job_id``."""

    def body(job, progress) -> str:
        progress.start(max(customers, 1))
        reported = [0]

        def advance(done: int, _total: int) -> None:
            progress.advance(done - reported[0])
            reported[0] = done

        school_base = school_base_generate(
            actor=job.owner,
            organization=job.owner.organization,
            name=name,
            customers=customers,
            seed=seed,
            progress=advance,
        )
        job.workspace = school_base.workspace
        job.save(update_fields=["workspace", "updated_at"])
        return _("Base école « %(name)s » créée : %(count)s clients, %(anomalies)s anomalies.") % {
            "name": name,
            "count": customers,
            "anomalies": school_base.anomalies.count(),
        }

    job_run(job_id, body)
