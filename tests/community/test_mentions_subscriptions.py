"""Mentions, quotes and watching: who is notified of a new post, once, through the kernel's
notifications, respecting the members' preferences and what they may read."""

import pytest
from django.urls import reverse

from relais.community.models import MemberProfile, Subscription
from relais.community.rendering import render_markdown
from relais.community.seo import topic_path
from relais.community.services import post_reply, topic_create
from relais.community.services.notifications import (
    mentioned_profiles,
    quote_markdown,
    subscription_set,
)
from relais.community.services.profile import profile_update
from relais.core.notifications.models import Notification
from tests.community.conftest import make_member


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Dois-je déclarer mes droits d'auteur en BNC ?",
        body="Je suis photographe depuis cette année.",
        kind="question",
    )


def _notes(user, category=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(category=category) if category else rows)


def test_a_mention_notifies_the_member_named_once_and_never_the_author(
    community, alice, bruno, question
):
    post_reply(user=alice, topic=question, body="Merci @Bruno dessin, et encore @bruno DESSIN !")
    [note] = _notes(bruno)
    assert note.category == "community.mention"
    assert (
        note.title == "Alice photo vous a mentionné : Dois-je déclarer mes droits d'auteur en BNC ?"
    )
    assert note.url.startswith(topic_path(question) + "#message-")
    assert _notes(alice) == []  # the author watches the topic but is not told of her own post


def test_display_names_with_spaces_and_punctuation_are_recognised(community, alice):
    make_member(community, "marie", "Marie L.")
    found = mentioned_profiles(community=community, body="Bonjour @Marie L., et @Alice photo !")
    assert [p.display_name for p in found] == ["Marie L.", "Alice photo"]
    assert mentioned_profiles(community=community, body="écrire à contact@Alice photo") == []
    assert mentioned_profiles(community=community, body="`@Alice photo` en code") == []


def test_a_watcher_who_is_also_mentioned_is_notified_once(community, alice, bruno, question):
    post_reply(user=bruno, topic=question, body="Oui, en BNC.")  # bruno now watches the topic
    assert Subscription.objects.filter(user=bruno, topic=question, automatic=True).exists()
    post_reply(user=alice, topic=question, body="D'accord @Bruno dessin, merci.")
    notes = _notes(bruno)
    assert [n.category for n in notes] == ["community.mention"]


def test_watchers_of_the_topic_hear_of_each_reply(community, alice, bruno, question):
    post_reply(user=bruno, topic=question, body="Oui, en BNC.")
    [note] = _notes(alice)  # the author watches her question
    assert note.category == "community.reply"
    assert (
        note.title
        == "Nouvelle réponse de Bruno dessin : Dois-je déclarer mes droits d'auteur en BNC ?"
    )


def test_watchers_of_a_category_hear_of_new_topics(community, alice, bruno, public_category):
    subscription_set(user=bruno, community=community, category=public_category, watch=True)
    topic_create(
        user=alice,
        category=public_category,
        title="Précompte : qui le prélève ?",
        body="Question simple.",
        kind="question",
    )
    [note] = _notes(bruno)
    assert note.title == "Nouveau sujet dans Cotisations : Précompte : qui le prélève ?"


def test_a_member_who_turned_forum_notifications_off_gets_none(community, alice, bruno, question):
    profile = MemberProfile.objects.get(user=bruno, community=community)
    profile_update(user=bruno, profile=profile, display_name="Bruno dessin", notify_in_app=False)
    post_reply(user=alice, topic=question, body="Qu'en pensez-vous @Bruno dessin ?")
    assert _notes(bruno) == []


def test_a_mention_never_reaches_a_member_who_cannot_read_the_category(
    community, alice, staff, moderator, staff_category
):
    topic = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : réponse type sur le précompte",
        body="Brouillon interne, à relire par @Alice photo ?",
        kind="discussion",
    )
    assert topic.pk and _notes(alice) == []  # a member does not read the staff category


def test_a_held_reply_notifies_only_once_approved(community, alice, bruno, moderator, question):
    from relais.community.models import BannedWord
    from relais.community.services import post_screen_decide

    BannedWord.objects.create(community=community, word="arnaque", action="require_approval")
    held = post_reply(user=bruno, topic=question, body="Cette caisse est une arnaque.")
    assert _notes(alice) == []
    post_screen_decide(user=moderator, post=held, approve=True)
    assert [n.category for n in _notes(alice)] == ["community.reply"]


def test_a_quote_is_a_sanitised_blockquote_with_its_author_and_a_link_back(
    community, alice, bruno, question
):
    answer = post_reply(user=bruno, topic=question, body="Oui <script>alert(1)</script>\nen BNC.")
    url = f"{topic_path(question)}#message-{answer.public_id}"
    markdown = quote_markdown(post=answer, author_name="Bruno dessin", url=url)
    html = render_markdown(markdown + "Merci !")
    assert html.startswith("<blockquote>\n<p><strong>Bruno dessin</strong> <a href=")
    assert f'href="{url}"' in html and "<script>" not in html and "&lt;script&gt;" in html
    # Quoting a mention does not notify its member again.
    before = len(_notes(bruno))
    post_reply(
        user=alice,
        topic=question,
        body=quote_markdown(post=answer, author_name="@Bruno dessin", url=url) + "Merci",
    )
    assert len(_notes(bruno)) == before + 1  # the reply to a watched topic, not a mention
    assert _notes(bruno)[0].category == "community.reply"


def test_the_quote_link_fills_the_reply_box(client, community, alice, bruno, question):
    answer = post_reply(user=bruno, topic=question, body="Oui, en BNC.")
    client.force_login(alice)
    page = client.get(f"{topic_path(question)}?citer={answer.public_id}").content.decode()
    assert "&gt; **Bruno dessin** [a écrit]" in page and "&gt; Oui, en BNC." in page
    # A post of another topic cannot be quoted here.
    other = topic_create(
        user=bruno,
        category=question.category,
        title="Un autre sujet sur les cotisations",
        body="Autre chose.",
        kind="question",
    )
    first = other.posts.get(position=0)
    assert client.get(f"{topic_path(question)}?citer={first.public_id}").status_code == 404


def test_watching_a_private_category_is_refused_to_those_who_cannot_read_it(
    client, community, alice, staff_category
):
    client.force_login(alice)
    response = client.post(reverse("community:category-watch", args=[staff_category.slug]))
    assert response.status_code == 404
    assert not Subscription.objects.filter(user=alice).exists()


def test_watch_and_unwatch_from_the_topic_page(client, community, bruno, question):
    client.force_login(bruno)
    url = reverse("community:topic-watch", args=[question.public_id])
    assert client.post(url, {"watch": "1"}).status_code == 302
    assert Subscription.objects.filter(user=bruno, topic=question).count() == 1
    client.post(url, {"watch": "1"})  # twice: still one row
    assert Subscription.objects.filter(user=bruno, topic=question).count() == 1
    client.post(url, {"watch": "0"})
    assert not Subscription.objects.filter(user=bruno, topic=question).exists()
