"""A small artists-authors community: an organization, its workspace, public / members /
staff categories, members of several levels, a moderator and a supervisor (staff)."""

import pytest

from relais.community.models import Access, Category, CategoryKind, Community
from relais.community.services import member_join, topic_create
from relais.core.accounts.roles import Role
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory


def make_community(slug="artistes", name="Communauté des artistes-auteurs", organization=None):
    organization = organization or OrganizationFactory(
        name=f"Sécurité sociale {slug}", slug=f"org-{slug}"
    )
    workspace = WorkspaceFactory(organization=organization, name=f"Relation {slug}")
    community = Community.objects.create(
        organization=organization, workspace=workspace, slug=slug, name=name
    )
    for position, (cat_slug, cat_name, read) in enumerate(
        [
            ("cotisations", "Cotisations", Access.PUBLIC),
            ("entre-membres", "Entre membres", Access.MEMBERS),
            ("equipe", "Coulisses de l'équipe", Access.STAFF),
        ]
    ):
        Category.objects.create(
            community=community,
            slug=cat_slug,
            name=cat_name,
            read_access=read,
            post_access=Access.STAFF if read == Access.STAFF else Access.MEMBERS,
            kind=CategoryKind.THEME,
            position=position,
        )
    return community


def make_member(community, username, display_name, role=Role.MEMBER, **profile):
    user = UserFactory(
        username=username,
        role=role,
        organization=community.organization,
        first_name="Prénom",
        last_name=f"Nom {username}",
        email=f"{username}@exemple.fr",
    )
    member_join(
        user=user,
        community=community,
        display_name=display_name,
        branch="photographie",
        accept_charter=True,
    )
    return user


def make_forum():
    """A community with Alice's question in « cotisations » and Bruno, another member."""
    community = make_community()
    alice = make_member(community, "alice", "Alice photo")
    bruno = make_member(community, "bruno", "Bruno dessin")
    topic = topic_create(
        user=alice,
        category=community.categories.get(slug="cotisations"),
        title="Comment déclarer mes droits d'auteur ?",
        body="Je débute en photographie.",
        kind="question",
    )
    return {"community": community, "alice": alice, "bruno": bruno, "topic": topic}


@pytest.fixture(autouse=True)
def _fresh_banned_word_lists():
    """The compiled banned-word lists are kept per process, keyed by the community's id and
    its list's (count, last change). Tests break what makes that key unique in production:
    rolled-back rows give their ids again and the clock is frozen, so two tests' different
    lists of one word each would share a key. Each test starts with no compiled list."""
    from relais.community.screening import _compiled

    _compiled.cache_clear()


@pytest.fixture
def community(db):
    return make_community()


@pytest.fixture
def public_category(community):
    return community.categories.get(slug="cotisations")


@pytest.fixture
def members_category(community):
    return community.categories.get(slug="entre-membres")


@pytest.fixture
def staff_category(community):
    return community.categories.get(slug="equipe")


@pytest.fixture
def alice(community):
    return make_member(community, "alice", "Alice photo")


@pytest.fixture
def bruno(community):
    return make_member(community, "bruno", "Bruno dessin")


@pytest.fixture
def moderator(community):
    return make_member(community, "modo", "Modération", role=Role.MODERATOR)


@pytest.fixture
def staff(community):
    """A supervisor of the organisation: official answers and validations."""
    return UserFactory(
        username="conseillere",
        role=Role.SUPERVISOR,
        organization=community.organization,
        workspaces=[community.workspace],
        first_name="Nadia",
        last_name="Conseillère",
    )
