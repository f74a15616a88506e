"""The community in a real browser, checked with axe-core: a visitor finds a question by
search and reads it without an account; the member's, moderator's and staff's pages."""

import json

import pytest
from django.urls import reverse

from relais.community.seo import topic_path
from relais.community.services import (
    answer_accept,
    answer_validate,
    flag_create,
    post_reply,
    topic_create,
)
from tests.community.conftest import make_community, make_member
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def forum(transactional_db):
    community = make_community()
    category = community.categories.get(slug="cotisations")
    alice = make_member(community, "alice", "Alice photo")
    bruno = make_member(community, "bruno", "Bruno dessin")
    moderator = make_member(community, "modo", "Modération", role="moderator")
    staff = UserFactory(
        username="conseillere",
        role="supervisor",
        organization=community.organization,
        workspaces=[community.workspace],
    )
    topic = topic_create(
        user=alice,
        category=category,
        title="Quel taux de cotisation retraite pour une photographe ?",
        body="Je débute et je ne sais pas **quoi** déclarer.",
        kind="question",
    )
    answer = post_reply(user=bruno, topic=topic, body="Environ 6,9 % sur tes revenus artistiques.")
    answer_validate(user=staff, post=answer, service_name="Service cotisations")
    other = post_reply(user=bruno, topic=topic, body="Regarde aussi le barème officiel.")
    answer_accept(user=alice, post=other)
    flag_create(user=alice, post=other, reason="off_topic")
    return {
        "topic": topic,
        "alice": alice,
        "moderator": moderator,
        "staff": staff,
        "answer": answer,
    }


def test_a_visitor_finds_a_question_by_search_and_reads_it(page, forum):
    page.goto("/communaute/")
    assert_accessible(page)
    page.get_by_role("searchbox", name="Rechercher dans la communauté").fill("cotisations retraite")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name=forum["topic"].title).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == forum["topic"].title
    # The organisation's mark is words and an icon, and comes before the other answers.
    marks = page.locator(".community-official-mark")
    assert marks.count() == 1 and "Réponse validée par l'organisme" in marks.inner_text()
    assert page.get_by_text("Réponse acceptée par l'auteur de la question").is_visible()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["mainEntity"]["acceptedAnswer"]["text"] == "Regarde aussi le barème officiel."
    assert page.get_by_role("link", name="Connectez-vous pour répondre.").is_visible()
    assert_accessible(page)


def test_member_moderator_and_staff_pages_are_accessible(page, login, forum):
    topic, answer = forum["topic"], forum["answer"]
    login(forum["alice"])
    for url in (topic_path(topic), reverse("community:topic-create")):
        page.goto(url)
        assert_accessible(page)
    page.get_by_role("button", name="Publier").click()  # empty: French errors, still accessible
    page.wait_for_load_state()
    assert page.get_by_text("Choisissez une catégorie.").first.is_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    login(forum["moderator"])
    page.goto(reverse("community:review-queue"))
    assert page.get_by_text("somme des poids").is_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    login(forum["staff"])
    for url in (
        topic_path(topic),
        reverse("community:post-validate", kwargs={"post_id": answer.public_id}),
        reverse("community:topic-official", kwargs={"topic_id": topic.public_id}),
    ):
        page.goto(url)
        assert_accessible(page)


def test_a_wiki_post_is_made_edited_and_turned_off_with_the_keyboard(page, login, forum):
    from relais.community.models import MemberProfile, Post
    from relais.community.services import post_wiki_set

    topic, alice = forum["topic"], forum["alice"]
    guide = post_reply(user=alice, topic=topic, body="Étapes : 1. se connecter à son espace.")
    post_wiki_set(user=forum["moderator"], post=guide)
    bruno = MemberProfile.objects.get(display_name="Bruno dessin")
    MemberProfile.objects.filter(pk=bruno.pk).update(trust_level=1)
    login(bruno.user)
    page.goto(topic_path(topic))
    article = page.locator(f"#message-{guide.public_id}")
    assert "Wiki" in article.locator(".community-wiki-mark").inner_text()
    assert_accessible(page)
    tab_to(page, f"#message-{guide.public_id} a[href$='/modifier/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Ce message est un wiki")
    assert_accessible(page)
    page.get_by_label("Message").fill("Étapes : 1. se connecter à son espace. 2. Déclarer.")
    tab_to(page, "button.btn-primary:has-text('Enregistrer')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Le message est modifié.")
    assert "modifié par 2 personnes" in article.locator(".community-wiki-mark").inner_text()
    assert_accessible(page)
    page.context.clear_cookies()
    login(alice)
    page.goto(topic_path(topic))
    tab_to(page, f"#message-{guide.public_id} button:has-text('Retirer le wiki')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Le message n'est plus un wiki.")
    assert not Post.objects.get(pk=guide.pk).is_wiki
    assert_accessible(page)
