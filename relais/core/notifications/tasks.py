"""Background work of notifications: e-mails, sent by the task worker, never by a request."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from relais.core.notifications.emails import notification_email_send, send_daily_digests


@db_task()
def notification_email_task(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


# Huey runs in UTC: 17:00 UTC is 18:00 in Paris in winter, 19:00 in summer.
@db_periodic_task(crontab(hour="17", minute="0"))
def daily_digest_task() -> int:
    return send_daily_digests()
