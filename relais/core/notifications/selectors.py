"""Reads of notifications: a user only ever sees their own."""

from django.db.models import QuerySet

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.notifications.models import Notification, NotificationPreference


def notifications_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get(*, user, public_id) -> Notification:
    """The user's notification with this public id; another user's does not exist for them."""
    notification = (
        Notification.objects.filter(
            recipient_id=user.pk, public_id=public_id_or_not_found(public_id)
        )
        .select_related("recipient")
        .first()
    )
    if notification is None:
        raise NotFound
    return notification


def notification_preference_get(*, user) -> NotificationPreference:
    """The user's saved preferences, or the defaults unsaved (reading writes nothing)."""
    preference = NotificationPreference.objects.filter(user_id=user.pk).first()
    return preference or NotificationPreference(user=user)
