"""Notifications: create one, mark read, preferences. Pushes and e-mails leave after commit."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound
from relais.core.notifications.emails import notification_email_task, send_daily_digests
from relais.core.notifications.models import EmailFrequency, Notification, NotificationPreference
from relais.core.notifications.realtime import push_unread
from relais.core.notifications.selectors import notification_get, notification_preference_get

__all__ = [
    "notification_mark_read",
    "notification_preferences_update",
    "notifications_mark_all_read",
    "notify",
    "send_daily_digests",
]


def _check_local_url(url: str) -> None:
    # A notification links inside Relais only: an absolute or scheme-relative URL in a
    # message would be an open door to phishing.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValidationError(
            {"url": _("Le lien d'une notification doit être un chemin de Relais.")}
        )


@transaction.atomic
def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    category: str,
    workspace=None,
) -> Notification | None:
    """Notify ``recipient``: store the notification, then, once committed, push the new
    unread count to their open pages and, if they asked for it, e-mail it at once
    (otherwise the daily digest or nothing, as they chose).

    ``category`` is a stable code (``jobs.finished``, ``training.exercise.graded``…);
    ``url`` a path inside Relais. Returns ``None`` when the recipient is inactive or has
    turned that category off.
    """
    if not recipient.is_active:
        return None
    preference = notification_preference_get(user=recipient)
    if category in (preference.muted_categories or []):
        return None
    _check_local_url(url)
    notification = Notification(
        recipient=recipient,
        workspace=workspace,
        category=category,
        title=title[:200],
        body=body,
        url=url,
    )
    notification.full_clean()
    notification.save()
    transaction.on_commit(lambda: push_unread(user=recipient, notification=notification))
    if preference.email_frequency == EmailFrequency.IMMEDIATE and recipient.email:
        transaction.on_commit(lambda: notification_email_task(notification.pk))
    return notification


def _as_notification(*, user, notification) -> Notification:
    if isinstance(notification, Notification):
        if notification.recipient_id != user.pk:
            raise NotFound  # someone else's notification does not exist for this user
        return notification
    if isinstance(notification, str | uuid.UUID):
        return notification_get(user=user, public_id=notification)
    raise TypeError("notification: a Notification or its public id")


@transaction.atomic
def notification_mark_read(*, user, notification) -> Notification:
    """Mark one of the user's notifications read (a Notification or its public id);
    another user's raises ``NotFound``. Marking it again changes nothing."""
    notification = _as_notification(user=user, notification=notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        transaction.on_commit(lambda: push_unread(user=user))
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        transaction.on_commit(lambda: push_unread(user=user))
    return count


@transaction.atomic
def notification_preferences_update(
    *, user, email_frequency: str, muted_categories: Iterable[str] = ()
) -> NotificationPreference:
    """Save the user's choice of e-mails (immediate / daily digest / never) and the
    categories they do not want to be notified of at all."""
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    preference.email_frequency = email_frequency
    preference.muted_categories = sorted({c.strip() for c in muted_categories if c.strip()})
    preference.full_clean()
    preference.save()
    return preference
