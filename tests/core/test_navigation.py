"""The navigation registry, its permission filter, and the staff navigation it renders."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from relais.core import navigation
from relais.core.accounts.roles import Role
from relais.core.navigation import nav_entries_for, register_nav_entry, registered_nav_entries
from tests.factories import UserFactory

CRM_ENTRIES = [
    ("crm:customer-list", "Clients"),
    ("crm:lead-list", "Leads"),
    ("crm:dashboard", "Tableau de bord"),
    ("crm:agenda", "Agenda"),
    ("crm:segment-list", "Ciblage"),
    ("crm:campaign-list", "Campagnes"),
    ("crm:dedup-list", "Doublons"),
    ("crm:field-grid", "Vue par champ"),
]
TRAINING_ENTRY = ("training:home", "Formation")


@pytest.fixture
def scratch_registry(monkeypatch):
    """An empty registry for the test, the apps' entries restored afterwards."""
    monkeypatch.setattr(navigation, "_ENTRIES", {})
    return navigation._ENTRIES


def old_template_entries(user, role) -> list[tuple[str, str]]:
    """What the former hard-coded navigation (_nav_extra.html) showed: every CRM tool to any
    signed-in user, « Formation » to superusers, administrators, trainers and learners."""
    entries = list(CRM_ENTRIES)
    if user.is_superuser or role in ("administrator", "trainer", "learner"):
        entries.append(TRAINING_ENTRY)
    return entries


# Entries the kernel itself added since the hard-coded navigation (the knowledge base).
KERNEL_LABELS = {"Connaissances"}


# The modules built on the kernel since (community, front door, journeys): tested apart.
MODULE_PREFIXES = ("/communaute/", "/guichet/", "/parcours/")


def app_links(links):
    """The links of the CRM and training entries, the kernel's and the modules' left aside."""
    return [
        (href, label)
        for href, label, _current in links
        if label not in KERNEL_LABELS and not href.startswith(MODULE_PREFIXES)
    ]


def staff_nav_links(html: str) -> list[tuple[str, str, bool]]:
    """(href, label, current) of each link of the main navigation list."""
    nav = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a class="nav-link" href="([^"]+)"([^>]*)>(.*?)</a>', nav, re.S)
    return [
        (href, re.sub(r"<[^>]+>", "", label).strip(), 'aria-current="page"' in attrs)
        for href, attrs, label in links
    ]


# --- the registry --------------------------------------------------------------------------


def test_the_apps_register_their_entries_at_start_up():
    keys = [entry.key for entry in registered_nav_entries()]
    assert keys[:8] == [
        "crm.customers",
        "crm.leads",
        "crm.dashboard",
        "crm.agenda",
        "crm.segments",
        "crm.campaigns",
        "crm.duplicates",
        "crm.field_grid",
    ]
    assert "training.home" in keys
    assert all(entry.description for entry in registered_nav_entries())


def test_a_second_entry_under_a_taken_key_is_refused(scratch_registry):
    register_nav_entry(key="x.list", label="Liste", url_name="home", icon="bi-list")
    with pytest.raises(ImproperlyConfigured):
        register_nav_entry(key="x.list", label="Autre", url_name="home", icon="bi-list")
    assert scratch_registry["x.list"].label == "Liste"


def test_registering_the_same_entry_again_is_harmless(scratch_registry):
    first = register_nav_entry(key="x.list", label="Liste", url_name="home", icon="bi-list")
    again = register_nav_entry(key="x.list", label="Liste", url_name="home", icon="bi-list")
    assert again is first and len(scratch_registry) == 1


def test_entries_come_in_order_then_key(scratch_registry):
    register_nav_entry(key="b", label="B", url_name="home", icon="bi-b", order=20)
    register_nav_entry(key="c", label="C", url_name="home", icon="bi-c", order=10)
    register_nav_entry(key="a", label="A", url_name="home", icon="bi-a", order=20)
    assert [entry.key for entry in registered_nav_entries()] == ["c", "a", "b"]


def test_an_entry_whose_url_does_not_resolve_is_left_out(scratch_registry, db):
    register_nav_entry(key="x.gone", label="Partie", url_name="nowhere:list", icon="bi-x")
    assert nav_entries_for(user=UserFactory(role=Role.AGENT)) == []


def test_a_tuple_of_permissions_means_any_of_them(scratch_registry, db):
    register_nav_entry(
        key="x.any",
        label="L'un ou l'autre",
        url_name="home",
        icon="bi-x",
        permission=("training.manage", "audit.view"),
    )
    shown = {
        role: bool(nav_entries_for(user=UserFactory(role=role)))
        for role in (Role.AGENT, Role.SUPERVISOR, Role.TRAINER, Role.LEARNER)
    }
    assert shown == {
        Role.AGENT: False,
        Role.SUPERVISOR: True,  # audit.view
        Role.TRAINER: True,  # both
        Role.LEARNER: False,
    }


def test_anonymous_visitors_get_only_public_entries(scratch_registry, db):
    register_nav_entry(key="x.staff", label="Interne", url_name="home", icon="bi-x")
    register_nav_entry(key="x.open", label="Forum", url_name="home", icon="bi-x", public=True)
    anonymous = AnonymousUser()
    assert nav_entries_for(user=anonymous) == []
    assert [item.key for item in nav_entries_for(user=anonymous, public=True)] == ["x.open"]
    # The staff navigation of a signed-in user does not mix the public entries in.
    agent = UserFactory(role=Role.AGENT)
    assert [item.key for item in nav_entries_for(user=agent)] == ["x.staff"]


def test_an_inactive_user_sees_no_entry_needing_a_permission(db):
    user = UserFactory(role=Role.ADMINISTRATOR, is_active=False)
    assert nav_entries_for(user=user) == []


def test_the_longest_matching_prefix_is_the_current_page(scratch_registry, db):
    register_nav_entry(
        key="x.outer", label="A", url_name="crm:customer-list", icon="bi-x", active_prefix="/crm/"
    )
    register_nav_entry(
        key="x.inner", label="B", url_name="crm:customer-list", icon="bi-x", active_prefix=True
    )
    agent = UserFactory(role=Role.AGENT)
    items = nav_entries_for(user=agent, path="/crm/clients/123/")
    assert [(item.key, item.active) for item in items] == [("x.inner", True), ("x.outer", False)]
    items = nav_entries_for(user=agent, path="/crm/leads/")
    assert [(item.key, item.active) for item in items] == [("x.inner", False), ("x.outer", True)]
    assert not any(item.active for item in nav_entries_for(user=agent, path="/ailleurs/"))


def test_without_prefix_only_the_entry_own_page_is_current(db):
    agent = UserFactory(role=Role.AGENT)
    leads = reverse("crm:lead-list")
    current = [item.key for item in nav_entries_for(user=agent, path=leads) if item.active]
    assert current == ["crm.leads"]
    sub_page = f"{leads}nouveau/"
    assert not any(item.active for item in nav_entries_for(user=agent, path=sub_page))


# --- the staff navigation, as each role sees it ----------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT, Role.TRAINER, Role.LEARNER]
)
def test_each_role_sees_the_entries_the_old_navigation_showed(client, workspace, role):
    user = UserFactory(role=role, organization=workspace.organization, workspaces=[workspace])
    client.force_login(user)
    links = staff_nav_links(client.get(reverse("home")).content.decode())
    expected = [(reverse(name), label) for name, label in old_template_entries(user, role)]
    assert app_links(links) == expected
    assert "Connaissances" in [label for _href, label, _current in links]


def test_a_superuser_sees_every_entry(client, workspace):
    user = UserFactory(role=Role.AGENT, is_superuser=True, workspaces=[workspace])
    client.force_login(user)
    links = staff_nav_links(client.get(reverse("home")).content.decode())
    expected = [(reverse(name), label) for name, label in old_template_entries(user, Role.AGENT)]
    assert app_links(links) == expected
    assert "/communaute/" in [href for href, _label, _current in links]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/crm/clients/", "Clients"),
        ("/crm/clients/nouveau/", "Clients"),
        ("/crm/leads/", "Leads"),
        ("/crm/agenda/", "Agenda"),
        ("/crm/champs/", "Vue par champ"),
        ("/crm/doublons/", "Doublons"),
    ],
)
def test_the_current_page_is_marked_once(agent_client, workspace, path, current):
    links = staff_nav_links(agent_client.get(path).content.decode())
    assert [label for _href, label, is_current in links if is_current] == [current]


def test_the_home_page_marks_no_entry_current(agent_client, workspace):
    links = staff_nav_links(agent_client.get(reverse("home")).content.decode())
    assert links and not any(is_current for _href, _label, is_current in links)


def test_the_staff_layout_keeps_its_landmarks_and_skip_link(agent_client, workspace):
    html = agent_client.get(reverse("crm:customer-list")).content.decode()
    assert html.index('href="#contenu"') < html.index("<header")
    assert '<nav class="navbar' in html and 'aria-label="Navigation principale"' in html
    assert '<main id="contenu"' in html and "<footer" in html
    assert "_nav_extra" not in html


def test_a_public_entry_with_a_permission_is_for_its_holders_only(scratch_registry, db):
    register_nav_entry(
        key="x.moderation",
        label="Modérer",
        url_name="home",
        icon="bi-x",
        permission="audit.view",
        public=True,
    )
    assert nav_entries_for(user=AnonymousUser(), public=True) == []
    assert nav_entries_for(user=UserFactory(role=Role.AGENT), public=True) == []
    holder = UserFactory(role=Role.SUPERVISOR)
    assert [item.key for item in nav_entries_for(user=holder, public=True)] == ["x.moderation"]


def test_an_entry_of_a_module_the_user_does_not_run_stays_out(scratch_registry, db):
    runs_it = UserFactory(role=Role.AGENT, username="dans-le-reseau")
    other = UserFactory(role=Role.AGENT, username="ailleurs")
    register_nav_entry(
        key="module.home",
        label="Module",
        url_name="home",
        icon="bi-house",
        permission="crm.view",
        available=lambda user: user.username == "dans-le-reseau",
    )
    assert [i.key for i in nav_entries_for(user=runs_it)] == ["module.home"]
    assert nav_entries_for(user=other) == []
    assert nav_entries_for(user=AnonymousUser()) == []
