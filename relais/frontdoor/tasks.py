"""Background work of the front door: the morning reminders and escalations."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from relais.frontdoor.services.reminders import reminders_send


# Huey runs in UTC: 6:30 UTC is 7:30 in Paris in winter, 8:30 in summer.
@db_periodic_task(crontab(day_of_week="1-5", hour="6", minute="30"))
def reminders_task() -> dict[str, int]:
    return reminders_send()
