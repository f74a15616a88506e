"""The front door's kinds of background job, registered from ``FrontdoorConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from relais.core.jobs.registry import register_job_kind
from relais.frontdoor.services.retraining import RETRAIN_JOB_KIND, retrain_job_access
from relais.frontdoor.tasks import routing_retrain_task


def register_frontdoor_job_kinds() -> None:
    register_job_kind(
        RETRAIN_JOB_KIND,
        routing_retrain_task,
        label=_("Réentraînement du modèle d'orientation"),
        access=retrain_job_access,
    )
