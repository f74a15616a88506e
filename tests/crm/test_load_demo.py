"""The ``load_demo`` command: the demo organization, its workspaces, accounts and data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relais.core.accounts.models import User
from relais.core.accounts.roles import Role
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.crm.demo.platform import DEMO_PASSWORD, DEMO_SLUG
from relais.crm.models import Customer

SMALL = {"customers": "12", "template_customers": "6", "sandbox_customers": "4"}


def _load_demo(*args, **options) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_creates_the_organization_workspaces_and_accounts():
    output = _load_demo()
    organization = Organization.objects.get(slug=DEMO_SLUG)
    assert organization.name == "Relais Auto Formation"
    assert organization.primary_colour == "#000091"
    assert organization.header_text and organization.footer_text
    workspaces = {ws.name: ws for ws in organization.workspaces.all()}
    assert workspaces["Concession de démonstration"].kind == WorkspaceKind.LIVE
    assert workspaces["Base école 2025"].kind == WorkspaceKind.TEMPLATE
    sandbox = workspaces["Bac à sable de l'apprenant"]
    assert (
        sandbox.kind == WorkspaceKind.SANDBOX and sandbox.template == workspaces["Base école 2025"]
    )
    counts = {name: Customer.objects.in_workspace(ws).count() for name, ws in workspaces.items()}
    assert counts == {
        "Concession de démonstration": 12,
        "Base école 2025": 6,
        "Bac à sable de l'apprenant": 4,
    }

    roles = {
        "admin": Role.ADMINISTRATOR,
        "superviseur": Role.SUPERVISOR,
        "agent": Role.AGENT,
        "formateur": Role.TRAINER,
        "apprenant": Role.LEARNER,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.role == role and user.organization == organization
        assert user.check_password(DEMO_PASSWORD)
        assert username in output
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="agent").is_superuser
    learner_spaces = set(
        User.objects.get(username="apprenant").memberships.values_list("workspace__name", flat=True)
    )
    assert learner_spaces == {"Bac à sable de l'apprenant"}
    agent_spaces = set(
        User.objects.get(username="agent").memberships.values_list("workspace__name", flat=True)
    )
    assert agent_spaces == {"Concession de démonstration"}
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_reset_recreates():
    _load_demo()
    output = _load_demo(customers="30")
    assert "existe déjà" in output
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name="Concession de démonstration")
    assert Customer.objects.in_workspace(live).count() == 12

    _load_demo("--reset", customers="8")
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name="Concession de démonstration")
    assert Customer.objects.in_workspace(live).count() == 8
    assert User.objects.filter(username="admin").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-5", "beaucoup"])
def test_load_demo_refuses_a_bad_count(value):
    with pytest.raises(CommandError, match="--customers"):
        _load_demo(customers=value)
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_load_demo_refuses_a_username_taken_elsewhere():
    User.objects.create_user(username="agent", password="x")
    with pytest.raises(CommandError, match="agent"):
        _load_demo()
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()
