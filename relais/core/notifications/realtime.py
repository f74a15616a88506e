"""Pushing a user's unread count to their open pages over the Channels layer."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from relais.core.notifications.models import Notification
from relais.core.notifications.selectors import unread_count

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's open notification sockets."""
    return f"notifications.user.{user_id}"


def notification_payload(notification: Notification) -> dict:
    return {
        "id": str(notification.public_id),
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "category": notification.category,
        "created_at": notification.created_at.isoformat(),
    }


def push_unread(*, user, notification: Notification | None = None) -> None:
    """Send the user's unread count (and the new notification, if any) to their sockets.

    Called after commit. A layer that cannot be reached (Redis down) loses the push, not
    the notification: the page shows the right count at its next load.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "notification.unread", "count": unread_count(user=user)}
    if notification is not None:
        message["notification"] = notification_payload(notification)
    try:
        async_to_sync(layer.group_send)(user_group(user.pk), message)
    except Exception:  # the push is a convenience; the row is what matters
        logger.warning("notification push to user %s failed", user.pk, exc_info=True)
