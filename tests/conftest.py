"""Shared fixtures. The clock is fixed for every test: 2025-06-15 10:00 Paris time."""

import datetime
import zoneinfo

import pytest
import time_machine

from relais.core.accounts.roles import Role
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, WorkspaceFactory

FIXED_NOW = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def fixed_clock(request):
    if request.node.get_closest_marker("e2e"):
        # The browser and the live server share the real clock; their data is dated relative to it.
        yield None
        return
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hasher(request, settings):
    """Argon2 costs ~0.3 s a user; only the tests about passwords need the real hasher."""
    if request.module.__name__.endswith("test_accounts"):
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def huey_immediate():
    """Run background tasks inline: Huey is built at start-up, so flip the live instance."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Garage du Centre", slug="garage-du-centre")


@pytest.fixture
def workspace(organization):
    return WorkspaceFactory(organization=organization, name="Concession de Lyon")


@pytest.fixture
def other_workspace(db):
    """A workspace of another body, which the users above cannot enter."""
    return WorkspaceFactory(name="Concession de Rennes")


@pytest.fixture
def agent(workspace):
    return UserFactory(
        username="agent",
        role=Role.AGENT,
        organization=workspace.organization,
        workspaces=[workspace],
    )


@pytest.fixture
def supervisor(workspace):
    return UserFactory(
        username="superviseur",
        role=Role.SUPERVISOR,
        organization=workspace.organization,
        workspaces=[workspace],
    )


@pytest.fixture
def other_agent(other_workspace):
    return UserFactory(
        username="autre",
        role=Role.AGENT,
        organization=other_workspace.organization,
        workspaces=[other_workspace],
    )


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def password():
    return PASSWORD
