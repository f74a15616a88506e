"""Tags (staff list or free from a trust level, filters, SEO), drafts kept per member, topic
merge with its redirect and audit, and the edit history for moderators only."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community.models import ContentSettings, Draft, MemberProfile, Post, Tag, Topic
from relais.community.seo import topic_path
from relais.community.services import post_edit, post_reply, topic_create
from relais.community.services.drafts import draft_get, draft_save
from relais.community.services.tags import tag_create
from relais.community.services.topic_merge import topic_merge
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied


def _topic(user, category, title, **extra):
    return topic_create(
        user=user, category=category, title=title, body="Le détail.", kind="question", **extra
    )


# --- tags ---------------------------------------------------------------------------------


def test_members_choose_from_the_staff_list_and_cannot_invent_tags(
    community, alice, moderator, public_category
):
    tag_create(user=moderator, community=community, name="Précompte")
    topic = _topic(alice, public_category, "Le précompte est-il obligatoire ?", tags=["précompte"])
    assert [t.name for t in topic.tags.all()] == ["Précompte"]
    with pytest.raises(ValidationError) as refused:
        _topic(alice, public_category, "Une autre question fiscale", tags=["Impôts"])
    assert refused.value.message_dict["tags"] == [
        "L'étiquette « Impôts » n'existe pas : choisissez-en une de la liste."
    ]
    assert not Topic.objects.filter(title="Une autre question fiscale").exists()
    with pytest.raises(AccessDenied):
        tag_create(user=alice, community=community, name="Impôts")


def test_free_tags_need_the_trust_level_the_community_set(community, alice, public_category):
    ContentSettings.objects.create(community=community, tag_mode="free", free_tag_min_level=2)
    with pytest.raises(ValidationError):
        _topic(alice, public_category, "Question sur la TVA des auteurs", tags=["TVA"])
    MemberProfile.objects.filter(user=alice).update(trust_level=2)
    topic = _topic(alice, public_category, "Question sur la TVA des auteurs", tags=["TVA", "tva"])
    assert list(Tag.objects.values_list("name", flat=True)) == ["TVA"]  # once, by its slug
    assert topic.tags.count() == 1
    with pytest.raises(ValidationError) as refused:
        _topic(alice, public_category, "Encore une question de TVA", tags=["x"])
    assert "Une étiquette compte de 2 à 40 caractères" in refused.value.message_dict["tags"][0]


def test_the_topic_list_filters_by_tag_and_the_tag_page_is_in_the_sitemap(
    client, community, alice, moderator, public_category, members_category
):
    tag_create(user=moderator, community=community, name="Retraite")
    _topic(alice, public_category, "Combien de trimestres validés ?", tags=["Retraite"])
    _topic(alice, public_category, "Quelle date pour la déclaration ?")
    _topic(alice, members_category, "Entre nous : ma retraite", tags=["Retraite"])
    page = client.get(
        reverse("community:category-detail", args=[public_category.slug]) + "?etiquette=retraite"
    ).content.decode()
    assert "Combien de trimestres validés ?" in page
    assert "Quelle date pour la déclaration ?" not in page
    assert (
        'rel="canonical" href="http://testserver/communaute/c/cotisations/?etiquette=retraite"'
        in page
    )
    tag_page = client.get(reverse("community:tag-detail", args=["retraite"])).content.decode()
    assert "Combien de trimestres validés ?" in tag_page
    assert "Entre nous : ma retraite" not in tag_page  # members only: not for a visitor
    assert 'name="robots"' not in tag_page
    sitemap = client.get(reverse("community-sitemap", args=[community.slug]))
    if sitemap.status_code == 404:  # a single community: the root sitemap lists it
        sitemap = client.get("/sitemap.xml")
    locations = [
        e.text
        for e in ET.fromstring(sitemap.content).iter(  # noqa: S314 - our own output
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert any(loc.endswith("/etiquettes/retraite/") for loc in locations)
    assert client.get(reverse("community:tag-detail", args=["inconnue"])).status_code == 404


# --- drafts -------------------------------------------------------------------------------


def test_a_draft_is_kept_restored_and_discarded_on_publishing(
    client, community, alice, public_category
):
    client.force_login(alice)
    create = reverse("community:topic-create")
    client.post(
        create,
        {
            "save_draft": "1",
            "category": "cotisations",
            "title": "Ma question en cours",
            "body": "Début",
        },
    )
    page = client.get(create).content.decode()
    assert 'value="Ma question en cours"' in page and "Début</textarea>" in page
    assert "Brouillon repris" in page
    response = client.post(
        create,
        {
            "category": "cotisations",
            "kind": "question",
            "title": "Ma question en cours",
            "body": "Début et fin.",
        },
    )
    assert response.status_code == 302
    assert not Draft.objects.filter(user=alice).exists()


def test_a_member_never_sees_or_changes_another_members_draft(
    client, community, alice, bruno, public_category
):
    topic = _topic(alice, public_category, "Une question pour les brouillons")
    draft_save(user=bruno, community=community, topic=topic, body="Réponse secrète de Bruno")
    draft_save(user=alice, community=community, topic=topic, body="Réponse d'Alice")
    assert (
        draft_get(user=bruno, community=community, topic=topic).body == "Réponse secrète de Bruno"
    )
    client.force_login(alice)
    page = client.get(topic_path(topic)).content.decode()
    assert "Réponse d&#x27;Alice" in page and "secrète" not in page
    # Alice saving again changes her own draft only.
    client.post(
        reverse("community:topic-reply", args=[topic.public_id]),
        {"save_draft": "1", "body": "Nouveau texte"},
    )
    assert Draft.objects.get(user=bruno).body == "Réponse secrète de Bruno"
    assert Draft.objects.get(user=alice).body == "Nouveau texte"
    post_reply(user=alice, topic=topic, body="Publiée")
    assert not Draft.objects.filter(user=alice).exists()
    assert Draft.objects.filter(user=bruno).exists()


def test_a_draft_in_a_category_one_cannot_read_is_refused(
    community, alice, staff_category, moderator
):
    topic = _topic(moderator, staff_category, "Coulisses : un sujet interne")
    from relais.core.exceptions import NotFound

    with pytest.raises(NotFound):
        draft_save(user=alice, community=community, topic=topic, body="Je tente")
    assert not Draft.objects.exists()


# --- merge and history --------------------------------------------------------------------


@pytest.fixture
def duplicate_pair(alice, bruno, public_category):
    kept = _topic(alice, public_category, "Comment déclarer mes revenus artistiques ?")
    post_reply(user=bruno, topic=kept, body="En BNC, sur la déclaration 2042-C-PRO.")
    duplicate = _topic(bruno, public_category, "Déclarer ses revenus d'artiste-auteur ?")
    post_reply(user=alice, topic=duplicate, body="Voir l'autre sujet.")
    return kept, duplicate


def test_merging_moves_the_replies_redirects_and_is_audited(
    client, community, moderator, duplicate_pair
):
    kept, duplicate = duplicate_pair
    old_url = topic_path(duplicate)
    topic_merge(user=moderator, source=duplicate, target=kept, reason="Doublon")
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert list(kept.posts.order_by("position").values_list("position", "body")) == [
        (0, "Le détail."),
        (1, "En BNC, sur la déclaration 2042-C-PRO."),
        (2, "Le détail."),
        (3, "Voir l'autre sujet."),
    ]
    assert kept.replies_count == 3 and duplicate.merged_into_id == kept.pk
    assert not Post.objects.filter(topic=duplicate).exists()
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == topic_path(kept)
    entry = AuditEntry.objects.get(action="community.topic.merge")
    assert entry.actor == moderator and entry.after["reason"] == "Doublon"
    with pytest.raises(ValidationError):
        topic_merge(user=moderator, source=duplicate, target=kept, reason="Encore")


def test_only_moderators_merge_with_a_reason(client, community, alice, moderator, duplicate_pair):
    kept, duplicate = duplicate_pair
    with pytest.raises(AccessDenied):
        topic_merge(user=alice, source=duplicate, target=kept, reason="Doublon")
    with pytest.raises(ValidationError):
        topic_merge(user=moderator, source=duplicate, target=kept, reason=" ")
    with pytest.raises(ValidationError):
        topic_merge(user=moderator, source=kept, target=kept, reason="Soi-même")
    client.force_login(moderator)
    url = reverse("community:topic-merge", args=[duplicate.public_id])
    response = client.post(url, {"target": "https://ailleurs.example/nimporte", "reason": "x"})
    assert response.status_code == 400
    assert "Sujet de destination introuvable." in response.content.decode()
    response = client.post(
        url, {"target": f"http://testserver{topic_path(kept)}", "reason": "Doublon"}
    )
    assert response.status_code == 302 and response["Location"] == topic_path(kept)


def test_the_edit_history_is_for_moderators_only(client, community, alice, bruno, moderator):
    topic = _topic(alice, community.categories.get(slug="cotisations"), "Question à corriger ici")
    post = topic.posts.get()
    post_edit(user=alice, post=post, body="Le détail, corrigé.")
    url = reverse("community:post-history", args=[post.public_id])
    client.force_login(bruno)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    page = client.get(url).content.decode()
    assert "Version 1" in page and "Version 2" in page and "Le détail, corrigé." in page
    assert "Alice photo" in page
    assert "Historique (2 versions)" in client.get(topic_path(topic)).content.decode()
