"""Background work of campaigns: the send job, and the simulated clock following real time."""

from django.utils.translation import ngettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from relais.core.jobs.services import job_run
from relais.crm.campaigns.services import (
    campaign_clock_advance,
    campaign_clock_catch_up,
    campaign_process,
)
from relais.crm.models import Campaign


@db_task()
def campaign_send_task(job_id: int, campaign_id: int) -> None:
    """Render, log and simulate the recipients of campaign ``campaign_id`` with progress."""

    def body(job, progress) -> str:
        campaign = Campaign.objects.select_related("workspace", "sent_by").get(pk=campaign_id)
        sent = campaign_process(campaign=campaign, progress=progress)
        return ngettext(
            "%(count)s message envoyé (simulation).",
            "%(count)s messages envoyés (simulation).",
            sent,
        ) % {"count": sent}

    job_run(job_id, body)


@db_task()
def campaign_clock_advance_task(job_id: int, campaign_id: int, days: int) -> None:
    """Move a large campaign's simulated clock, with progress."""

    def body(job, progress) -> str:
        campaign = Campaign.objects.select_related("workspace", "sent_by").get(pk=campaign_id)
        count = campaign_clock_advance(
            actor=job.owner, campaign=campaign, days=days, progress=progress
        )
        return ngettext(
            "%(count)s réaction s'est produite.", "%(count)s réactions se sont produites.", count
        ) % {"count": count}

    job_run(job_id, body)


@db_periodic_task(crontab(minute="*/10"))
def campaign_clock_task() -> int:
    """Every ten minutes: sent campaigns whose simulated clock lags behind real time catch up."""
    return campaign_clock_catch_up()
