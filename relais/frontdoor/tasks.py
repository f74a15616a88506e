"""Background work of the front door: the morning reminders and escalations, and the
retraining of a network's routing model (a job started from the « Modèle d'orientation »
page)."""

from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from relais.core.jobs.services import job_run
from relais.frontdoor.models import Network
from relais.frontdoor.services.reminders import reminders_send
from relais.frontdoor.services.retraining import routing_retrain


# Huey runs in UTC: 6:30 UTC is 7:30 in Paris in winter, 8:30 in summer.
@db_periodic_task(crontab(day_of_week="1-5", hour="6", minute="30"))
def reminders_task() -> dict[str, int]:
    return reminders_send()


@db_task()
def routing_retrain_task(job_id: int, network_id: int) -> None:
    """Retrain the network's routing model; the job shows the five steps as they pass."""

    def body(job, progress) -> str:
        network = Network.objects.get(pk=network_id)
        progress.start(5)

        def step(number, label):
            if number > 1:
                progress.advance(1)

        row = routing_retrain(actor=job.owner, network=network, progress=step)
        accuracy = "—" if row.accuracy is None else f"{round(100 * row.accuracy)} %"
        return _(
            "Modèle %(version)s actif : %(examples)s orientations confirmées, exactitude "
            "%(accuracy)s sur %(held)s demandes de contrôle."
        ) % {
            "version": row.version,
            "examples": row.examples,
            "accuracy": accuracy,
            "held": row.evaluated_on,
        }

    job_run(job_id, body)
