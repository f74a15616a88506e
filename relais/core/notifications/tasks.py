"""Periodic work of notifications: the daily digest. (The e-mail of one notification is
queued by ``emails.notification_email_task``, which the notify service calls.)"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from relais.core.notifications.emails import send_daily_digests


# Huey runs in UTC: 17:00 UTC is 18:00 in Paris in winter, 19:00 in summer.
@db_periodic_task(crontab(hour="17", minute="0"))
def daily_digest_task() -> int:
    return send_daily_digests()
