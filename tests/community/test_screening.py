"""What the forum does with the text screening's verdict (held for approval, flagged, blocked,
censored) and the moderator's decision on it.

The engine itself (banned words, personal data) is another branch's package, tested there;
here its verdict is stood in by a small stand-in for ``screen_text`` (the one function the
services call), so that these tests hold before and after the merge.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community.models import Post, Topic
from relais.community.screening import Screening
from relais.community.seo import topic_path
from relais.community.services import post_reply, post_screen_decide, topic_create

REASON = "Numéro de sécurité sociale : retirez-le, la modération vérifiera votre message."


@pytest.fixture
def verdicts(monkeypatch):
    """``{word: action}``: a text containing ``word`` gets ``action``; ``censor`` replaces it
    with asterisks."""
    table: dict[str, str] = {}

    def screen(*, community, text):
        for word, action in table.items():
            if word in text:
                published = text.replace(word, "*" * len(word)) if action == "censor" else text
                return Screening(action, published, [REASON if action != "censor" else "censuré"])
        return Screening("allow", text, [])

    monkeypatch.setattr("relais.community.services.forum.screen_text", screen)
    return table


@pytest.fixture
def topic(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Question sur mes cotisations de 2024",
        body="Bonjour",
        kind="question",
    )


def test_a_held_reply_waits_for_approval_then_is_published(
    verdicts, client, alice, bruno, moderator, topic
):
    verdicts["NIR"] = "require_approval"
    post = post_reply(user=bruno, topic=topic, body="Mon NIR est le suivant")
    assert post.hidden == Post.Hidden.APPROVAL and post.screen_reasons == [REASON]
    topic.refresh_from_db()
    assert topic.replies_count == 0
    assert "Mon NIR" not in client.get(topic_path(topic)).content.decode()
    client.force_login(moderator)
    queue = client.get(reverse("community:review-queue")).content.decode()
    assert "Retenu par le contrôle automatique" in queue and REASON in queue
    post_screen_decide(user=moderator, post=post, approve=True)
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.hidden == "" and post.screen_action == "" and topic.replies_count == 1
    client.logout()
    assert "Mon NIR" in client.get(topic_path(topic)).content.decode()


def test_a_held_question_is_seen_by_its_author_only_until_approved(
    verdicts, client, alice, moderator, public_category, community
):
    verdicts["IBAN"] = "require_approval"
    client.force_login(alice)
    response = client.post(
        reverse("community:topic-create"),
        {
            "category": "cotisations",
            "kind": "question",
            "title": "Remboursement sur mon compte",
            "body": "Mon IBAN : FR76…",
        },
        follow=True,
    )
    assert "sera publié après vérification" in response.content.decode()
    topic = Topic.objects.get(title="Remboursement sur mon compte")
    assert topic.is_held
    client.logout()
    assert client.get(topic_path(topic)).status_code == 404
    assert topic.title not in client.get(reverse("community:home")).content.decode()
    assert str(topic.public_id) not in client.get("/sitemap.xml").content.decode()
    post_screen_decide(
        user=moderator,
        post=topic.posts.get(position=0),
        approve=False,
        reason="Coordonnées bancaires",
    )
    topic.refresh_from_db()
    assert topic.is_deleted
    with pytest.raises(ValidationError):
        post_screen_decide(user=moderator, post=topic.posts.get(position=0), approve=True)


def test_a_blocked_text_is_refused_with_its_reasons_and_nothing_is_written(verdicts, bruno, topic):
    verdicts["insulte"] = "block"
    with pytest.raises(ValidationError) as error:
        post_reply(user=bruno, topic=topic, body="Une insulte")
    assert error.value.message_dict["body"] == [REASON]
    assert topic.posts.count() == 1


def test_a_censored_text_is_published_censored_and_a_flagged_one_queued(
    verdicts, bruno, moderator, topic
):
    verdicts["zut"] = "censor"
    verdicts["arnaque"] = "flag"
    censored = post_reply(user=bruno, topic=topic, body="Oh zut alors")
    assert censored.body == "Oh *** alors" and censored.screen_action == ""
    flagged = post_reply(user=bruno, topic=topic, body="C'est une arnaque ?")
    assert flagged.is_visible and flagged.screen_action == "flag"
    post_screen_decide(user=moderator, post=flagged, approve=True)
    flagged.refresh_from_db()
    assert flagged.screen_action == "" and flagged.is_visible


def test_staff_answers_are_not_screened_and_members_cannot_decide(verdicts, staff, bruno, topic):
    verdicts["01 23 45 67 89"] = "require_approval"
    post = post_reply(user=staff, topic=topic, body="Appelez le 01 23 45 67 89")
    assert post.is_visible
    verdicts["NIR"] = "require_approval"
    held = post_reply(user=bruno, topic=topic, body="Mon NIR")
    from relais.core.exceptions import AccessDenied

    with pytest.raises(AccessDenied):
        post_screen_decide(user=bruno, post=held, approve=True)
