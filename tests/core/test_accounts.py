"""Sign-in: password hashing, throttling with django-axes, French pages, POST-only logout."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher
from django.urls import reverse

from relais.core.accounts.models import User
from relais.core.accounts.permissions import registered_permissions
from relais.core.accounts.roles import Role
from tests.factories import UserFactory

LOGIN_URL = "/comptes/connexion/"
LOGOUT_URL = "/comptes/deconnexion/"
WRONG = "pas-le-bon-mot-de-passe"


def test_urls():
    assert reverse("accounts:login") == LOGIN_URL
    assert reverse("accounts:logout") == LOGOUT_URL


def test_new_passwords_are_hashed_with_argon2(db):
    assert get_hasher().algorithm == "argon2"
    user = User.objects.create_user(username="camille", password="un-long-mot-de-passe-7")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert check_password("un-long-mot-de-passe-7", user.password)
    assert not check_password("un-autre", user.password)


def test_a_legacy_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(client, db, password):
    from django.contrib.auth.hashers import make_password

    user = UserFactory(username="ancien")
    User.objects.filter(pk=user.pk).update(password=make_password(password, hasher="pbkdf2_sha256"))
    response = client.post(LOGIN_URL, {"username": "ancien", "password": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_login_page_is_in_french(client, organization):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "<h1" in content and "Connexion" in content
    assert "Identifiant" in content
    assert "Mot de passe" in content
    assert "Se connecter" in content
    assert 'autocomplete="current-password"' in content


def test_login_page_renders_before_any_organization_exists(client, db):
    assert client.get(LOGIN_URL).status_code == 200


def test_right_password_signs_in(client, agent, password):
    response = login(client, "agent", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[AUTH_SESSION_KEY] == str(agent.pk)


def test_wrong_password_is_refused_with_a_french_message(client, agent):
    response = login(client, "agent", WRONG)
    assert response.status_code == 200
    assert AUTH_SESSION_KEY not in client.session
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_inactive_user_cannot_sign_in(client, agent, password):
    agent.is_active = False
    agent.save()
    response = login(client, "agent", password)
    assert response.status_code == 200
    assert AUTH_SESSION_KEY not in client.session


def test_right_password_after_four_failures_still_works(client, agent, password):
    for _ in range(4):
        assert login(client, "agent", WRONG).status_code == 200
    response = login(client, "agent", password)
    assert response.status_code == 302
    assert client.session[AUTH_SESSION_KEY] == str(agent.pk)
    # A success wipes the count: four more failures do not lock yet.
    client.logout()
    for _ in range(4):
        login(client, "agent", WRONG)
    assert login(client, "agent", password).status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(client, agent, password):
    for _ in range(4):
        assert login(client, "agent", WRONG).status_code == 200
    fifth = login(client, "agent", WRONG)
    assert fifth.status_code == 429
    response = login(client, "agent", password)
    assert response.status_code == 429
    assert AUTH_SESSION_KEY not in client.session
    content = response.content.decode()
    assert "Compte temporairement bloqué" in content
    assert "Réessayez dans 15 minutes" in content
    assert '<html lang="fr"' in content
    assert AccessAttempt.objects.filter(username="agent").exists()


def test_lock_ends_after_the_cool_off(client, agent, password, fixed_clock):
    for _ in range(5):
        login(client, "agent", WRONG)
    assert login(client, "agent", password).status_code == 429
    fixed_clock.shift(16 * 60)
    assert login(client, "agent", password).status_code == 302


def test_lock_is_per_username(client, agent, supervisor, password):
    for _ in range(5):
        login(client, "agent", WRONG)
    assert login(client, "agent", password).status_code == 429
    assert login(client, "superviseur", password).status_code == 302


def test_logout_is_post_only(agent_client, agent):
    response = agent_client.get(LOGOUT_URL)
    assert response.status_code == 405
    assert agent_client.session[AUTH_SESSION_KEY] == str(agent.pk)
    response = agent_client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert AUTH_SESSION_KEY not in agent_client.session


def test_logout_needs_the_csrf_token(agent, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(LOGOUT_URL).status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.AGENT, {"crm.view", "crm.edit"}),
        (Role.SUPERVISOR, {"crm.view", "crm.edit", "crm.delete", "audit.view"}),
        (Role.LEARNER, {"crm.view", "crm.edit", "crm.delete", "training.practise"}),
        (
            Role.TRAINER,
            {
                "crm.view",
                "crm.edit",
                "crm.delete",
                "audit.view",
                "workspace.manage",
                "training.manage",
            },
        ),
        (Role.ADMINISTRATOR, set(registered_permissions())),
    ],
)
def test_role_permissions(db, role, allowed):
    # Every staff role works with contacts and reads the interaction log.
    allowed = allowed | {"contacts.view", "contacts.edit", "interactions.view"}
    user = UserFactory(role=role)
    # The knowledge base's permissions are checked in tests/core/knowledge/test_services.py,
    # each module's own (community, front door, journeys) in that module's tests.
    elsewhere = ("knowledge.", "community.", "frontdoor.", "journeys.")
    allowed = {p for p in allowed if not p.startswith(elsewhere)}
    codes = [p for p in registered_permissions() if not p.startswith(elsewhere)]
    assert {p for p in codes if user.has_role_permission(p)} == allowed
    user.is_active = False
    assert not any(user.has_role_permission(p) for p in codes)


def test_new_hashes_use_owasp_minimum_argon2id_parameters(db):
    hasher = get_hasher()
    user = User.objects.create_user(username="owasp", password="un-long-mot-de-passe-7")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    params = hasher.decode(user.password)["params"]
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert not hasher.must_update(user.password)


def test_a_hash_with_django_default_argon2_parameters_is_upgraded_at_sign_in(client, db, password):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = UserFactory(username="ancien-argon2")
    django_default = Argon2PasswordHasher()  # m=102400, t=2, p=8
    legacy = django_default.encode(password, django_default.salt())
    assert identify_hasher(legacy).decode(legacy)["params"].memory_cost == 102400
    User.objects.filter(pk=user.pk).update(password=legacy)
    response = client.post(LOGIN_URL, {"username": "ancien-argon2", "password": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert get_hasher().decode(user.password)["params"].memory_cost == 19456


def _http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.mark.django_db(transaction=True)
def test_a_slow_password_check_does_not_hold_up_other_requests(monkeypatch, password):
    """Through the ASGI application, as uvicorn serves it: while one sign-in's Argon2 check
    runs (slowed to 3 s here), another request of the same process is answered."""
    import asyncio
    import threading
    import time
    from urllib.parse import urlencode

    from asgiref.testing import ApplicationCommunicator
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from relais.asgi import application

    UserFactory(username="lente")
    verify = Argon2PasswordHasher.verify
    checking, checked = threading.Event(), threading.Event()

    def slow_verify(self, password, encoded):
        checking.set()
        time.sleep(3)
        checked.set()
        return verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", slow_verify)
    csrf = "a" * 32  # an unmasked CSRF secret, sent as cookie and as field
    body = urlencode({"csrfmiddlewaretoken": csrf, "username": "lente", "password": password})

    async def get_page():
        page = ApplicationCommunicator(application, _http_scope("GET", LOGIN_URL, []))
        await page.send_input({"type": "http.request", "body": b""})
        return await page.receive_output(timeout=30)

    async def scenario():
        await get_page()  # warm: the first request imports and compiles what pages need
        login = ApplicationCommunicator(
            application,
            _http_scope(
                "POST",
                LOGIN_URL,
                [
                    (b"content-type", b"application/x-www-form-urlencoded"),
                    (b"cookie", f"csrftoken={csrf}".encode()),
                ],
            ),
        )
        await login.send_input({"type": "http.request", "body": body.encode()})
        while not checking.is_set():  # the password check is under way
            await asyncio.sleep(0.01)
        answer = await get_page()
        answered_during_check = not checked.is_set()
        signed_in = await login.receive_output(timeout=30)
        return answer["status"], answered_during_check, signed_in["status"]

    # asyncio.run, not async_to_sync: an outer async_to_sync would run every request's sync
    # code in this one thread, which uvicorn does not.
    status, answered_during_check, login_status = asyncio.run(scenario())
    assert status == 200 and login_status == 302
    assert answered_during_check, "the page waited behind the password check"
