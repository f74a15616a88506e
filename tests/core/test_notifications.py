"""Notifications: services and their refusals, the list page, e-mails (locmem, then a real
SMTP server on loopback), the daily digest, and the websocket with two real clients."""

import asyncio
import datetime
import json
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.core.exceptions import NotFound
from relais.core.notifications.models import EmailFrequency, Notification
from relais.core.notifications.selectors import (
    notification_get,
    notification_preference_get,
    notifications_for_user,
    unread_count,
)
from relais.core.notifications.services import (
    notification_mark_read,
    notification_preferences_update,
    notifications_mark_all_read,
    notify,
    send_daily_digests,
)
from tests.factories import UserFactory

LIST_URL = "/notifications/"


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RELAIS_SITE_URL = "https://relais.example.fr"
    settings.NOTIFICATIONS_POLL_SECONDS = 0


def _notify(user, title="Export terminé", **kwargs):
    kwargs.setdefault("category", "jobs.finished")
    return notify(recipient=user, title=title, **kwargs)


# --- services and selectors ---------------------------------------------------------------


def test_urls():
    assert reverse("notifications:list") == LIST_URL
    assert reverse("notifications:mark-all-read") == "/notifications/tout-lu/"


def test_notify_stores_the_notification_and_pushes_after_commit(
    agent, workspace, django_capture_on_commit_callbacks, monkeypatch
):
    pushed = []
    monkeypatch.setattr(
        "relais.core.notifications.services.push_unread",
        lambda *, user, notification=None: pushed.append((user.pk, unread_count(user=user))),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = _notify(
            agent, body="Votre fichier est prêt.", url="/taches/x/", workspace=workspace
        )
        assert pushed == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert pushed == [(agent.pk, 1)]
    assert notification.recipient == agent and notification.workspace == workspace
    assert not notification.is_read and notification.category == "jobs.finished"
    assert list(notifications_for_user(user=agent)) == [notification]


def test_notify_refuses_a_link_outside_relais(agent):
    for url in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValidationError):
            _notify(agent, url=url)
    assert not Notification.objects.exists()


def test_an_inactive_user_or_a_muted_category_gets_nothing(agent, supervisor):
    agent.is_active = False
    agent.save()
    assert _notify(agent) is None
    notification_preferences_update(
        user=supervisor, email_frequency=EmailFrequency.DAILY, muted_categories=["jobs.finished"]
    )
    assert _notify(supervisor) is None
    assert _notify(supervisor, category="training.graded") is not None
    assert Notification.objects.count() == 1


def test_selectors_show_a_user_only_their_own(agent, other_agent):
    mine = _notify(agent)
    theirs = _notify(other_agent)
    assert list(notifications_for_user(user=agent)) == [mine]
    assert unread_count(user=agent) == 1
    assert notification_get(user=agent, public_id=mine.public_id) == mine
    with pytest.raises(NotFound):
        notification_get(user=agent, public_id=theirs.public_id)
    with pytest.raises(NotFound):
        notification_get(user=agent, public_id="pas-un-identifiant")


def test_mark_read_is_idempotent_and_refuses_another_users_notification(agent, other_agent):
    mine = _notify(agent)
    theirs = _notify(other_agent)
    with pytest.raises(NotFound):
        notification_mark_read(user=agent, notification=theirs)
    with pytest.raises(NotFound):
        notification_mark_read(user=agent, notification=str(theirs.public_id))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    first = notification_mark_read(user=agent, notification=mine.public_id).read_at
    assert first == timezone.now()
    assert notification_mark_read(user=agent, notification=mine).read_at == first
    assert unread_count(user=agent) == 0 and unread_count(user=other_agent) == 1


def test_mark_all_read_touches_only_the_users_unread(agent, other_agent):
    _notify(agent)
    _notify(agent, title="Deuxième")
    _notify(other_agent)
    assert notifications_mark_all_read(user=agent) == 2
    assert notifications_mark_all_read(user=agent) == 0
    assert unread_count(user=agent) == 0 and unread_count(user=other_agent) == 1


def test_preferences_default_to_the_daily_digest_without_writing(agent):
    preference = notification_preference_get(user=agent)
    assert preference.pk is None and preference.email_frequency == EmailFrequency.DAILY
    with pytest.raises(ValidationError):
        notification_preferences_update(user=agent, email_frequency="hourly")


# --- pages --------------------------------------------------------------------------------


def test_list_page_is_french_with_an_empty_state(agent_client):
    response = agent_client.get(LIST_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Vous n'avez aucune notification pour le moment" in content
    assert 'aria-live="polite"' in content  # the header's badge
    assert "notifications.js" in content


def test_list_page_shows_the_users_notifications_and_paginates(
    agent_client, agent, other_agent, settings
):
    settings.RELAIS_PAGE_SIZE = 2
    for number in range(3):
        _notify(agent, title=f"Message {number}")
    _notify(other_agent, title="Pas pour vous")
    content = agent_client.get(LIST_URL).content.decode()
    assert "Message 2" in content and "Message 1" in content and "Message 0" not in content
    assert "Pas pour vous" not in content
    assert "3 notifications non lues" in content
    assert "Page 1 sur 2" in content
    assert "Message 0" in agent_client.get(LIST_URL + "?page=2").content.decode()


def test_list_page_query_count_is_bounded(agent_client, agent, django_assert_max_num_queries):
    for number in range(10):
        _notify(agent, title=f"Message {number}")
    agent_client.get(LIST_URL)
    with django_assert_max_num_queries(12):
        assert agent_client.get(LIST_URL).status_code == 200


def test_mark_read_and_mark_all_are_post_only(agent_client, agent, other_agent):
    mine = _notify(agent, url="/crm/clients/")
    theirs = _notify(other_agent)
    url = reverse("notifications:mark-read", kwargs={"public_id": mine.public_id})
    assert agent_client.get(url).status_code == 405
    assert agent_client.get(reverse("notifications:mark-all-read")).status_code == 405
    other = reverse("notifications:mark-read", kwargs={"public_id": theirs.public_id})
    assert agent_client.post(other).status_code == 404
    response = agent_client.post(url, {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/crm/clients/"
    assert unread_count(user=agent) == 0
    _notify(agent)
    response = agent_client.post(reverse("notifications:mark-all-read"), follow=True)
    assert "1 notification marquée comme lue." in response.content.decode()
    assert unread_count(user=agent) == 0 and unread_count(user=other_agent) == 1


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_preferences_form_saves_the_choice(agent_client, agent):
    response = agent_client.post(
        reverse("notifications:preferences"), {"email_frequency": "immediate"}, follow=True
    )
    assert "préférences de notification sont enregistrées" in response.content.decode()
    assert notification_preference_get(user=agent).email_frequency == EmailFrequency.IMMEDIATE


# --- e-mails --------------------------------------------------------------------------------


def test_immediate_preference_sends_the_email_after_commit(
    agent, django_capture_on_commit_callbacks
):
    agent.email = "agent@exemple.fr"
    agent.save()
    notification_preferences_update(user=agent, email_frequency=EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(agent, body="Votre fichier est prêt.", url="/taches/1/")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agent@exemple.fr"]
    assert message.subject == "[Relais] Export terminé"
    assert "Bonjour Camille" in message.body
    assert "Votre fichier est prêt." in message.body
    assert "https://relais.example.fr/taches/1/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # The digest does not send it a second time.
    assert send_daily_digests(now=timezone.now()) == 0


def test_daily_preference_sends_nothing_at_once(agent, django_capture_on_commit_callbacks):
    agent.email = "agent@exemple.fr"
    agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(agent)
    assert mail.outbox == []


def _user(email, frequency=None, **kwargs):
    user = UserFactory(email=email, **kwargs)
    if frequency:
        notification_preferences_update(user=user, email_frequency=frequency)
    return user


def test_daily_digest_groups_one_email_per_user_and_only_once(db, fixed_clock):
    alice = _user("alice@exemple.fr", first_name="Alice", last_name="Martin")
    bruno = _user("bruno@exemple.fr", EmailFrequency.DAILY, first_name="Bruno")
    immediate = _user("vite@exemple.fr", EmailFrequency.IMMEDIATE)
    never = _user("jamais@exemple.fr", EmailFrequency.NEVER)
    no_address = _user("")
    old = _notify(alice, title="D'avant-hier")
    fixed_clock.shift(datetime.timedelta(hours=30))
    _notify(alice, title="Export terminé", url="/taches/1/")
    _notify(alice, title="Exercice corrigé", body="Note : 16/20")
    read = _notify(alice, title="Déjà lue")
    notification_mark_read(user=alice, notification=read)
    _notify(bruno, title="Nouvelle session")
    for user in (immediate, never, no_address):
        _notify(user)
    fixed_clock.shift(datetime.timedelta(hours=2))

    assert send_daily_digests(now=timezone.now()) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"alice@exemple.fr", "bruno@exemple.fr"}
    alice_mail = by_recipient["alice@exemple.fr"]
    assert alice_mail.subject == "[Relais] Votre résumé du jour : 2 notifications non lues"
    assert "Bonjour Alice Martin" in alice_mail.body
    assert "Voici les 2 notifications non lues de la journée" in alice_mail.body
    assert alice_mail.body.index("Export terminé") < alice_mail.body.index("Exercice corrigé")
    assert "Note : 16/20" in alice_mail.body
    assert "https://relais.example.fr/taches/1/" in alice_mail.body
    assert "Déjà lue" not in alice_mail.body and "D'avant-hier" not in alice_mail.body
    assert "1 notification non lue" in by_recipient["bruno@exemple.fr"].subject
    old.refresh_from_db()
    assert old.emailed_at is None  # older than the day: left out
    # A second run the same day sends nothing again.
    assert send_daily_digests(now=timezone.now()) == 0
    assert len(mail.outbox) == 2


# --- the real SMTP path: aiosmtpd on a free loopback port ---------------------------------


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.DEFAULT_FROM_EMAIL = "Relais <ne-pas-repondre@relais.example.fr>"
    try:
        yield mailbox
    finally:
        controller.stop()


def _wait_for(mailbox, count):
    deadline = time.monotonic() + 5
    while len(mailbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return mailbox.messages


def test_an_immediate_notification_goes_through_a_real_smtp_server(
    smtp_server, agent, django_capture_on_commit_callbacks
):
    agent.email = "agent@exemple.fr"
    agent.save()
    notification_preferences_update(user=agent, email_frequency=EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(agent, title="Votre export est prêt", body="Clients à relancer : 42 lignes.")
    [(recipients, message)] = _wait_for(smtp_server, 1)
    assert recipients == ["agent@exemple.fr"]
    assert message["To"] == "agent@exemple.fr"
    assert message["From"] == "Relais <ne-pas-repondre@relais.example.fr>"
    assert message["Subject"] == "[Relais] Votre export est prêt"
    body = message.get_content()
    assert "Bonjour Camille" in body
    assert "Clients à relancer : 42 lignes." in body
    assert "préférences de notification" in body


def test_the_daily_digest_goes_through_a_real_smtp_server(db, smtp_server):
    alice = _user("alice@exemple.fr", first_name="Alice", last_name="Martin")
    bruno = _user("bruno@exemple.fr", first_name="Bruno", last_name="Petit")
    _notify(alice, title="Exercice corrigé", body="Note : 16/20")
    _notify(alice, title="Séance de demain à 9 h")
    _notify(bruno, title="Nouveau lead")
    assert send_daily_digests(now=timezone.now()) == 2
    received = {recipients[0]: message for recipients, message in _wait_for(smtp_server, 2)}
    assert set(received) == {"alice@exemple.fr", "bruno@exemple.fr"}
    alice_body = received["alice@exemple.fr"].get_content()
    assert received["alice@exemple.fr"]["Subject"].strip() == (
        "[Relais] Votre résumé du jour : 2 notifications non lues"
    )
    assert "Voici les 2 notifications non lues de la journée" in alice_body
    assert "Exercice corrigé" in alice_body and "Séance de demain à 9 h" in alice_body
    assert "Nouveau lead" not in alice_body
    assert "Nouveau lead" in received["bruno@exemple.fr"].get_content()


# --- the websocket: two real clients --------------------------------------------------------

ORIGIN = (b"origin", b"http://127.0.0.1")


class WebsocketClient(ApplicationCommunicator):
    """A websocket client of the ASGI application, as ``channels.testing``'s communicator
    (which would pull in the daphne server only for its live-server test case)."""

    def __init__(self, application, path: str, headers: list[tuple[bytes, bytes]]):
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 5) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, None

    async def receive_json_from(self, timeout: float = 5):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, timeout: float = 5) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout)


def _session_headers(client, user):
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [ORIGIN, (b"cookie", cookie)]


def _communicator(headers):
    from relais.asgi import application

    return WebsocketClient(application, "/ws/notifications/", headers)


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_pushed_to_its_recipient_only():
    from django.test import Client

    alice = UserFactory(username="alice")
    bruno = UserFactory(username="bruno")
    alice_headers = _session_headers(Client(), alice)
    bruno_headers = _session_headers(Client(), bruno)
    _notify(alice, title="Avant la connexion")

    async def scenario():
        first, second = _communicator(alice_headers), _communicator(bruno_headers)
        assert (await first.connect())[0]
        assert (await second.connect())[0]
        assert await first.receive_json_from() == {"type": "unread", "count": 1}
        assert await second.receive_json_from() == {"type": "unread", "count": 0}

        notification = await database_sync_to_async(_notify)(
            alice, title="Export terminé", url="/taches/1/"
        )
        pushed = await first.receive_json_from(timeout=5)
        assert pushed["type"] == "unread" and pushed["count"] == 2
        assert pushed["notification"]["title"] == "Export terminé"
        assert pushed["notification"]["id"] == str(notification.public_id)
        assert await second.receive_nothing(timeout=0.3)

        await database_sync_to_async(notification_mark_read)(user=alice, notification=notification)
        assert await first.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
        await database_sync_to_async(_notify)(bruno, title="Pour Bruno")
        assert (await second.receive_json_from(timeout=5))["count"] == 1
        assert await first.receive_nothing(timeout=0.3)
        await first.disconnect()
        await second.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_anonymous_or_foreign_origin_sockets_are_refused():
    from django.test import Client

    alice = UserFactory(username="alice")
    headers = _session_headers(Client(), alice)

    async def scenario():
        anonymous = _communicator([ORIGIN])
        connected, _code = await anonymous.connect()
        assert not connected
        foreign = _communicator([(b"origin", b"https://evil.example"), headers[1]])
        connected, _code = await foreign.connect()
        assert not connected
        await anonymous.disconnect()
        await foreign.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_without_a_shared_layer_the_socket_polls_the_count(settings):
    """Another worker process's notification (no push reaches this one) still shows."""
    from django.test import Client

    settings.NOTIFICATIONS_POLL_SECONDS = 0.05
    alice = UserFactory(username="alice")
    headers = _session_headers(Client(), alice)

    async def scenario():
        socket_ = _communicator(headers)
        assert (await socket_.connect())[0]
        assert await socket_.receive_json_from() == {"type": "unread", "count": 0}
        # Written as another process would: no push on this process's layer.
        await database_sync_to_async(Notification.objects.create)(
            recipient=alice, category="jobs.finished", title="Ailleurs"
        )
        assert await socket_.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
        await asyncio.sleep(0.2)
        assert await socket_.receive_nothing(timeout=0.1)  # unchanged: nothing more is sent
        await socket_.disconnect()

    async_to_sync(scenario)()


# --- settings from the environment ----------------------------------------------------------

_PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.CHANNEL_LAYERS['default']['BACKEND'], s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
    "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, s.EMAIL_FILE_PATH.name)"
)


def _settings_with(tmp_path, **environment):
    hidden = {
        "REDIS_URL",
        "EMAIL_HOST",
        "EMAIL_BACKEND",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in hidden and not k.startswith("EMAIL_")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "relais.settings", "RELAIS_VAR_DIR": str(tmp_path)},
        **environment,
    )
    result = subprocess.run(  # noqa: S603 - a fixed command of this repository
        [sys.executable, "-c", _PRINT_SETTINGS],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_demo_defaults_keep_mail_on_disk_and_the_layer_in_memory(tmp_path):
    backend, email_backend, *_rest, mail_dir = _settings_with(tmp_path)
    assert backend == "channels.layers.InMemoryChannelLayer"
    assert email_backend == "django.core.mail.backends.filebased.EmailBackend"
    assert mail_dir == "mail"


def test_redis_and_smtp_come_from_the_environment(tmp_path):
    values = _settings_with(
        tmp_path,
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_HOST="smtp.example.fr",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="relais@example.fr",
    )
    assert values[:6] == [
        "channels_redis.core.RedisChannelLayer",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.fr",
        "587",
        "True",
        "relais@example.fr",
    ]
