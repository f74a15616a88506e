"""Members' pages in a real browser, checked with axe-core: a visitor signs up; a member's
profile, data and deletion pages; a moderator silences a member from their page."""

import pytest
from django.urls import reverse

from relais.community.models import MemberProfile, Sanction
from tests.community.conftest import make_community, make_member
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def members(transactional_db):
    community = make_community()
    return {
        "community": community,
        "alice": make_member(community, "alice", "Alice photo"),
        "moderator": make_member(community, "modo", "Modération", role="moderator"),
    }


def test_a_visitor_signs_up_on_accessible_pages(page, members):
    page.goto(reverse("community:signup"))
    assert_accessible(page)
    page.get_by_label("Nom affiché").fill("Plume libre")
    page.get_by_label("Adresse e-mail").fill("camille@exemple.fr")
    page.get_by_label("Mot de passe").fill("Pinceau-et-Plume-2025")
    page.get_by_label("J'ai lu et j'accepte la charte de la communauté").check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/inscription/envoyee/")
    assert_accessible(page)
    assert MemberProfile.objects.get(user__email="camille@exemple.fr").email_pending
    page.goto(reverse("community:password-reset"))
    assert_accessible(page)


def test_member_pages_are_accessible(page, login, members):
    login(members["alice"])
    for name in ("community:profile", "community:profile-data", "community:profile-delete"):
        page.goto(reverse(name))
        assert_accessible(page)


def test_a_moderator_silences_a_member(page, login, members):
    login(members["moderator"])
    page.goto(reverse("community:member-list"))
    assert_accessible(page)
    page.get_by_role("link", name="Alice photo").click()
    assert_accessible(page)
    page.get_by_role("link", name="Sanctionner").click()
    assert_accessible(page)
    page.get_by_label("Motif (communiqué au membre)").fill("Propos blessants.")
    page.get_by_role("button", name="Appliquer la sanction").click()
    page.wait_for_selector("text=le membre en est informé")
    assert_accessible(page)
    sanction = Sanction.objects.get()
    assert sanction.kind == "silence" and sanction.reason == "Propos blessants."
