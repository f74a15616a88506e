"""Personal API tokens: creation, authentication, revocation; and session authentication."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from relais.core.accounts.models import ApiToken
from relais.core.accounts.services import api_token_create, api_token_revoke
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import NotFound

ME = "/api/me"


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def token_and_key(agent):
    return api_token_create(user=agent, name="Export nocturne")


def test_only_the_digest_of_the_key_is_stored(agent, token_and_key):
    token, key = token_and_key

    assert token.digest == ApiToken.digest_of(key)
    assert token.prefix == key[:8]
    assert len(key) >= 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}
    assert AuditEntry.objects.filter(action="api_token.create", actor=agent).exists()


def test_a_token_needs_a_name(agent):
    with pytest.raises(ValidationError) as excinfo:
        api_token_create(user=agent, name="  ")

    assert "name" in excinfo.value.message_dict


def test_an_inactive_user_gets_no_token(agent):
    agent.is_active = False
    agent.save()

    with pytest.raises(ValidationError, match="désactivé"):
        api_token_create(user=agent, name="Export")


def test_token_authentication(client, agent, token_and_key):
    _token, key = token_and_key

    response = client.get(ME, headers=bearer(key))

    assert response.status_code == 200
    assert response.json()["username"] == agent.username
    assert response.json()["role"] == "agent"


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong-key", "Bearer ", "Token abc", ""],
    ids=["wrong key", "empty key", "other scheme", "no header"],
)
def test_missing_or_wrong_token_gets_401(client, token_and_key, header):
    headers = {"Authorization": header} if header else {}

    response = client.get(ME, headers=headers)

    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]


def test_wrong_token_on_a_write_gets_401_not_a_csrf_error(client, workspace, token_and_key):
    response = client.post(
        f"/api/workspaces/{workspace.public_id}/leads",
        {"last_name": "Martin", "lead_type": "quote"},
        content_type="application/json",
        headers=bearer("wrong-key"),
    )

    assert response.status_code == 401


def test_revoked_token_gets_401(client, agent, token_and_key):
    token, key = token_and_key
    assert client.get(ME, headers=bearer(key)).status_code == 200

    api_token_revoke(user=agent, token_id=token.pk)

    assert client.get(ME, headers=bearer(key)).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()


def test_one_cannot_revoke_someone_elses_token(supervisor, token_and_key):
    token, _key = token_and_key

    with pytest.raises(NotFound):
        api_token_revoke(user=supervisor, token_id=token.pk)

    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_of_an_inactive_user_gets_401(client, agent, token_and_key):
    _token, key = token_and_key
    agent.is_active = False
    agent.save()

    assert client.get(ME, headers=bearer(key)).status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(client, token_and_key, fixed_clock):
    token, key = token_and_key
    client.get(ME, headers=bearer(key))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    fixed_clock.shift(datetime.timedelta(seconds=30))
    client.get(ME, headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    fixed_clock.shift(datetime.timedelta(seconds=31))
    client.get(ME, headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first_use + datetime.timedelta(seconds=61)


def test_create_api_token_command_prints_the_key_once(agent):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", agent.username, "--name", "Script", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=agent)
    assert token.name == "Script"
    assert token.digest == ApiToken.digest_of(key)
    assert key not in err.getvalue()


def test_create_api_token_command_rejects_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "personne", "--name", "Script")


def test_session_authentication(agent_client, agent):
    response = agent_client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == agent.username


def test_session_writes_need_the_csrf_token(agent, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    url = f"/api/workspaces/{workspace.public_id}/leads"
    body = {"last_name": "Martin", "lead_type": "quote"}

    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get("/api/docs")  # the docs page sets the CSRF cookie
    csrf_token = client.cookies["csrftoken"].value
    accepted = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": csrf_token}
    )
    assert accepted.status_code == 201


def test_the_token_alone_needs_no_csrf_token(agent, workspace, token_and_key):
    _token, key = token_and_key
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/workspaces/{workspace.public_id}/leads",
        {"last_name": "Martin", "lead_type": "quote"},
        content_type="application/json",
        headers=bearer(key),
    )

    assert response.status_code == 201
