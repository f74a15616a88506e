"""Category moderators: a member an administrator named moderator of some categories
moderates their content there — and nowhere else (another category, a forged id, another
community), through the services and through the pages; sanctions stay with the moderator
role; naming and withdrawal from the back office, with French errors and a logged event."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community import selectors
from relais.community.access import can_moderate, moderated_categories
from relais.community.models import CategoryModerator, MemberProfile, Post, Sanction, Topic
from relais.community.permissions import Event
from relais.community.seo import topic_path
from relais.community.services import (
    answer_accept,
    flag_create,
    flag_decide,
    post_delete,
    post_edit,
    post_reply,
    post_restore,
    post_screen_decide,
    topic_close,
    topic_create,
    topic_move,
)
from relais.community.services.category_moderators import (
    category_moderator_add,
    category_moderator_remove,
)
from relais.community.services.sanctions import sanction_apply
from relais.community.services.topic_merge import topic_merge
from relais.core.accounts.roles import Role
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Interaction
from relais.core.organizations.models import OrganizationDomain
from tests.community.conftest import make_community, make_member
from tests.factories import UserFactory


@pytest.fixture
def admin(community):
    return UserFactory(
        username="admin",
        role=Role.ADMINISTRATOR,
        organization=community.organization,
        workspaces=[community.workspace],
        first_name="Adèle",
        last_name="Administratrice",
    )


@pytest.fixture
def carla(community):
    """A member, not a moderator by role."""
    return make_member(community, "carla", "Carla sculpture")


@pytest.fixture
def forum(community, alice, bruno, carla, admin, public_category, members_category):
    """Carla moderates « Cotisations » only; one topic there and one in « Entre membres »,
    each with a reply of Bruno."""
    MemberProfile.objects.filter(community=community).update(trust_level=2, trust_level_locked=True)
    category_moderator_add(
        user=admin, community=community, category=public_category, display_name="Carla sculpture"
    )
    mine = topic_create(
        user=alice,
        category=public_category,
        title="Quand payer la cotisation annuelle ?",
        body="Je ne sais pas quand payer.",
        kind="question",
    )
    other = topic_create(
        user=alice,
        category=members_category,
        title="Un atelier partagé à Lyon ?",
        body="Qui partage un atelier ?",
        kind="question",
    )
    return {
        "mine": mine,
        "mine_reply": post_reply(user=bruno, topic=mine, body="Au printemps, je crois."),
        "other": other,
        "other_reply": post_reply(user=bruno, topic=other, body="Moi, rue de la Soie."),
    }


def _denied(action):
    with pytest.raises(AccessDenied):
        action()


def test_can_moderate_is_per_category(forum, carla, moderator, public_category, members_category):
    assert can_moderate(carla, public_category)
    assert not can_moderate(carla, members_category)
    assert can_moderate(moderator, members_category)  # the role covers every category
    assert list(moderated_categories(carla, public_category.community)) == [public_category]


def test_content_actions_in_their_category(forum, carla):
    reply = forum["mine_reply"]
    post_edit(user=carla, post=reply, body="Au printemps (corrigé).", reason="Précision")
    post_delete(user=carla, post=reply, reason="Hors sujet")
    post_restore(user=carla, post=reply, reason="Erreur")
    answer_accept(user=carla, post=reply)
    topic_close(user=carla, topic=forum["mine"], reason="Résolu")
    reply.refresh_from_db()
    assert not reply.is_deleted and reply.revisions_count == 2
    topic = Topic.objects.get(pk=forum["mine"].pk)
    assert topic.is_closed and topic.accepted_answer_id == reply.pk


def test_no_content_action_in_another_category(forum, carla, alice):
    reply, topic = forum["other_reply"], forum["other"]
    _denied(lambda: post_edit(user=carla, post=reply, body="Changé", reason="x"))
    _denied(lambda: post_delete(user=carla, post=reply, reason="x"))
    _denied(lambda: answer_accept(user=carla, post=reply))
    _denied(lambda: topic_close(user=carla, topic=topic, reason="x"))
    Post.objects.filter(pk=reply.pk).update(is_deleted=True, deleted_reason="x")
    _denied(lambda: post_restore(user=carla, post=reply, reason="x"))
    Post.objects.filter(pk=reply.pk).update(
        is_deleted=False, hidden=Post.Hidden.APPROVAL, screen_action="require_approval"
    )
    _denied(lambda: post_screen_decide(user=carla, post=reply, approve=True))
    Post.objects.filter(pk=reply.pk).update(hidden="", screen_action="")
    flag_create(user=alice, post=reply, reason="spam")
    _denied(lambda: flag_decide(user=carla, post=reply, decision="agree"))
    reply.refresh_from_db()
    assert reply.body == "Moi, rue de la Soie." and not reply.is_deleted and not reply.hidden
    assert not Topic.objects.get(pk=topic.pk).is_closed


def test_held_posts_and_flags_in_their_category(forum, carla, alice):
    reply = forum["mine_reply"]
    Post.objects.filter(pk=reply.pk).update(
        hidden=Post.Hidden.APPROVAL, screen_action="require_approval"
    )
    post_screen_decide(user=carla, post=reply, approve=True)
    reply.refresh_from_db()
    assert reply.is_visible
    flag_create(user=alice, post=reply, reason="spam")
    flags = flag_decide(user=carla, post=reply, decision="agree")
    assert [flag.handler_id for flag in flags] == [carla.pk]


def test_moving_needs_both_categories(forum, carla, admin, community, members_category):
    with pytest.raises(ValidationError) as error:
        topic_move(user=carla, topic=forum["mine"], category=members_category, reason="x")
    assert error.value.message_dict == {"category": ["Catégorie introuvable."]}
    _denied(
        lambda: topic_move(
            user=carla,
            topic=forum["other"],
            category=forum["mine"].category,
            reason="x",
        )
    )
    assert Topic.objects.get(pk=forum["mine"].pk).category_id == forum["mine"].category_id
    category_moderator_add(
        user=admin, community=community, category=members_category, display_name="Carla sculpture"
    )
    moved = topic_move(user=carla, topic=forum["mine"], category=members_category, reason="Lieu")
    assert moved.category_id == members_category.pk


def test_merging_needs_both_categories(forum, carla, alice, public_category):
    duplicate = topic_create(
        user=alice,
        category=public_category,
        title="Date de paiement de la cotisation",
        body="Quand faut-il payer ?",
        kind="question",
    )
    with pytest.raises(ValidationError) as error:
        topic_merge(user=carla, source=duplicate, target=forum["other"], reason="Doublon")
    assert error.value.message_dict == {"target": ["Sujet introuvable."]}
    _denied(lambda: topic_merge(user=carla, source=forum["other"], target=duplicate, reason="x"))
    topic_merge(user=carla, source=duplicate, target=forum["mine"], reason="Doublon")
    assert Topic.objects.get(pk=duplicate.pk).merged_into_id == forum["mine"].pk


def test_review_queue_lists_only_their_categories(forum, carla, alice, moderator, bruno):
    flag_create(user=alice, post=forum["mine_reply"], reason="spam")
    flag_create(user=alice, post=forum["other_reply"], reason="spam")
    community = forum["mine"].community
    mine = [item.post.pk for item in selectors.review_queue(user=carla, community=community)]
    assert mine == [forum["mine_reply"].pk]
    everything = {
        item.post.pk for item in selectors.review_queue(user=moderator, community=community)
    }
    assert everything == {forum["mine_reply"].pk, forum["other_reply"].pk}
    _denied(lambda: selectors.review_queue(user=bruno, community=community))


def test_a_deleted_topic_elsewhere_stays_hidden(forum, carla, moderator):
    other = forum["other"]
    post_delete(user=moderator, post=other.posts.get(position=0), reason="Spam")
    with pytest.raises(NotFound):
        selectors.topic_get(user=carla, community=other.community, public_id=other.public_id)
    _denied(lambda: selectors.post_revisions(user=carla, post=forum["other_reply"]))


def test_sanctions_stay_with_the_moderator_role(forum, carla, bruno, community):
    profile = MemberProfile.objects.get(community=community, user=bruno)
    _denied(lambda: sanction_apply(user=carla, profile=profile, kind="silence", reason="x"))
    assert not Sanction.objects.filter(profile=profile).exists()


def test_a_silenced_or_removed_category_moderator_moderates_nothing(
    forum, carla, moderator, admin, community, public_category
):
    profile = MemberProfile.objects.get(community=community, user=carla)
    sanction = sanction_apply(user=moderator, profile=profile, kind="silence", reason="Excès")
    assert not can_moderate(carla, public_category)
    _denied(lambda: post_delete(user=carla, post=forum["mine_reply"], reason="x"))
    sanction.delete()
    assert can_moderate(carla, public_category)
    category_moderator_remove(
        user=admin, community=community, category=public_category, display_name="Carla sculpture"
    )
    assert not can_moderate(carla, public_category)
    _denied(lambda: post_delete(user=carla, post=forum["mine_reply"], reason="x"))


# Through the pages.


def test_pages_act_only_in_their_category(client, forum, carla, members_category):
    client.force_login(carla)
    other_reply, mine_reply = forum["other_reply"], forum["mine_reply"]
    url = reverse("community:post-delete", kwargs={"post_id": other_reply.public_id})
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not Post.objects.get(pk=other_reply.pk).is_deleted
    url = reverse("community:post-delete", kwargs={"post_id": mine_reply.public_id})
    assert client.post(url, {"reason": "Hors sujet"}).status_code == 302
    assert Post.objects.get(pk=mine_reply.pk).is_deleted
    for name in ("topic-move", "topic-merge"):
        url = reverse(f"community:{name}", kwargs={"topic_id": forum["other"].public_id})
        assert client.get(url).status_code == 403
    url = reverse("community:topic-close", kwargs={"topic_id": forum["other"].public_id})
    client.post(url, {"reason": "x"})
    assert not Topic.objects.get(pk=forum["other"].pk).is_closed
    url = reverse("community:post-edit", kwargs={"post_id": other_reply.public_id})
    assert client.get(url).status_code == 403


def test_move_page_offers_and_accepts_only_their_categories(client, forum, carla, members_category):
    client.force_login(carla)
    url = reverse("community:topic-move", kwargs={"topic_id": forum["mine"].public_id})
    page = client.get(url)
    assert page.status_code == 200 and members_category.name not in page.content.decode()
    response = client.post(url, {"category": members_category.slug, "reason": "Forgé"})
    assert response.status_code == 400
    assert Topic.objects.get(pk=forum["mine"].pk).category_id == forum["mine"].category_id


def test_topic_page_shows_moderation_only_where_they_moderate(client, forum, carla):
    client.force_login(carla)
    mine = client.get(topic_path(forum["mine"])).content.decode()
    other = client.get(topic_path(forum["other"])).content.decode()
    close_mine = reverse("community:topic-close", kwargs={"topic_id": forum["mine"].public_id})
    close_other = reverse("community:topic-close", kwargs={"topic_id": forum["other"].public_id})
    assert close_mine in mine and close_other not in other
    assert reverse("community:review-queue") in mine
    assert reverse("community:member-list") not in mine  # members and sanctions: the role's


def test_review_queue_page_and_decision_elsewhere(client, forum, carla, alice, moderator):
    flag_create(user=alice, post=forum["mine_reply"], reason="spam")
    flag_create(user=alice, post=forum["other_reply"], reason="spam")
    client.force_login(carla)
    html = client.get(reverse("community:review-queue")).content.decode()
    assert "Au printemps, je crois." in html and "rue de la Soie" not in html
    assert "Sanctionner l'auteur" not in html  # sanctions stay with the moderator role
    client.force_login(moderator)
    html = client.get(reverse("community:review-queue")).content.decode()
    assert "rue de la Soie" in html and "Sanctionner l'auteur" in html
    client.force_login(carla)
    url = reverse("community:flag-decide", kwargs={"post_id": forum["other_reply"].public_id})
    assert client.post(url, {"decision": "agree", "note": ""}).status_code == 403
    assert forum["other_reply"].flags.filter(state="pending").count() == 1


def test_another_communitys_posts_are_not_found(client, settings, forum, carla, community):
    settings.ALLOWED_HOSTS = ["*"]
    OrganizationDomain.objects.create(
        organization=community.organization, domain="artistes.exemple.fr", is_primary=True
    )
    other = make_community(slug="voisine", name="Communauté voisine")
    OrganizationDomain.objects.create(
        organization=other.organization, domain="voisine.exemple.fr", is_primary=True
    )
    neighbour = make_member(other, "voisin", "Voisin peintre")
    MemberProfile.objects.filter(user=neighbour).update(trust_level=2, trust_level_locked=True)
    topic = topic_create(
        user=neighbour,
        category=other.categories.get(slug="cotisations"),
        title="Cotisation chez les voisins",
        body="Une question de voisinage.",
        kind="question",
    )
    post = topic.posts.get(position=0)
    assert not can_moderate(carla, topic.category)  # same slug, another community
    _denied(lambda: post_delete(user=carla, post=post, reason="x"))
    client.force_login(carla)
    url = reverse("community:post-delete", kwargs={"post_id": post.public_id})
    for host in ("artistes.exemple.fr", "voisine.exemple.fr"):
        assert client.post(url, {"reason": "x"}, HTTP_HOST=host).status_code in (403, 404)
    assert not Post.objects.get(pk=post.pk).is_deleted


# The back office.


def _moderators_url(category):
    return reverse(
        "community:backoffice-category-moderators", kwargs={"category_slug": category.slug}
    )


def test_an_administrator_names_and_removes_a_category_moderator(
    client, community, admin, bruno, members_category
):
    client.force_login(admin)
    url = _moderators_url(members_category)
    response = client.post(url, {"member": "bruno dessin"})
    assert response.status_code == 302
    assert CategoryModerator.objects.filter(
        category=members_category, profile__user=bruno, assigned_by=admin
    ).exists()
    page = client.get(reverse("community:backoffice-category", args=[members_category.slug]))
    assert "Bruno dessin" in page.content.decode()
    response = client.post(url, {"member": "Bruno dessin", "operation": "remove"})
    assert response.status_code == 302
    assert not CategoryModerator.objects.filter(category=members_category).exists()
    events = list(
        Interaction.objects.filter(
            workspace=community.workspace,
            event_code__in=[Event.CATEGORY_MODERATOR_ADDED, Event.CATEGORY_MODERATOR_REMOVED],
        )
        .order_by("pk")
        .values_list("event_code", "actor_id")
    )
    assert events == [
        (Event.CATEGORY_MODERATOR_ADDED, admin.pk),
        (Event.CATEGORY_MODERATOR_REMOVED, admin.pk),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"member": ""}, "Indiquez le nom affiché du membre."),
        ({"member": "Personne"}, "Aucun membre de cette communauté ne porte le nom « Personne »."),
        (
            {"member": "Bruno dessin", "operation": "remove"},
            "Ce membre ne modère pas cette catégorie.",
        ),
    ],
)
def test_back_office_errors_are_in_french(client, admin, bruno, members_category, data, message):
    client.force_login(admin)
    response = client.post(_moderators_url(members_category), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CategoryModerator.objects.exists()


def test_a_staff_category_cannot_get_a_member_moderator(client, admin, bruno, staff_category):
    client.force_login(admin)
    response = client.post(_moderators_url(staff_category), {"member": "Bruno dessin"})
    assert response.status_code == 400
    assert "Ce membre ne peut pas lire cette catégorie" in response.content.decode()
    assert not CategoryModerator.objects.exists()


def test_only_administrators_name_moderators(client, forum, carla, moderator, public_category):
    for user in (carla, moderator):
        client.force_login(user)
        response = client.post(_moderators_url(public_category), {"member": "Bruno dessin"})
        assert response.status_code == 403
    assert list(CategoryModerator.objects.values_list("profile__display_name", flat=True)) == [
        "Carla sculpture"
    ]


def test_another_communitys_category_or_member_is_refused(client, admin, community, bruno):
    other = make_community(slug="voisine", name="Communauté voisine")
    make_member(other, "voisin", "Voisin peintre")
    foreign = other.categories.get(slug="cotisations")
    with pytest.raises(ValidationError):
        category_moderator_add(
            user=admin, community=community, category=foreign, display_name="Bruno dessin"
        )
    with pytest.raises(ValidationError):
        category_moderator_add(
            user=admin,
            community=community,
            category=community.categories.get(slug="cotisations"),
            display_name="Voisin peintre",
        )
    assert not CategoryModerator.objects.exists()
