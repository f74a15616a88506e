"""The websocket of a signed-in user's pages: their unread count, live."""

import asyncio
import contextlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from relais.core.notifications.realtime import user_group
from relais.core.notifications.selectors import unread_count

# Close code of a refused socket (not signed in): the page's script does not retry.
CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the user's group and sends ``{"type": "unread", "count": n}`` at connection and
    at every change (with ``"notification"`` when a new one arrives).

    The in-memory layer only reaches sockets of the worker process that sent the push; with
    several workers and no Redis, the socket also re-reads the count every
    ``NOTIFICATIONS_POLL_SECONDS`` (one indexed COUNT) so every page stays right.
    """

    group: str | None = None
    _poller: asyncio.Task | None = None
    _last_count: int | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_count()
        seconds = settings.NOTIFICATIONS_POLL_SECONDS
        if seconds > 0 and isinstance(self.channel_layer, InMemoryChannelLayer):
            self._poller = asyncio.ensure_future(self._poll(seconds))

    async def disconnect(self, code):
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "refresh":
            await self._send_count(force=True)

    async def notification_unread(self, event):
        """A push from ``relais.core.notifications.realtime.push_unread``."""
        self._last_count = event["count"]
        message = {"type": "unread", "count": event["count"]}
        if event.get("notification"):
            message["notification"] = event["notification"]
        await self.send_json(message)

    async def _send_count(self, *, force: bool = True) -> None:
        count = await database_sync_to_async(unread_count)(user=self.scope["user"])
        if force or count != self._last_count:
            self._last_count = count
            await self.send_json({"type": "unread", "count": count})

    async def _poll(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self._send_count(force=False)
