"""Journeys' kinds of background job, registered from ``JourneysConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from relais.core.jobs.registry import register_job_kind
from relais.journeys.access import ensure_journey_permission
from relais.journeys.permissions import Permission
from relais.journeys.services_logs import IMPORT_JOB_KIND, OBSERVED_JOB_KIND
from relais.journeys.services_recommendations import RANKING_JOB_KIND, ranking_access
from relais.journeys.tasks import log_import_task, observed_view_task
from relais.journeys.tasks_reports import recommendation_ranking_task


def _may_import(user, workspace) -> None:
    # Logs belong to the organization, the job to the workspace it was started from.
    ensure_journey_permission(user, Permission.JOURNEYS_EDIT, workspace.organization)


def _may_view(user, workspace) -> None:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, workspace.organization)


def register_journeys_job_kinds() -> None:
    register_job_kind(
        IMPORT_JOB_KIND,
        log_import_task,
        label=_("Import d'un journal d'événements"),
        access=_may_import,
    )
    register_job_kind(
        OBSERVED_JOB_KIND,
        observed_view_task,
        label=_("Calcul d'une vue des parcours observés"),
        access=_may_view,
    )
    register_job_kind(
        RANKING_JOB_KIND,
        recommendation_ranking_task,
        label=_("Calcul de recommandations classées par gain"),
        access=ranking_access,
    )
