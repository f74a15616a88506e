"""The deliverables' background job kind, registered from ``JourneysConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from relais.core.jobs.registry import register_job_kind
from relais.journeys.services_recommendations import DELIVERABLE_JOB_KIND, deliverable_access
from relais.journeys.tasks_reports import deliverable_pdf_task


def register_report_job_kinds() -> None:
    register_job_kind(
        DELIVERABLE_JOB_KIND,
        deliverable_pdf_task,
        label=_("PDF d'un livrable des parcours"),
        access=deliverable_access,
    )
