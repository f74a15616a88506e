"""Which workspaces a user may enter, the current workspace of a request, and switching."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.workspaces.middleware import SESSION_KEY, CurrentWorkspaceMiddleware
from relais.core.workspaces.models import Membership, WorkspaceKind
from relais.core.workspaces.selectors import (
    default_workspace_for_user,
    workspace_get_for_user,
    workspaces_for_user,
)
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

SWITCH_URL = "/espaces/changer/"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 costs about 0.3 s a user; these tests are not about passwords (see test_accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def second_workspace(organization):
    """Another workspace of the same organization as ``workspace``."""
    return WorkspaceFactory(organization=organization, name="Concession de Villeurbanne")


def names(queryset):
    return sorted(w.name for w in queryset)


# --- workspaces_for_user --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.TRAINER, Role.LEARNER])
def test_non_administrators_see_only_the_workspaces_they_are_members_of(
    role, workspace, second_workspace, other_workspace
):
    user = UserFactory(role=role, organization=workspace.organization, workspaces=[workspace])
    assert names(workspaces_for_user(user=user)) == ["Concession de Lyon"]


def test_a_member_of_two_workspaces_sees_both_once(workspace, other_workspace):
    user = UserFactory(role=Role.AGENT, workspaces=[workspace, other_workspace])
    assert names(workspaces_for_user(user=user)) == ["Concession de Lyon", "Concession de Rennes"]


def test_user_without_membership_sees_none(workspace):
    user = UserFactory(role=Role.AGENT, organization=workspace.organization)
    assert list(workspaces_for_user(user=user)) == []


def test_administrator_sees_every_workspace_of_its_organization_only(
    workspace, second_workspace, other_workspace
):
    admin = UserFactory(role=Role.ADMINISTRATOR, organization=workspace.organization)
    assert names(workspaces_for_user(user=admin)) == [
        "Concession de Lyon",
        "Concession de Villeurbanne",
    ]


def test_administrator_without_organization_falls_back_to_memberships(workspace, other_workspace):
    admin = UserFactory(role=Role.ADMINISTRATOR, organization=None, workspaces=[other_workspace])
    assert names(workspaces_for_user(user=admin)) == ["Concession de Rennes"]


def test_superuser_sees_every_workspace(workspace, second_workspace, other_workspace):
    root = UserFactory(role=Role.AGENT, is_superuser=True, organization=None)
    assert names(workspaces_for_user(user=root)) == [
        "Concession de Lyon",
        "Concession de Rennes",
        "Concession de Villeurbanne",
    ]


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMINISTRATOR])
def test_inactive_user_sees_none(role, workspace):
    user = UserFactory(
        role=role, organization=workspace.organization, workspaces=[workspace], is_active=False
    )
    assert list(workspaces_for_user(user=user)) == []


def test_inactive_superuser_sees_none(workspace):
    root = UserFactory(is_superuser=True, is_active=False)
    assert list(workspaces_for_user(user=root)) == []


def test_anonymous_sees_none(workspace):
    assert list(workspaces_for_user(user=AnonymousUser())) == []


def test_workspace_get_for_user(agent, workspace, other_workspace):
    assert workspace_get_for_user(user=agent, public_id=workspace.public_id) == workspace
    assert workspace_get_for_user(user=agent, public_id=str(workspace.public_id)) == workspace
    assert workspace_get_for_user(user=agent, public_id=other_workspace.public_id) is None
    assert workspace_get_for_user(user=agent, public_id=uuid.uuid4()) is None
    assert workspace_get_for_user(user=agent, public_id="pas-un-uuid") is None
    assert workspace_get_for_user(user=agent, public_id=str(workspace.pk)) is None


def test_default_workspace_prefers_a_live_one(organization):
    sandbox = WorkspaceFactory(
        organization=organization, name="A bac à sable", kind=WorkspaceKind.SANDBOX
    )
    live = WorkspaceFactory(organization=organization, name="Z production", kind=WorkspaceKind.LIVE)
    user = UserFactory(organization=organization, workspaces=[sandbox, live])
    assert default_workspace_for_user(user=user) == live


# --- CurrentWorkspaceMiddleware -------------------------------------------------------------


def run_middleware(user, session_value=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    if session_value is not None:
        request.session[SESSION_KEY] = session_value
    seen = {}

    def get_response(req):
        seen["workspace"] = req.workspace
        return None

    CurrentWorkspaceMiddleware(get_response)(request)
    return seen["workspace"], request.session.get(SESSION_KEY)


def test_middleware_picks_a_default_workspace_and_remembers_it(agent, workspace):
    current, remembered = run_middleware(agent)
    assert current == workspace
    assert remembered == str(workspace.public_id)


def test_middleware_keeps_the_chosen_workspace(agent, workspace, second_workspace):
    Membership.objects.create(workspace=second_workspace, user=agent)
    current, remembered = run_middleware(agent, str(second_workspace.public_id))
    assert current == second_workspace
    assert remembered == str(second_workspace.public_id)


def test_middleware_refuses_a_workspace_the_user_lost_access_to(agent, workspace, second_workspace):
    Membership.objects.create(workspace=second_workspace, user=agent)
    Membership.objects.filter(workspace=second_workspace, user=agent).delete()
    current, remembered = run_middleware(agent, str(second_workspace.public_id))
    assert current == workspace
    assert remembered == str(workspace.public_id)


def test_middleware_refuses_a_foreign_workspace_in_the_session(agent, workspace, other_workspace):
    current, _ = run_middleware(agent, str(other_workspace.public_id))
    assert current == workspace


def test_middleware_gives_none_when_the_last_access_is_gone(agent, workspace):
    Membership.objects.filter(user=agent).delete()
    current, _ = run_middleware(agent, str(workspace.public_id))
    assert current is None


def test_middleware_survives_a_malformed_session_value(agent, workspace):
    current, remembered = run_middleware(agent, "n'importe quoi")
    assert current == workspace
    assert remembered == str(workspace.public_id)


def test_middleware_leaves_anonymous_requests_without_workspace(workspace):
    current, remembered = run_middleware(AnonymousUser())
    assert current is None
    assert remembered is None


def test_revoking_a_membership_takes_effect_on_the_next_request(agent_client, agent, workspace):
    agent_client.get(reverse("accounts:login"))
    assert agent_client.session[SESSION_KEY] == str(workspace.public_id)
    Membership.objects.filter(user=agent).delete()
    response = agent_client.get(reverse("accounts:login"))
    assert response.wsgi_request.workspace is None


# --- WorkspaceSwitchView --------------------------------------------------------------------


def test_switch_url():
    assert reverse("workspaces:switch") == SWITCH_URL


def test_switch_changes_the_workspace_of_the_session(
    agent_client, agent, workspace, second_workspace
):
    Membership.objects.create(workspace=second_workspace, user=agent)
    response = agent_client.post(SWITCH_URL, {"workspace": str(second_workspace.public_id)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert agent_client.session[SESSION_KEY] == str(second_workspace.public_id)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Vous travaillez maintenant dans « Concession de Villeurbanne »."]


def test_switch_is_post_only(agent_client, workspace):
    response = agent_client.get(SWITCH_URL, {"workspace": str(workspace.public_id)})
    assert response.status_code == 405


def test_switch_needs_a_signed_in_user(client, workspace):
    response = client.post(SWITCH_URL, {"workspace": str(workspace.public_id)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_switch_to_a_foreign_workspace_is_not_found(agent_client, workspace, other_workspace):
    agent_client.get(reverse("accounts:login"))
    response = agent_client.post(SWITCH_URL, {"workspace": str(other_workspace.public_id)})
    assert response.status_code == 404
    assert agent_client.session[SESSION_KEY] == str(workspace.public_id)


def test_switch_to_a_workspace_of_the_same_organization_without_membership_is_not_found(
    agent_client, second_workspace
):
    response = agent_client.post(SWITCH_URL, {"workspace": str(second_workspace.public_id)})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["", "pas-un-uuid", "1", "00000000-0000-0000-0000-00000000000"])
def test_switch_with_a_malformed_id_is_not_found(agent_client, workspace, value):
    response = agent_client.post(SWITCH_URL, {"workspace": value})
    assert response.status_code == 404


def test_switch_without_workspace_is_not_found(agent_client, workspace):
    assert agent_client.post(SWITCH_URL, {}).status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/crm/",
        "http://evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
    ],
)
def test_switch_refuses_an_open_redirect(agent_client, workspace, target):
    response = agent_client.post(
        SWITCH_URL, {"workspace": str(workspace.public_id), "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_switch_goes_back_to_a_local_page(agent_client, workspace):
    response = agent_client.post(
        SWITCH_URL, {"workspace": str(workspace.public_id), "next": "/crm/leads/"}
    )
    assert response["Location"] == "/crm/leads/"


def test_switch_leaves_a_record_page_of_the_old_workspace(agent_client, workspace):
    record_page = f"/crm/clients/{uuid.uuid4()}/vehicules/"
    response = agent_client.post(
        SWITCH_URL, {"workspace": str(workspace.public_id), "next": record_page}
    )
    assert response["Location"] == reverse("crm:customer-list")


def test_administrator_can_switch_to_any_workspace_of_its_organization(
    client, workspace, second_workspace
):
    admin = UserFactory(role=Role.ADMINISTRATOR, organization=workspace.organization)
    client.force_login(admin)
    response = client.post(SWITCH_URL, {"workspace": str(second_workspace.public_id)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(second_workspace.public_id)


def test_administrator_cannot_switch_to_another_organization(client, workspace, other_workspace):
    admin = UserFactory(role=Role.ADMINISTRATOR, organization=OrganizationFactory())
    client.force_login(admin)
    assert client.post(SWITCH_URL, {"workspace": str(other_workspace.public_id)}).status_code == 404
