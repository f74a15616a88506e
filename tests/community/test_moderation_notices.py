"""« The member is told what happened and why » (issue 11, moderation actions): a moderator's
action on a member's post or topic leaves that member a notification with the action, the
topic and the reason; acting on one's own content tells no one."""

import pytest
from django.urls import reverse

from relais.community.seo import topic_path
from relais.community.services import (
    post_delete,
    post_edit,
    post_reply,
    post_restore,
    topic_close,
    topic_create,
    topic_move,
)
from relais.community.services.flags import flag_create, flag_decide
from relais.community.services.notifications import MODERATION_CATEGORY
from relais.core.notifications.models import Notification
from tests.community.conftest import make_member


@pytest.fixture
def topic(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Déclarer une résidence d'écriture",
        body="Est-ce un revenu artistique ?",
        kind="question",
    )


def _notices(user):
    return list(
        Notification.objects.filter(recipient=user, category=MODERATION_CATEGORY)
        .order_by("id")
        .values_list("title", "body", "url")
    )


def test_a_deleted_then_restored_reply_is_told_to_its_author_with_the_reason(
    moderator, bruno, topic
):
    reply = post_reply(user=bruno, topic=topic, body="Achetez mes cours sur mon site.")
    post_delete(user=moderator, post=reply, reason="Publicité, contraire à la charte")
    post_restore(user=moderator, post=reply, reason="Erreur de modération")
    assert _notices(bruno) == [
        (
            "La modération a supprimé votre message",
            "Sujet : « Déclarer une résidence d'écriture ». "
            "Motif : Publicité, contraire à la charte",
            topic_path(topic),
        ),
        (
            "La modération a restauré votre message",
            "Sujet : « Déclarer une résidence d'écriture ». Motif : Erreur de modération",
            topic_path(topic),
        ),
    ]
    assert _notices(moderator) == []


def test_an_edit_a_close_and_a_move_are_told_to_the_author(
    community, moderator, alice, topic, members_category
):
    post_edit(
        user=moderator,
        post=topic.posts.get(position=0),
        body="Est-ce un revenu artistique ? (numéro de téléphone retiré)",
        reason="Donnée personnelle retirée",
    )
    topic_close(user=moderator, topic=topic, reason="Question résolue par téléphone")
    topic_move(user=moderator, topic=topic, category=members_category, reason="Hors thème")
    titles = [title for title, _body, _url in _notices(alice)]
    assert titles == [
        "La modération a modifié votre message",
        "La modération a fermé votre sujet",
        "La modération a déplacé votre sujet",
    ]
    assert "Motif : Donnée personnelle retirée" in _notices(alice)[0][1]


def test_a_deleted_topic_leads_to_the_home_page(community, moderator, alice, topic):
    post_delete(user=moderator, post=topic.posts.get(position=0), reason="Doublon")
    assert _notices(alice) == [
        (
            "La modération a supprimé votre message",
            "Sujet : « Déclarer une résidence d'écriture ». Motif : Doublon",
            reverse("community:home"),
        )
    ]


def test_acting_on_ones_own_post_tells_no_one(alice, bruno, topic):
    reply = post_reply(user=bruno, topic=topic, body="Je me suis trompé de sujet.")
    post_delete(user=bruno, post=reply, reason="Erreur")
    post_edit(user=alice, post=topic.posts.get(position=0), body="Est-ce un revenu ? Merci.")
    assert _notices(alice) == [] and _notices(bruno) == []


def test_the_notice_is_shown_to_the_member(client, moderator, bruno, topic):
    reply = post_reply(user=bruno, topic=topic, body="Achetez mes cours sur mon site.")
    post_delete(user=moderator, post=reply, reason="Publicité, contraire à la charte")
    client.force_login(bruno)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "La modération a supprimé votre message" in page
    assert "Publicité, contraire à la charte" in page


def _flaggers(community, n):
    return [make_member(community, f"flag{i}", f"Signaleur {i}") for i in range(n)]


def test_flags_hiding_a_post_then_a_decision_are_told_without_naming_the_flaggers(
    community, moderator, bruno, topic
):
    reply = post_reply(user=bruno, topic=topic, body="Achetez mes cours sur mon site.")
    flaggers = _flaggers(community, 3)
    for flagger, reason in zip(flaggers, ("spam", "spam", "off_topic"), strict=True):
        flag_create(user=flagger, post=reply, reason=reason)
    flag_decide(user=moderator, post=reply, decision="disagree", note="Conseil utile")
    where = f"{topic_path(topic)}#message-{reply.public_id}"
    assert _notices(bruno) == [
        (
            "Votre message est masqué après des signalements, en attendant la modération",
            "Sujet : « Déclarer une résidence d'écriture ». Motif : Hors sujet, Spam ou publicité",
            where,
        ),
        (
            "La modération a écarté les signalements : votre message est visible",
            "Sujet : « Déclarer une résidence d'écriture ». "
            "Motif : Hors sujet, Spam ou publicité — Conseil utile",
            where,
        ),
    ]
    for _title, body, _url in _notices(bruno):
        assert not any(f"Signaleur {i}" in body for i in range(3))


def test_an_upheld_flag_is_told_with_the_moderators_note(community, moderator, bruno, topic):
    reply = post_reply(user=bruno, topic=topic, body="Achetez mes cours sur mon site.")
    flag_create(user=_flaggers(community, 1)[0], post=reply, reason="spam")
    assert _notices(bruno) == []  # one flag stays under the threshold: nothing hidden yet
    flag_decide(user=moderator, post=reply, decision="agree", note="Publicité")
    assert _notices(bruno) == [
        (
            "La modération a confirmé les signalements : votre message reste masqué",
            "Sujet : « Déclarer une résidence d'écriture ». Motif : Spam ou publicité — Publicité",
            f"{topic_path(topic)}#message-{reply.public_id}",
        )
    ]
