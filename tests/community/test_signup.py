"""Public sign-up: the account, the charter's version, the kernel Person, the verification
link (expiry, another community's link), the honeypot, the rate limits, disposable domains,
French errors, read-only until verified, and the password reset."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from relais.community.models import MemberProfile, MemberSettings
from relais.community.services import topic_create
from relais.community.services.signup import (
    charter_hash,
    member_signup,
    verification_profile,
    verification_token,
)
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Person
from relais.core.interactions.models import Interaction
from tests.factories import PersonFactory

User = get_user_model()
PASSWORD = "Pinceau-et-Plume-2025"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _form(**overrides):
    data = {
        "display_name": "Plume libre",
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@exemple.fr",
        "password": PASSWORD,
        "branch": "livre",
        "accept_charter": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def _signup(client, captured, **overrides):
    with captured(execute=True):
        return client.post(reverse("community:signup"), _form(**overrides))


def _link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_sign_up_creates_a_read_only_member_with_the_charter_version(
    client, community, django_capture_on_commit_callbacks
):
    community.charter = "Respect, bienveillance, pas de données personnelles."
    community.save()
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("community:signup-sent")
    user = User.objects.get(email="camille.durand@exemple.fr")
    assert user.username == "camille.durand@exemple.fr" and user.check_password(PASSWORD)
    profile = MemberProfile.objects.get(user=user, community=community)
    assert profile.display_name == "Plume libre" and profile.branch == "livre"
    assert profile.charter_accepted_at is not None
    assert profile.charter_version == charter_hash(community) and len(profile.charter_version) == 64
    assert profile.email_pending and profile.email_verified_at is None
    assert profile.person.email == "camille.durand@exemple.fr" and profile.person_created
    assert AuditEntry.objects.filter(action="community.member.signup").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["camille.durand@exemple.fr"]


def test_the_existing_person_with_the_same_email_is_reused(
    client, community, django_capture_on_commit_callbacks
):
    known = PersonFactory(
        workspace=community.workspace, email="camille.durand@exemple.fr", last_name="Durand"
    )
    _signup(client, django_capture_on_commit_callbacks)
    profile = MemberProfile.objects.get(user__email="camille.durand@exemple.fr")
    assert profile.person_id == known.pk and not profile.person_created
    assert Person.objects.filter(email__iexact="camille.durand@exemple.fr").count() == 1


def test_verification_link_get_writes_nothing_then_post_verifies(
    client, community, public_category, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    profile = MemberProfile.objects.get(user__email="camille.durand@exemple.fr")
    # Unverified: read-only, with a French reason.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Confirmez d'abord votre adresse"):
        topic_create(
            user=profile.user,
            category=public_category,
            title="Une question de cotisations",
            body="Bonjour à toutes et à tous.",
            kind="question",
        )
    link = _link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.content.decode()
    profile.refresh_from_db()
    assert profile.email_pending
    response = client.post(link)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.email_pending and profile.email_verified_at is not None
    assert Interaction.objects.filter(event_code="community.member.verified").count() == 1
    topic = topic_create(
        user=profile.user,
        category=public_category,
        title="Une question de cotisations",
        body="Bonjour à toutes et à tous.",
        kind="question",
    )
    assert topic.pk


def test_an_expired_link_is_refused_in_french(
    client, community, fixed_clock, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    fixed_clock.shift(datetime.timedelta(days=2, hours=23))
    assert client.get(link).status_code == 200  # still valid just before three days
    fixed_clock.shift(datetime.timedelta(hours=2))
    response = client.post(link)
    assert response.status_code == 400
    assert "Ce lien de vérification a expiré" in response.content.decode()
    assert MemberProfile.objects.get(user__email="camille.durand@exemple.fr").email_pending


def test_a_forged_link_or_another_communitys_link_is_not_found(client, community):
    from tests.community.conftest import make_community

    other = make_community(slug="autre")
    profile = member_signup(
        community=other,
        email="x@exemple.fr",
        password=PASSWORD,
        display_name="Autre membre",
        accept_charter=True,
    )
    token = verification_token(profile)
    # The request's community is the first one (the only one on the host is ambiguous now):
    with pytest.raises(Exception) as error:
        verification_profile(community=community, token=token)
    assert error.type.__name__ == "NotFound"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(Exception) as error:
        verification_profile(community=other, token=tampered)
    assert error.type.__name__ == "NotFound"


def test_the_honeypot_creates_nothing(client, community, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 302  # the robot is told nothing
    assert not User.objects.filter(email="camille.durand@exemple.fr").exists()
    assert mail.outbox == []


def test_attempts_are_limited_per_email(client, community):
    for _attempt in range(3):
        response = client.post(reverse("community:signup"), _form(password="1"))
        assert response.status_code == 400
    response = client.post(reverse("community:signup"), _form())
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert not User.objects.filter(email="camille.durand@exemple.fr").exists()


def test_attempts_are_limited_per_ip(client, community):
    for number in range(10):
        client.post(reverse("community:signup"), _form(email=f"n{number}@exemple.fr", password="1"))
    response = client.post(reverse("community:signup"), _form(email="neuf@exemple.fr"))
    assert response.status_code == 429
    other_ip = client.post(
        reverse("community:signup"), _form(email="neuf@exemple.fr"), REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 302


@pytest.mark.parametrize(
    "email", ["quelquun@yopmail.com", "quelquun@sub.mailinator.com"], ids=["yopmail", "subdomain"]
)
def test_disposable_addresses_are_refused(client, community, email):
    response = client.post(reverse("community:signup"), _form(email=email))
    assert response.status_code == 400
    assert "adresses e-mail jetables" in response.content.decode()


def test_the_disposable_list_is_configurable_per_community(client, community):
    MemberSettings.objects.create(community=community, disposable_domains="jetable.example\n")
    refused = client.post(reverse("community:signup"), _form(email="a@jetable.example"))
    assert refused.status_code == 400
    # The community's own list replaces the default one.
    accepted = client.post(reverse("community:signup"), _form(email="b@yopmail.com"))
    assert accepted.status_code == 302


def test_charter_password_and_display_name_errors_are_french(client, community):
    response = client.post(
        reverse("community:signup"),
        _form(accept_charter="", password="123", display_name="Camille Durand"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Acceptez la charte de la communauté" in html
    assert "Ce mot de passe est trop court" in html
    assert not User.objects.filter(email="camille.durand@exemple.fr").exists()
    response = client.post(reverse("community:signup"), _form(display_name="Camille Durand"))
    assert "différent de votre nom civil" in response.content.decode()
    assert not User.objects.filter(email="camille.durand@exemple.fr").exists()


def test_an_existing_account_cannot_sign_up_again(client, community, alice):
    response = client.post(reverse("community:signup"), _form(email="ALICE@exemple.fr"))
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse" in response.content.decode()


def test_a_script_in_the_display_name_is_escaped(
    client, community, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks, display_name="<script>alert(1)</script>")
    profile = MemberProfile.objects.get(user__email="camille.durand@exemple.fr")
    client.force_login(profile.user)
    html = client.get(reverse("community:profile")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_password_reset_by_link_once(client, community, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    response = client.post(reverse("community:password-reset"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 200 and mail.outbox == []  # same page, nothing sent
    response = client.post(
        reverse("community:password-reset"), {"email": "camille.durand@exemple.fr"}
    )
    assert "Si un compte de membre existe" in response.content.decode()
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200
    mismatch = client.post(link, {"new_password1": "Autre-Mot-2025!", "new_password2": "x"})
    assert "ne correspondent pas" in mismatch.content.decode()
    done = client.post(
        link, {"new_password1": "Nouvelle-Palette-77", "new_password2": "Nouvelle-Palette-77"}
    )
    assert done.status_code == 302
    user = User.objects.get(email="camille.durand@exemple.fr")
    assert user.check_password("Nouvelle-Palette-77")
    again = client.get(link)
    assert again.status_code == 400 and "déjà servi" in again.content.decode()


def test_password_reset_link_expires(
    client, community, fixed_clock, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.post(reverse("community:password-reset"), {"email": "camille.durand@exemple.fr"})
    link = _link(mail.outbox[0])
    fixed_clock.shift(datetime.timedelta(hours=3))
    response = client.get(link)
    assert response.status_code == 400 and "Ce lien a expiré" in response.content.decode()


# --- the real SMTP path: the verification e-mail through aiosmtpd on loopback --------------


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    try:
        yield mailbox
    finally:
        controller.stop()


def test_the_verification_email_goes_through_smtp_and_its_link_works(
    client, community, smtp_server, django_capture_on_commit_callbacks
):
    import time

    _signup(client, django_capture_on_commit_callbacks)
    for _tick in range(250):  # up to ~5 s of real time (the test clock is frozen)
        if smtp_server.messages:
            break
        time.sleep(0.02)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["camille.durand@exemple.fr"]
    assert "Confirmez votre adresse e-mail" in message["Subject"]
    body = message.get_content()
    link = re.search(r"http://testserver(/\S+)", body).group(1)
    assert client.post(link).status_code == 302
    assert not MemberProfile.objects.get(user__email="camille.durand@exemple.fr").email_pending


def test_joining_with_an_existing_account_also_keeps_the_charter_version(community, alice):
    profile = MemberProfile.objects.get(user=alice, community=community)
    assert profile.charter_version == charter_hash(community)
    community.charter = "Nouvelle charte : soyez bienveillants."
    community.save()
    assert charter_hash(community) != profile.charter_version  # a new text, a new version
