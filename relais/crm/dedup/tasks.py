"""Background work of the de-duplication tools (imported by ``relais.crm.tasks`` for Huey)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from huey.contrib.djhuey import db_task

from relais.core.jobs.models import Job
from relais.core.jobs.services import job_run
from relais.crm.dedup.cleaning import cleaning_apply, cleaning_preview
from relais.crm.dedup.customers import find_duplicate_customers
from relais.crm.dedup.review import duplicate_candidates_store

# Stages of the engine, in order, and the share of the bar each one fills: comparison is
# the long part; preparation and blocking are quick but must show that work has started.
STAGES = {"préparation": (0, 10), "blocage": (10, 20), "comparaison": (20, 95)}
SCALE = 1000


@db_task()
def duplicate_search_task(job_id: int) -> None:
    """Run the duplicate search of job ``job_id``'s workspace and store its candidate pairs."""

    def body(job, progress) -> str:
        progress.start(SCALE)

        def report(stage: str, done: int, total: int) -> None:
            low, high = STAGES.get(stage, (95, 95))
            share = done / total if total else 1
            position = int(SCALE * (low + (high - low) * share) / 100)
            progress.advance(max(0, position - progress.job.done))
            Job.objects.filter(pk=job.pk).update(message=_("Étape : %(stage)s") % {"stage": stage})

        pairs = find_duplicate_customers(
            job.workspace, user=job.owner, explain=True, workers=1, progress=report
        )
        counts = duplicate_candidates_store(workspace=job.workspace, pairs=pairs)
        pending = counts["new"] + counts["updated"]
        return ngettext(
            "%(count)s paire de doublons potentiels à examiner.",
            "%(count)s paires de doublons potentiels à examiner.",
            pending,
        ) % {"count": pending}

    job_run(job_id, body)


@db_task()
def cleaning_apply_task(job_id: int, operations: list, phone_format: str, fingerprint: str) -> None:
    """Apply the cleaning of job ``job_id``: the preview the user saw, or nothing if the base
    changed since (the fingerprint differs)."""

    def body(job, progress) -> str:
        progress.start(2)
        preview = cleaning_preview(
            workspace=job.workspace,
            user=job.owner,
            operations=operations,
            phone_format=phone_format,
        )
        progress.advance(1)
        batch = cleaning_apply(
            actor=job.owner,
            workspace=job.workspace,
            changes=preview.changes,
            operations=operations,
            fingerprint=fingerprint,
        )
        return ngettext(
            "%(count)s valeur corrigée. Le nettoyage peut être annulé depuis la page Nettoyage.",
            "%(count)s valeurs corrigées. Le nettoyage peut être annulé depuis la page Nettoyage.",
            batch.change_count,
        ) % {"count": batch.change_count}

    job_run(job_id, body)
