"""The training app's kinds of background job, registered from ``TrainingConfig.ready()``.

Services start these jobs by kind (``relais.core.jobs.services.job_start``) and never import
the task modules; the task modules import the services they run.
"""

from django.utils.translation import gettext_lazy as _

from relais.core.jobs.registry import register_job_kind
from relais.training.class_tasks import class_reset_task
from relais.training.permissions import Permission
from relais.training.school_tasks import school_base_generate_task
from relais.training.services.class_reset import JOB_KIND as CLASS_RESET_JOB_KIND
from relais.training.services.school import JOB_KIND as SCHOOL_JOB_KIND
from relais.training.services.snapshots import EXPORT_JOB_KIND as SNAPSHOT_JOB_KIND
from relais.training.services.snapshots import snapshot_workspace_check
from relais.training.snapshots.tasks import snapshot_export_task


def register_training_job_kinds() -> None:
    register_job_kind(
        SCHOOL_JOB_KIND,
        school_base_generate_task,
        label=_("Génération d'une base école"),
        permission=Permission.TRAINING_MANAGE.value,
    )
    # A snapshot belongs to a sandbox or a school database: its own rule (trainer of the
    # learner, the learner themselves) decides who may have the workbook.
    register_job_kind(
        SNAPSHOT_JOB_KIND,
        snapshot_export_task,
        label=_("Sauvegarde Excel d'un espace"),
        access=snapshot_workspace_check,
    )
    register_job_kind(
        CLASS_RESET_JOB_KIND,
        class_reset_task,
        label=_("Réinitialisation des bacs à sable d'une session"),
        permission=Permission.TRAINING_MANAGE.value,
    )
