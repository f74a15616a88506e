"""Links to other sites are a trust-level ability (issue 11: levels unlock links, images, …):
below the community's ``link_min_level`` a member's post with such a link is refused with the
reason, in French; a quote's link back, an address in plain text, a banned word turned into a
link and the moderators are not concerned."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community.models import BannedWord, ContentSettings, MemberProfile, Post, Topic
from relais.community.rendering import external_links
from relais.community.services import post_edit, post_reply, topic_create

REFUSAL = (
    "Les liens vers d'autres sites s'ouvrent au niveau de confiance 1 (le vôtre : 0). "
    "Retirez le lien : l'adresse peut rester écrite en texte simple, non cliquable."
)


def _links_from(community, level):
    ContentSettings.objects.update_or_create(
        community=community, defaults={"link_min_level": level}
    )


def _question(user, community, body="Ma question sans lien."):
    return topic_create(
        user=user,
        category=community.categories.get(slug="cotisations"),
        title="Une question sur les cotisations",
        body=body,
        kind="question",
    )


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("Voir [le site](https://exemple.fr/page).", 1),
        ("<https://exemple.fr>", 1),
        ("[x](HTTPS://exemple.fr)", 1),
        ("[x](//exemple.fr)", 1),
        ("Écrivez à <contact@exemple.fr>", 1),
        ("[ref][r]\n\n[r]: https://exemple.fr", 1),
        ("L'adresse https://exemple.fr écrite en texte.", 0),
        ("> **Bruno** [a écrit](/communaute/sujets/x/y/#message-z) :", 0),
        ("[javascript](javascript:alert(1))", 0),  # dropped by the renderer: no link at all
    ],
)
def test_what_counts_as_a_link_to_another_site(body, count):
    assert external_links(body) == count


def test_by_default_every_member_may_post_links(community, alice):
    topic = _question(alice, community, "Voir [le site](https://exemple.fr).")
    assert 'href="https://exemple.fr"' in topic.posts.get().html


def test_below_the_level_a_link_is_refused_with_the_reason_and_nothing_is_written(
    community, alice, bruno
):
    topic = _question(bruno, community)
    _links_from(community, 1)
    with pytest.raises(ValidationError) as error:
        _question(alice, community, "Voir [le site](https://exemple.fr).")
    assert error.value.message_dict["body"] == [REFUSAL]
    with pytest.raises(ValidationError) as error:
        post_reply(user=alice, topic=topic, body="Écrivez à <contact@exemple.fr>")
    assert error.value.message_dict["body"] == [REFUSAL]
    assert Topic.objects.count() == 1 and Post.objects.count() == 1
    # The same address in plain text is published, and not clickable.
    reply = post_reply(user=alice, topic=topic, body="L'adresse est https://exemple.fr")
    assert "<a " not in reply.html


def test_from_the_level_on_and_for_moderators_links_are_published(community, alice, moderator):
    _links_from(community, 1)
    MemberProfile.objects.filter(user=alice).update(trust_level=1)
    assert _question(alice, community, "Voir <https://exemple.fr>").posts.exists()
    topic = _question(moderator, community, "Voir <https://exemple.fr/modo>")
    assert 'href="https://exemple.fr/modo"' in topic.posts.get().html


def test_an_edit_is_refused_only_if_it_adds_a_link(community, alice):
    first = _question(alice, community, "Voir [le site](https://exemple.fr) pour le détail.")
    post = first.posts.get()
    _links_from(community, 1)
    edited = post_edit(
        user=alice, post=post, body="Voir [le site](https://exemple.fr) pour les détails."
    )
    assert edited.body.endswith("les détails.")
    with pytest.raises(ValidationError, match="niveau de confiance 1"):
        post_edit(
            user=alice,
            post=post,
            body="Voir [le site](https://exemple.fr) et [l'autre](https://autre.fr).",
        )
    post.refresh_from_db()
    assert "autre.fr" not in post.body


def test_a_banned_word_the_community_turns_into_a_link_is_not_the_members_link(community, alice):
    BannedWord.objects.create(
        community=community,
        word="barème",
        action="link",
        replacement="https://organisme.example/baremes",
    )
    _links_from(community, 1)
    topic = _question(alice, community, "Où trouver le barème de cette année ?")
    assert 'href="https://organisme.example/baremes"' in topic.posts.get().html


def test_the_reply_form_shows_the_refusal_in_french(client, community, alice, bruno):
    topic = _question(bruno, community)
    _links_from(community, 1)
    client.force_login(alice)
    response = client.post(
        reverse("community:topic-reply", args=[topic.public_id]),
        {"body": "Voir [le site](https://exemple.fr)."},
    )
    assert response.status_code == 400
    assert "Les liens vers d&#x27;autres sites s&#x27;ouvrent au niveau de confiance 1" in (
        response.content.decode()
    )
    assert topic.posts.count() == 1
