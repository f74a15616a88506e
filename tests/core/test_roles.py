"""Roles per membership: the permission registry, permission checks in context, who enters
which workspace, the role services, and the migration from one global role per user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template

from relais.core.accounts import permissions as registry
from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.permissions import (
    ensure_permission,
    organizations_with_permission,
    permissions_of_role,
    permissions_of_user,
    register_permissions,
    registered_permissions,
    user_has_permission,
)
from relais.core.accounts.roles import ANONYMOUS, Role
from relais.core.accounts.selectors import (
    organizations_where,
    roles_held,
    user_can_enter,
    user_has_role,
    users_with_role,
)
from relais.core.accounts.services import organization_role_grant, organization_role_revoke
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.workspaces.models import Membership, WorkspaceKind
from relais.core.workspaces.selectors import users_of_workspace, workspaces_for_user
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

# The single table every role was read from before roles moved onto memberships
# (relais/core/accounts/roles.py, ROLE_PERMISSIONS). The registered grants must equal it.
_EDITOR = {"crm.view", "crm.edit"}
LEGACY_ROLE_PERMISSIONS = {
    "administrator": {
        "crm.view",
        "crm.edit",
        "crm.delete",
        "audit.view",
        "workspace.manage",
        "training.manage",
        "training.practise",
    },
    "supervisor": _EDITOR | {"crm.delete", "audit.view"},
    "agent": _EDITOR,
    "trainer": _EDITOR | {"crm.delete", "audit.view", "workspace.manage", "training.manage"},
    "learner": _EDITOR | {"crm.delete", "training.practise"},
}


@pytest.fixture
def scratch_registry():
    """Lets a test register permissions of a pretend app; the registry is restored after."""
    saved = (
        dict(registry._PERMISSIONS),
        {role: set(codes) for role, codes in registry._GRANTS.items()},
        set(registry._APPS),
    )
    yield
    registry._PERMISSIONS.clear()
    registry._PERMISSIONS.update(saved[0])
    registry._GRANTS.clear()
    registry._GRANTS.update(saved[1])
    registry._APPS.clear()
    registry._APPS.update(saved[2])


@pytest.fixture
def community(scratch_registry):
    """A pretend community app: referents answer, moderators moderate, anyone reads."""
    register_permissions(
        "community_test",
        {
            "community_test.answer": "Répondre",
            "community_test.moderate": "Modérer",
            "community_test.read": "Lire",
        },
        {
            Role.REFERENT: {"community_test.answer"},
            Role.MODERATOR: {"community_test.moderate", "community_test.answer"},
            ANONYMOUS: {"community_test.read"},
        },
    )


# --- the registry ----------------------------------------------------------------------------


LEGACY_CODES = set().union(*LEGACY_ROLE_PERMISSIONS.values())


def test_registered_grants_equal_the_former_single_table():
    # Codes added since (contacts.*, interactions.*, knowledge.*) are checked by their own
    # tests; on the former codes, every role keeps exactly what it had.
    for role, expected in LEGACY_ROLE_PERMISSIONS.items():
        assert permissions_of_role(role) & LEGACY_CODES == expected, role
        assert {"contacts.view", "contacts.edit"} <= permissions_of_role(role), role
    for role in (Role.MODERATOR, Role.MEMBER, Role.REFERENT, ANONYMOUS):
        assert not permissions_of_role(role) & LEGACY_CODES, role
    assert set(registered_permissions()) >= LEGACY_CODES
    assert str(registered_permissions()["crm.delete"]) == "Supprimer des fiches"


def test_each_app_registers_its_own_permissions():
    owners = {code: app for code, (app, _label) in registry._PERMISSIONS.items()}
    # The modules on the kernel name their codes after themselves (their grants are tested
    # in their own tests).
    modules = {"community", "frontdoor", "journeys"}
    assert all(code.startswith(app + ".") for code, app in owners.items() if app in modules)
    owners = {code: app for code, app in owners.items() if app not in modules}
    assert owners == {
        "audit.view": "core",
        "workspace.manage": "core",
        "contacts.view": "core",
        "contacts.edit": "core",
        "interactions.view": "core",
        "knowledge.view": "knowledge",
        "knowledge.edit": "knowledge",
        "knowledge.validate": "knowledge",
        "crm.view": "crm",
        "crm.edit": "crm",
        "crm.delete": "crm",
        "training.manage": "training",
        "training.practise": "training",
    }


def test_registration_is_refused_twice_for_an_app_or_a_code(scratch_registry):
    with pytest.raises(ImproperlyConfigured):
        register_permissions("crm", {"crm.export": "Exporter"}, {})
    with pytest.raises(ImproperlyConfigured):
        register_permissions("other", {"crm.view": "Consulter"}, {})
    assert "crm.export" not in registered_permissions()


def test_registration_refuses_unknown_roles_and_foreign_grants(scratch_registry):
    with pytest.raises(ImproperlyConfigured):
        register_permissions("a", {"a.x": "X"}, {"superhero": {"a.x"}})
    with pytest.raises(ImproperlyConfigured):
        register_permissions("b", {"b.x": "X"}, {Role.AGENT: {"crm.delete"}})
    assert "crm.delete" not in permissions_of_role(Role.AGENT)
    # A refused registration leaves nothing behind, so the app may register again.
    register_permissions("b", {"b.x": "X"}, {Role.AGENT: ["b.x"]})
    assert "b.x" in permissions_of_role(Role.AGENT)


# --- permissions in context ------------------------------------------------------------------


@pytest.fixture
def two_bodies(db):
    cpam, forum = OrganizationFactory(name="CPAM"), OrganizationFactory(name="Forum")
    cpam_desk = WorkspaceFactory(organization=cpam, name="Accueil")
    forum_space = WorkspaceFactory(organization=forum, name="Forum public")
    user = UserFactory(organization=cpam, role=Role.REFERENT, workspaces=[cpam_desk])
    OrganizationMembership.objects.create(user=user, organization=forum, role=Role.MODERATOR)
    Membership.objects.create(user=user, workspace=forum_space)
    return user, cpam, forum, cpam_desk, forum_space


def test_a_referent_here_and_a_moderator_there(community, two_bodies):
    user, cpam, forum, cpam_desk, forum_space = two_bodies
    assert roles_held(user, organization=cpam) == {Role.REFERENT}
    assert roles_held(user, organization=forum.pk) == {Role.MODERATOR}
    assert roles_held(user, workspace=forum_space) == {Role.MODERATOR}
    assert roles_held(user) == {Role.REFERENT, Role.MODERATOR}

    assert user.has_role_permission("community_test.answer", organization=cpam)
    assert not user.has_role_permission("community_test.moderate", organization=cpam)
    assert not user.has_role_permission("community_test.moderate", workspace=cpam_desk)
    assert user.has_role_permission("community_test.moderate", organization=forum)
    assert user.has_role_permission("community_test.moderate", workspace=forum_space)
    ensure_permission(user, "community_test.moderate", forum_space)
    with pytest.raises(AccessDenied):
        ensure_permission(user, "community_test.moderate", cpam_desk)
    # With no context: any role held.
    assert user.has_role_permission("community_test.moderate")
    # Neither role reaches the CRM.
    assert not user.has_role_permission("crm.view")
    assert user_has_role(user, Role.MODERATOR, organization=forum)
    assert not user_has_role(user, Role.MODERATOR, organization=cpam)
    assert list(organizations_where(user, Role.MODERATOR)) == [forum]
    assert list(users_with_role(organization=forum, role=Role.MODERATOR)) == [user]
    assert not users_with_role(organization=cpam, role=Role.MODERATOR).exists()


def test_a_workspace_membership_may_name_its_own_role(two_bodies):
    user, cpam, _forum, cpam_desk, _forum_space = two_bodies
    back_office = WorkspaceFactory(organization=cpam, name="Back-office")
    Membership.objects.create(user=user, workspace=back_office, role=Role.SUPERVISOR)
    assert roles_held(user, workspace=back_office) == {Role.SUPERVISOR}
    assert roles_held(user, workspace=cpam_desk) == {Role.REFERENT}
    assert user.has_role_permission("crm.delete", workspace=back_office)
    assert not user.has_role_permission("crm.delete", workspace=cpam_desk)


def test_a_learners_crm_delete_stays_in_their_sandbox(db):
    organization = OrganizationFactory()
    live = WorkspaceFactory(organization=organization, name="Production")
    sandbox = WorkspaceFactory(organization=organization, kind=WorkspaceKind.SANDBOX)
    learner = UserFactory(organization=organization, role=Role.LEARNER, workspaces=[sandbox])
    assert learner.has_role_permission("crm.delete", workspace=sandbox)
    ensure_permission(learner, "crm.delete", sandbox)
    assert not learner.has_role_permission("crm.delete", workspace=live)
    with pytest.raises(NotFound):
        ensure_permission(learner, "crm.view", live)

    # An agent of the live workspace who also trains in a sandbox: each role in its place.
    agent = UserFactory(organization=organization, role=Role.AGENT, workspaces=[live])
    Membership.objects.create(user=agent, workspace=sandbox, role=Role.LEARNER)
    assert agent.has_role_permission("crm.delete", workspace=sandbox)
    assert agent.has_role_permission("crm.edit", workspace=live)
    assert not agent.has_role_permission("crm.delete", workspace=live)
    with pytest.raises(AccessDenied):
        ensure_permission(agent, "crm.delete", live)


def test_the_anonymous_visitor(community, db):
    visitor = AnonymousUser()
    assert roles_held(visitor) == {ANONYMOUS}
    assert user_has_permission(visitor, "community_test.read")
    assert not user_has_permission(visitor, "community_test.answer")
    assert not user_has_permission(visitor, "crm.view")
    assert not user_has_permission(None, "crm.view")
    assert not organizations_with_permission(visitor, "crm.view").exists()
    with pytest.raises(AccessDenied):
        ensure_permission(visitor, "community_test.read")
    # What a visitor may do, a signed-in user may too; an inactive account may do nothing.
    agent = UserFactory(role=Role.AGENT)
    assert agent.has_role_permission("community_test.read")
    assert "community_test.read" in permissions_of_user(agent)
    agent.is_active = False
    assert not agent.has_role_permission("community_test.read")
    assert permissions_of_user(agent) == set()
    assert roles_held(agent) == set()


def test_a_superuser_may_do_everything_without_a_role(db, workspace):
    root = UserFactory(role=None, organization=None, is_superuser=True)
    assert roles_held(root) == set()
    assert root.has_role_permission("crm.delete", workspace=workspace)
    assert permissions_of_user(root) == set(registered_permissions())
    assert user_can_enter(root, workspace)
    assert organizations_with_permission(root, "crm.view").count() == 1
    ensure_permission(root, "workspace.manage", workspace)
    assert not user_has_role(root, Role.ADMINISTRATOR)


def test_a_user_without_any_role_may_do_nothing(db, workspace):
    nobody = UserFactory(role=None, organization=workspace.organization, workspaces=[workspace])
    assert user_can_enter(nobody, workspace)
    assert not nobody.has_role_permission("crm.view", workspace=workspace)
    with pytest.raises(AccessDenied):
        ensure_permission(nobody, "crm.view", workspace)


def test_permission_checks_read_the_memberships_once(agent, workspace, django_assert_num_queries):
    agent = User.objects.get(pk=agent.pk)
    with django_assert_num_queries(1):
        for _ in range(5):
            ensure_permission(agent, "crm.edit", workspace)
            assert agent.has_role_permission("crm.view")
            assert not agent.has_role_permission("crm.delete", organization=workspace.organization)


def test_a_membership_granted_during_the_request_counts(agent, other_workspace):
    assert not user_can_enter(agent, other_workspace)
    Membership.objects.create(user=agent, workspace=other_workspace, role=Role.AGENT)
    assert user_can_enter(agent, other_workspace)
    ensure_permission(agent, "crm.edit", other_workspace)


def test_the_can_filter(agent, community):
    template = Template('{% load access %}{% if user|can:"crm.edit" %}oui{% else %}non{% endif %}')
    assert template.render(Context({"user": agent})) == "oui"
    assert template.render(Context({"user": AnonymousUser()})) == "non"


def test_the_role_label_filter(two_bodies):
    user, _cpam, _forum, cpam_desk, _forum_space = two_bodies
    template = Template("{% load access %}{{ user|role_label:workspace }}")
    assert template.render(Context({"user": user, "workspace": cpam_desk})) == "Référent"
    anywhere = Template("{% load access %}{{ user|role_label }}")
    assert anywhere.render(Context({"user": user})) == "Modérateur, Référent"
    assert anywhere.render(Context({"user": AnonymousUser()})) == ""


def test_the_page_header_names_the_role_held_in_the_current_workspace(agent_client):
    html = agent_client.get("/", follow=True).content.decode()
    assert '<span class="badge text-bg-light">Agent</span>' in html


# --- who enters which workspace --------------------------------------------------------------


def test_an_administrator_sees_the_workspaces_of_their_organizations_only(db):
    home, elsewhere = OrganizationFactory(), OrganizationFactory()
    home_a = WorkspaceFactory(organization=home)
    home_b = WorkspaceFactory(organization=home)
    shared, private = (
        WorkspaceFactory(organization=elsewhere),
        WorkspaceFactory(organization=elsewhere),
    )
    admin = UserFactory(role=Role.ADMINISTRATOR, organization=home)
    Membership.objects.create(user=admin, workspace=shared, role=Role.AGENT)
    OrganizationMembership.objects.create(user=admin, organization=elsewhere, role=Role.AGENT)

    assert set(workspaces_for_user(user=admin)) == {home_a, home_b, shared}
    assert admin in users_of_workspace(workspace=home_b)
    assert admin in users_of_workspace(workspace=shared)
    assert admin not in users_of_workspace(workspace=private)
    assert list(users_of_workspace(workspace=home_a)).count(admin) == 1
    assert roles_held(admin, workspace=home_b) == {Role.ADMINISTRATOR}
    assert roles_held(admin, workspace=shared) == {Role.AGENT}
    assert roles_held(admin, workspace=private) == set()
    assert admin.has_role_permission("crm.delete", workspace=home_a)
    assert not admin.has_role_permission("crm.delete", workspace=shared)
    with pytest.raises(NotFound):
        ensure_permission(admin, "crm.view", private)


# --- services --------------------------------------------------------------------------------


def test_organization_role_grant_and_revoke(db, supervisor, workspace):
    organization = workspace.organization
    newcomer = UserFactory(role=None, organization=organization)
    assert not newcomer.has_role_permission("crm.view", organization=organization)
    organization_role_grant(
        user=newcomer, organization=organization, role=Role.AGENT, actor=supervisor
    )
    organization_role_grant(
        user=newcomer, organization=organization, role=Role.AGENT, actor=supervisor
    )
    assert OrganizationMembership.objects.filter(user=newcomer).count() == 1
    assert newcomer.has_role_permission("crm.view", organization=organization)
    assert AuditEntry.objects.filter(action="organization_role.grant").count() == 1

    organization_role_revoke(
        user=newcomer, organization=organization, role=Role.AGENT, actor=supervisor
    )
    assert not newcomer.has_role_permission("crm.view", organization=organization)
    assert AuditEntry.objects.filter(action="organization_role.revoke").count() == 1
    organization_role_revoke(user=newcomer, organization=organization, role=Role.AGENT)

    with pytest.raises(ValidationError):
        organization_role_grant(user=newcomer, organization=organization, role=ANONYMOUS)


# --- the migration ---------------------------------------------------------------------------

BEFORE = [
    ("accounts", "0001_initial"),
    ("workspaces", "0001_initial"),
    ("organizations", "0001_initial"),
]


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_existing_users_keep_the_access_they_had():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organization = old.get_model("organizations", "Organization")
    OldUser = old.get_model("accounts", "User")
    Workspace = old.get_model("workspaces", "Workspace")
    OldMembership = old.get_model("workspaces", "Membership")
    home = Organization.objects.create(name="Concession", slug="concession")
    other = Organization.objects.create(name="Autre", slug="autre")
    live = Workspace.objects.create(organization=home, name="Production", kind="live")
    archive = Workspace.objects.create(organization=home, name="Archives", kind="live")
    sandbox = Workspace.objects.create(organization=other, name="Bac", kind="sandbox")
    users = {
        "admin": OldUser.objects.create(username="admin", role="administrator", organization=home),
        "agent": OldUser.objects.create(username="agent", role="agent", organization=home),
        "learner": OldUser.objects.create(username="learner", role="learner", organization=home),
        "orphan": OldUser.objects.create(username="orphan", role="supervisor", organization=None),
    }
    OldMembership.objects.create(user=users["agent"], workspace=live)
    OldMembership.objects.create(user=users["learner"], workspace=sandbox)
    OldMembership.objects.create(user=users["orphan"], workspace=sandbox)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(
        OrganizationMembership.objects.values_list("user__username", "organization__slug", "role")
    ) == {
        ("admin", "concession", "administrator"),
        ("agent", "concession", "agent"),
        ("learner", "concession", "learner"),
    }
    assert set(Membership.objects.values_list("user__username", "role")) == {
        ("agent", "agent"),
        ("learner", "learner"),
        ("orphan", "supervisor"),
    }
    entered = {
        "admin": {"Production", "Archives"},
        "agent": {"Production"},
        "learner": {"Bac"},
        "orphan": {"Bac"},
    }
    legacy_role = {"admin": "administrator", "agent": "agent", "learner": "learner"}
    legacy_role["orphan"] = "supervisor"
    for username, names in entered.items():
        user = User.objects.get(username=username)
        workspaces = list(workspaces_for_user(user=user))
        assert {w.name for w in workspaces} == names, username
        for workspace in workspaces:
            held = permissions_of_user(user, workspace=workspace)
            assert held & LEGACY_CODES == LEGACY_ROLE_PERMISSIONS[legacy_role[username]], username
    assert not {w.name for w in workspaces_for_user(user=User.objects.get(username="agent"))} & {
        archive.name
    }

    # And back: one role per user again.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    roles = dict(old.get_model("accounts", "User").objects.values_list("username", "role"))
    assert roles == legacy_role
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
