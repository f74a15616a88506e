"""The ``load_demo`` command: the demo organization, its dealership, school base, class and
the learner's sandbox cloned from the base."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relais.core.accounts.models import User
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import roles_held
from relais.core.knowledge.models import Entry
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.crm.demo.platform import DEMO_PASSWORD, DEMO_SLUG
from relais.crm.models import Customer, Lead
from relais.training.models import Enrollment, SchoolBase, TrainingClass

# The other modules' demos are left out but where a test names them (they are tested in
# their own tests).
SMALL = {"customers": "12", "template_customers": "6", "modules": ""}
LIVE, TEMPLATE = "Concession de démonstration", "Base école de démonstration"
SANDBOX = "Bac à sable de Léa Apprenante"


def _load_demo(*args, **options) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_creates_the_organization_school_base_class_and_sandbox():
    output = _load_demo()
    organization = Organization.objects.get(slug=DEMO_SLUG)
    assert organization.name == "Relais Auto Formation"
    assert organization.primary_colour == "#000091"
    assert organization.header_text and organization.footer_text
    workspaces = {ws.name: ws for ws in organization.workspaces.all()}
    assert set(workspaces) == {LIVE, TEMPLATE, SANDBOX}
    assert workspaces[LIVE].kind == WorkspaceKind.LIVE
    assert workspaces[TEMPLATE].kind == WorkspaceKind.TEMPLATE
    sandbox = workspaces[SANDBOX]
    assert sandbox.kind == WorkspaceKind.SANDBOX and sandbox.template == workspaces[TEMPLATE]
    counts = {name: Customer.objects.in_workspace(ws).count() for name, ws in workspaces.items()}
    # The sandbox is a clone of the school base: same customers.
    assert counts == {LIVE: 12, TEMPLATE: 6, SANDBOX: 6}
    assert set(
        Customer.objects.in_workspace(sandbox).values_list("identity_key", flat=True)
    ) == set(
        Customer.objects.in_workspace(workspaces[TEMPLATE]).values_list("identity_key", flat=True)
    )
    assert Lead.objects.in_workspace(sandbox).exists()
    assert SchoolBase.objects.filter(workspace=workspaces[TEMPLATE]).exists()

    training_class = TrainingClass.objects.get(organization=organization)
    assert training_class.name == "Session de démonstration"
    assert training_class.trainer.username == "formateur"
    enrollment = Enrollment.objects.get(training_class=training_class)
    assert enrollment.learner.username == "apprenant" and enrollment.sandbox == sandbox

    roles = {
        "admin": Role.ADMINISTRATOR,
        "superviseur": Role.SUPERVISOR,
        "agent": Role.AGENT,
        "formateur": Role.TRAINER,
        "apprenant": Role.LEARNER,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.organization == organization
        assert roles_held(user, organization=organization) == {role}
        assert user.check_password(DEMO_PASSWORD)
        assert username in output
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="agent").is_superuser

    def spaces(username):
        return set(
            User.objects.get(username=username).memberships.values_list(
                "workspace__name", flat=True
            )
        )

    # The knowledge base has reference answers: validated by the supervisor, one still a draft.
    entries = Entry.objects.filter(organization=organization)
    assert entries.filter(status=Entry.Status.VALIDATED).count() == 4
    assert entries.filter(status=Entry.Status.DRAFT).count() == 1
    assert {e.validated_by.username for e in entries.exclude(validated_by=None)} == {"superviseur"}

    assert spaces("apprenant") == {SANDBOX}
    assert spaces("agent") == {LIVE}
    assert spaces("formateur") == {TEMPLATE, SANDBOX}
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_reset_recreates():
    _load_demo(modules="community,journeys")
    output = _load_demo(customers="30", modules="community,journeys")
    assert "existe déjà" in output
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name=LIVE)
    assert Customer.objects.in_workspace(live).count() == 12

    _load_demo("--reset", customers="8", modules="community,journeys")
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    live = Workspace.objects.get(name=LIVE)
    assert Customer.objects.in_workspace(live).count() == 8
    assert User.objects.filter(username="admin").count() == 1
    assert TrainingClass.objects.count() == 1 and Enrollment.objects.count() == 1
    assert Entry.objects.filter(organization__slug=DEMO_SLUG).count() == 5  # not doubled
    # The other modules' demos (relais.core.demo) ran each time, and were not doubled either.
    from relais.community.models import Community

    assert Community.objects.count() == 1
    assert "communaute-membre" in output


@pytest.mark.django_db
def test_load_demo_refuses_an_unknown_module():
    with pytest.raises(CommandError, match="Module inconnu pour --modules : forum"):
        _load_demo(modules="community,forum")
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("option", ["customers", "template_customers"])
@pytest.mark.parametrize("value", ["-5", "beaucoup"])
def test_load_demo_refuses_a_bad_count(option, value):
    flag = "--" + option.replace("_", "-")
    with pytest.raises(CommandError, match=flag):
        _load_demo(**{option: value})
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_load_demo_has_no_sandbox_customers_option_any_more():
    """The learner's sandbox is a copy of the school base: no option pretends to size it."""
    with pytest.raises(CommandError, match="sandbox-customers"):
        call_command("load_demo", "--sandbox-customers", "4", stdout=StringIO())
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_load_demo_refuses_a_username_taken_elsewhere():
    User.objects.create_user(username="agent", password="x")
    with pytest.raises(CommandError, match="agent"):
        _load_demo()
    assert not Organization.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db
def test_the_trainer_lands_in_the_school_base(client):
    """README: ``formateur`` works in « Base école de démonstration », not a learner's sandbox."""
    _load_demo()
    client.post("/comptes/connexion/", {"username": "formateur", "password": DEMO_PASSWORD})
    page = client.get("/crm/clients/", follow=True)
    assert page.status_code == 200
    from relais.core.workspaces.middleware import SESSION_KEY
    from relais.core.workspaces.selectors import default_workspace_for_user

    trainer = User.objects.get(username="formateur")
    assert default_workspace_for_user(user=trainer).name == TEMPLATE
    assert TEMPLATE in page.content.decode()
    assert client.session[SESSION_KEY] == str(Workspace.objects.get(name=TEMPLATE).public_id)
    learner = User.objects.get(username="apprenant")
    assert default_workspace_for_user(user=learner).name == SANDBOX
    agent = User.objects.get(username="agent")
    assert default_workspace_for_user(user=agent).name == LIVE


@pytest.mark.django_db
def test_the_modules_demo_accounts_reach_their_pages():
    from django.test import Client

    _load_demo(modules="community,journeys")
    for username, url in (
        ("communaute-membre", "/communaute/"),
        ("communaute-admin", "/communaute/pilotage/"),
        ("analyste", "/parcours/"),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(url, follow=True)
        assert response.status_code == 200, (username, url)
    # A visitor of a site with one community finds it, even where the dealership's branding
    # is the default one.
    assert Client().get("/communaute/").status_code == 200
