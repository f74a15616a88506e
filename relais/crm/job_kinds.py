"""The CRM's kinds of background job, registered from ``CrmConfig.ready()``.

Services start these jobs by kind (``relais.core.jobs.services.job_start``) and never import
the task modules; the task modules import the services they run.
"""

from django.utils.translation import gettext_lazy as _

from relais.core.jobs.registry import register_job_kind
from relais.crm.campaigns.services.clock import CLOCK_JOB_KIND
from relais.crm.campaigns.services.sending import SEND_JOB_KIND
from relais.crm.campaigns.tasks import campaign_clock_advance_task, campaign_send_task
from relais.crm.dedup.cleaning import CLEANING_JOB_KIND
from relais.crm.dedup.review import SEARCH_JOB_KIND
from relais.crm.dedup.tasks import cleaning_apply_task, duplicate_search_task
from relais.crm.permissions import Permission
from relais.crm.segments.services import EXPORT_JOB_KIND as SEGMENT_EXPORT_JOB_KIND
from relais.crm.segments.tasks import segment_export_task
from relais.crm.services.exports import EXPORT_JOB_KIND as CUSTOMER_EXPORT_JOB_KIND
from relais.crm.tasks import customer_export_task


def register_crm_job_kinds() -> None:
    view, edit = Permission.CRM_VIEW.value, Permission.CRM_EDIT.value
    register_job_kind(
        CUSTOMER_EXPORT_JOB_KIND,
        customer_export_task,
        label=_("Export des clients"),
        permission=view,
    )
    register_job_kind(
        SEGMENT_EXPORT_JOB_KIND,
        segment_export_task,
        label=_("Export d'un segment"),
        permission=view,
    )
    register_job_kind(
        SEARCH_JOB_KIND, duplicate_search_task, label=_("Recherche des doublons"), permission=edit
    )
    register_job_kind(
        CLEANING_JOB_KIND, cleaning_apply_task, label=_("Nettoyage de la base"), permission=edit
    )
    register_job_kind(
        SEND_JOB_KIND, campaign_send_task, label=_("Envoi d'une campagne"), permission=edit
    )
    register_job_kind(
        CLOCK_JOB_KIND,
        campaign_clock_advance_task,
        label=_("Horloge d'une campagne"),
        permission=edit,
    )
