"""The e-mails of notifications: one at once, or the day's digest."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from huey.contrib.djhuey import db_task

from relais.core.notifications.models import EmailFrequency, Notification

DIGEST_WINDOW = timedelta(hours=24)


def _absolute(url: str) -> str:
    return f"{settings.RELAIS_SITE_URL.rstrip('/')}{url}" if url else ""


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    context = {**context, "site_url": settings.RELAIS_SITE_URL.rstrip("/")}
    EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=render_to_string(template, context),
        to=[to],
    ).send()


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification to its recipient now (their preference is "immediate").

    Sends nothing when it was already e-mailed, already read, or the recipient has no
    e-mail address or is no longer active; returns whether a message left.
    """
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at or notification.read_at:
        return False
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active:
        return False
    _send(
        to=recipient.email,
        subject=notification.title,
        template="notifications/email/notification.txt",
        context={
            "user": recipient,
            "notification": notification,
            "link": _absolute(notification.url),
        },
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def send_daily_digests(*, now: datetime | None = None) -> int:
    """One e-mail per user who prefers the daily digest (the default) and has unread,
    not yet e-mailed notifications from the last 24 hours; marks them e-mailed, so a
    second run sends nothing again. Returns the number of e-mails sent."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gt=now - DIGEST_WINDOW,
            created_at__lte=now,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .filter(
            Q(recipient__notification_preference__isnull=True)
            | Q(recipient__notification_preference__email_frequency=EmailFrequency.DAILY)
        )
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    for notifications in by_user.values():
        recipient = notifications[0].recipient
        count = len(notifications)
        _send(
            to=recipient.email,
            subject=ngettext(
                "Votre résumé du jour : %(count)d notification non lue",
                "Votre résumé du jour : %(count)d notifications non lues",
                count,
            )
            % {"count": count},
            template="notifications/email/digest.txt",
            context={
                "user": recipient,
                "items": [(n, _absolute(n.url)) for n in notifications],
                "count": count,
                "list_link": _absolute(_list_url()),
            },
        )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    return len(by_user)


def _list_url() -> str:
    try:
        return reverse("notifications:list")
    except NoReverseMatch:  # a project that does not mount the list page
        return ""


@db_task()
def notification_email_task(notification_id: int) -> bool:
    """Send one notification's e-mail from the task worker, never from a request."""
    return notification_email_send(notification_id=notification_id)
