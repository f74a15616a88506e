"""Wiki posts (issue 11, trust levels unlock « editing wiki posts »): an author from the
community's ``wiki_min_level`` or a moderator makes a post a wiki; members from
``wiki_edit_min_level`` may then edit it, each edit a revision with its editor, through the
same screening as any edit; the author or a moderator turns it off."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community import seo
from relais.community.models import (
    BannedWord,
    ContentSettings,
    MemberProfile,
    Post,
    PostRevision,
)
from relais.community.services import (
    post_delete,
    post_edit,
    post_reply,
    post_wiki_set,
    topic_create,
)
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied
from relais.core.interactions.models import Interaction
from tests.community.conftest import make_community, make_member

ORIGINAL = "Voici la marche à suivre pour déclarer ses revenus artistiques."
LEVEL_REFUSAL = "Les messages wiki se modifient à partir du niveau de confiance 1 (le vôtre : 0)."


def _levels(community, *, make=3, edit=1):
    ContentSettings.objects.update_or_create(
        community=community, defaults={"wiki_min_level": make, "wiki_edit_min_level": edit}
    )


def _level(user, level):
    MemberProfile.objects.filter(user=user).update(trust_level=level)


@pytest.fixture
def carla(community):
    return make_member(community, "carla", "Carla sculpture")


@pytest.fixture
def guide(community, public_category, alice):
    """Alice's question, answered by herself with a how-to she will make a wiki."""
    topic = topic_create(
        user=alice,
        category=public_category,
        title="Comment déclarer ses revenus artistiques ?",
        body="Je cherche la marche à suivre complète.",
        kind="question",
    )
    return post_reply(user=alice, topic=topic, body=ORIGINAL)


@pytest.fixture
def wiki(community, guide, moderator):
    _levels(community)
    return post_wiki_set(user=moderator, post=guide)


# Who may make a wiki


def test_an_author_below_the_level_cannot_make_a_wiki_and_from_it_can(community, alice, guide):
    _levels(community, make=3)
    _level(alice, 2)
    with pytest.raises(AccessDenied, match="niveau de confiance 3 \\(le vôtre : 2\\)"):
        post_wiki_set(user=alice, post=guide)
    guide.refresh_from_db()
    assert not guide.is_wiki
    _level(alice, 3)
    assert post_wiki_set(user=alice, post=guide).is_wiki
    assert Interaction.objects.filter(event_code="community.wiki.enabled").count() == 1
    assert AuditEntry.objects.filter(action="community.post.wiki").count() == 1


def test_another_member_cannot_make_someone_elses_post_a_wiki(community, guide, bruno):
    _levels(community, make=0)
    _level(bruno, 4)
    with pytest.raises(AccessDenied, match="Seul l'auteur du message ou la modération"):
        post_wiki_set(user=bruno, post=guide)


def test_a_moderator_makes_any_post_a_wiki_whatever_the_level(community, guide, moderator):
    _levels(community, make=4)
    post = post_wiki_set(user=moderator, post=guide)
    assert post.is_wiki
    event = Interaction.objects.get(event_code="community.wiki.enabled")
    assert event.actor_id == moderator.pk


def test_a_deleted_post_cannot_become_a_wiki(community, guide, moderator):
    post_delete(user=moderator, post=guide, reason="Doublon")
    with pytest.raises(ValidationError, match="ne peut pas devenir un wiki"):
        post_wiki_set(user=moderator, post=guide)


# Who may edit it


def test_a_member_from_the_edit_level_edits_a_wiki_with_a_revision_and_an_event(
    community, wiki, bruno
):
    _level(bruno, 1)
    post_edit(user=bruno, post=wiki, body=ORIGINAL + "\n\nAjout : la date limite est en mai.")
    wiki.refresh_from_db()
    assert wiki.body.endswith("la date limite est en mai.")
    assert wiki.revisions_count == 2
    revision = PostRevision.objects.get(post=wiki, number=2)
    assert revision.editor_id == bruno.pk
    event = Interaction.objects.get(event_code="community.wiki.edited")
    assert event.person_id == MemberProfile.objects.get(user=bruno).person_id
    # No moderation audit or notice: it is an ordinary member's contribution.
    assert not AuditEntry.objects.filter(action="community.post.edit").exists()


def test_below_the_edit_level_the_service_refuses_in_french(community, wiki, bruno):
    _level(bruno, 0)
    with pytest.raises(AccessDenied) as error:
        post_edit(user=bruno, post=wiki, body="Texte remplacé par un membre de niveau 0.")
    assert str(error.value) == LEVEL_REFUSAL
    wiki.refresh_from_db()
    assert wiki.body == ORIGINAL and wiki.revisions_count == 1


def test_below_the_edit_level_the_view_refuses_in_french(client, community, wiki, bruno):
    _level(bruno, 0)
    client.force_login(bruno)
    url = reverse("community:post-edit", kwargs={"post_id": wiki.public_id})
    for response in (client.get(url), client.post(url, {"body": "Remplacé.", "reason": ""})):
        assert response.status_code == 403
        assert "Les messages wiki se modifient à partir du niveau de confiance 1" in (
            response.content.decode()
        )
    wiki.refresh_from_db()
    assert wiki.body == ORIGINAL


def test_from_the_level_the_view_edits_and_the_page_counts_the_editors(
    client, community, wiki, bruno, carla
):
    _level(bruno, 1)
    _level(carla, 2)
    url = reverse("community:post-edit", kwargs={"post_id": wiki.public_id})
    client.force_login(bruno)
    assert "Ce message est un wiki" in client.get(url).content.decode()
    response = client.post(url, {"body": ORIGINAL + " Étape 1 : se connecter.", "reason": ""})
    assert response.status_code == 302
    client.force_login(carla)
    client.post(url, {"body": ORIGINAL + " Étape 1 : se connecter à son espace.", "reason": ""})
    wiki.refresh_from_db()
    assert wiki.revisions_count == 3
    page = client.get(response.url.split("#")[0]).content.decode()
    assert "community-wiki-mark" in page
    assert "modifié par 3 personnes" in page  # Alice, Bruno and Carla


def test_an_ordinary_post_is_still_refused_to_other_members(client, community, guide, bruno):
    _levels(community, edit=0)
    _level(bruno, 4)
    with pytest.raises(AccessDenied):
        post_edit(user=bruno, post=guide, body="Je modifie le message d'Alice.")
    client.force_login(bruno)
    url = reverse("community:post-edit", kwargs={"post_id": guide.public_id})
    assert client.get(url).status_code == 403


def test_another_communitys_member_cannot_edit_the_wiki(client, community, wiki):
    other = make_community(slug="autre", name="Autre communauté")
    outsider = make_member(other, "olga", "Olga ailleurs")
    MemberProfile.objects.filter(user=outsider).update(trust_level=4)
    with pytest.raises(AccessDenied):
        post_edit(user=outsider, post=wiki, body="Modifié depuis une autre communauté.")
    client.force_login(outsider)
    url = reverse("community:post-edit", kwargs={"post_id": wiki.public_id})
    assert client.get(url).status_code == 404  # their community has no such post
    wiki.refresh_from_db()
    assert wiki.body == ORIGINAL


def test_a_hidden_or_deleted_wiki_cannot_be_edited_by_members(community, wiki, bruno, moderator):
    _level(bruno, 2)
    Post.objects.filter(pk=wiki.pk).update(hidden=Post.Hidden.MODERATOR)
    wiki.refresh_from_db()
    with pytest.raises(AccessDenied, match="n'est pas visible"):
        post_edit(user=bruno, post=wiki, body="Modifié pendant qu'il est masqué.")
    Post.objects.filter(pk=wiki.pk).update(hidden=Post.Hidden.NO)
    post_delete(user=moderator, post=wiki, reason="Hors sujet")
    wiki.refresh_from_db()
    with pytest.raises(AccessDenied, match="n'est pas visible"):
        post_edit(user=bruno, post=wiki, body="Modifié alors qu'il est supprimé.")
    assert PostRevision.objects.filter(post=wiki).count() == 1


def test_a_wiki_edit_goes_through_the_screening(community, wiki, bruno):
    _level(bruno, 1)
    BannedWord.objects.create(community=community, word="arnaque", action="block")
    with pytest.raises(ValidationError):
        post_edit(user=bruno, post=wiki, body=ORIGINAL + " Cette caisse est une arnaque.")
    ContentSettings.objects.filter(community=community).update(link_min_level=2)
    with pytest.raises(ValidationError, match="niveau de confiance 2"):
        post_edit(user=bruno, post=wiki, body=ORIGINAL + " Voir <https://exemple.fr>.")
    post_edit(user=bruno, post=wiki, body=ORIGINAL + " Mon numéro : 06 12 34 56 78.")
    wiki.refresh_from_db()
    assert wiki.hidden == Post.Hidden.APPROVAL  # personal data: held for the moderators


# Turning it off


def test_the_author_turns_the_wiki_off_at_any_level_and_members_can_no_longer_edit(
    community, wiki, alice, bruno
):
    _level(alice, 0)
    _level(bruno, 1)
    assert not post_wiki_set(user=alice, post=wiki, wiki=False).is_wiki
    assert Interaction.objects.filter(event_code="community.wiki.disabled").count() == 1
    with pytest.raises(AccessDenied):
        post_edit(user=bruno, post=wiki, body="Trop tard pour modifier.")


def test_a_member_who_edited_cannot_turn_it_off(community, wiki, bruno):
    _level(bruno, 4)
    with pytest.raises(AccessDenied):
        post_wiki_set(user=bruno, post=wiki, wiki=False)
    wiki.refresh_from_db()
    assert wiki.is_wiki


def test_the_button_turns_it_on_and_off(client, community, guide, alice):
    _levels(community, make=1)
    _level(alice, 1)
    client.force_login(alice)
    url = reverse("community:post-wiki", kwargs={"post_id": guide.public_id})
    topic_page = client.post(url, {"wiki": "1"}).url.split("#")[0]
    guide.refresh_from_db()
    assert guide.is_wiki
    page = client.get(topic_page).content.decode()
    assert "Retirer le wiki" in page and "community-wiki-mark" in page
    client.post(url, {"wiki": "0"})
    guide.refresh_from_db()
    assert not guide.is_wiki
    page = client.get(topic_page).content.decode()
    assert "community-wiki-mark" not in page
    assert "Faire un wiki" in page


# Rendering


def test_the_marker_and_the_edit_button_for_a_member_of_the_level(client, community, wiki, bruno):
    _level(bruno, 0)
    client.force_login(bruno)
    refused = client.post(
        reverse("community:post-wiki", kwargs={"post_id": wiki.public_id}), {"wiki": "0"}
    )
    assert refused.status_code == 403
    assert "Seul l&#x27;auteur du message ou la modération" in refused.content.decode()
    page = client.get(seo.topic_path(wiki.topic)).content.decode()
    edit_url = reverse("community:post-edit", kwargs={"post_id": wiki.public_id})
    assert "community-wiki-mark" in page
    assert "Retirer le wiki" not in page
    assert edit_url not in page  # level 0 < 1: no edit button
    _level(bruno, 1)
    page = client.get(seo.topic_path(wiki.topic)).content.decode()
    assert edit_url in page


def test_a_script_in_a_wiki_edit_is_escaped(client, community, wiki, bruno):
    _level(bruno, 1)
    post_edit(user=bruno, post=wiki, body='Étape <script>alert("x")</script> suivante.')
    client.force_login(bruno)
    page = client.get(seo.topic_path(wiki.topic)).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "Étape" in page and "suivante." in page
    # The next editor sees the text as text in the form, never as markup.
    form = client.get(reverse("community:post-edit", kwargs={"post_id": wiki.public_id}))
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in form.content.decode()
    assert '<script>alert("x")' not in form.content.decode()
