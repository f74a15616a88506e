import pytest

from relais.core.accounts.roles import Role
from relais.core.knowledge.services import entry_create, entry_publish
from tests.factories import UserFactory


@pytest.fixture
def administrator(workspace):
    return UserFactory(
        username="admin-kb", role=Role.ADMINISTRATOR, organization=workspace.organization
    )


@pytest.fixture
def learner(workspace):
    return UserFactory(
        username="learner-kb",
        role=Role.LEARNER,
        organization=workspace.organization,
        workspaces=[workspace],
    )


@pytest.fixture
def make_entry(supervisor, organization):
    """A validated (by default) entry of the fixture organization."""

    def make(question, answer, *, publish=True, **fields):
        entry = entry_create(
            user=supervisor, organization=organization, question=question, answer=answer, **fields
        )
        return entry_publish(user=supervisor, entry=entry) if publish else entry

    return make
