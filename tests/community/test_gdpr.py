"""GDPR: the member's export (JSON and readable) holds their data and no one else's; the
deletion keeps the posts under « Membre supprimé » or erases their text on request, with a
confirmation step, and anonymises or unlinks the kernel Person."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from relais.community.models import MemberProfile, Post, PostRevision, Topic
from relais.community.seo import topic_path
from relais.community.services import flag_create, post_edit, post_reply, topic_create
from relais.community.services.gdpr import ERASED_NOTICE
from relais.community.services.sanctions import sanction_apply
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Person
from relais.core.interactions.models import Interaction
from tests.factories import PASSWORD

User = get_user_model()


@pytest.fixture
def activity(community, alice, bruno, moderator, public_category):
    """Alice asks, Bruno answers (then edits), Alice flags Bruno's other post, Bruno flags
    Alice's question, Alice is silenced once."""
    topic = topic_create(
        user=alice,
        category=public_category,
        title="Déclarer des droits d'auteur à l'étranger",
        body="Mon éditeur est belge : que dois-je déclarer ?",
        kind="question",
    )
    answer = post_reply(user=bruno, topic=topic, body="Secret de Bruno : tout en BNC.")
    post_edit(user=bruno, post=answer, body="Texte corrigé de Bruno.", reason="précision")
    mine = post_reply(user=alice, topic=topic, body="Merci, et pour la TVA ?")
    other = post_reply(user=bruno, topic=topic, body="Message hors sujet de Bruno.")
    flag_create(user=alice, post=other, reason="off_topic", text="Rien à voir")
    flag_create(user=bruno, post=mine, reason="other", text="Bruno signale Alice")
    sanction_apply(
        user=moderator,
        profile=MemberProfile.objects.get(user=alice, community=community),
        kind="silence",
        reason="Ton agressif",
    )
    return {"topic": topic, "answer": answer, "mine": mine}


def _export(client, fmt):
    response = client.post(reverse("community:profile-data-export"), {"format": fmt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def test_the_json_export_holds_the_members_data_only(client, community, alice, activity):
    client.force_login(alice)
    data = json.loads(_export(client, "json"))
    assert data["profile"]["display_name"] == "Alice photo"
    assert data["account"]["email"] == "alice@exemple.fr"
    assert [t["title"] for t in data["topics"]] == ["Déclarer des droits d'auteur à l'étranger"]
    assert [p["body"] for p in data["posts"]] == [
        "Mon éditeur est belge : que dois-je déclarer ?",
        "Merci, et pour la TVA ?",
    ]
    assert [(f["reason"], f["text"]) for f in data["flags"]] == [("Hors sujet", "Rien à voir")]
    assert [(s["kind"], s["reason"]) for s in data["sanctions"]] == [
        ("Mise en sourdine (lecture seule)", "Ton agressif")
    ]
    text = json.dumps(data, ensure_ascii=False)
    for foreign in ("Bruno", "bruno@exemple.fr", "Texte corrigé", "Secret"):
        assert foreign not in text
    assert AuditEntry.objects.filter(action="community.member.export").count() == 1
    assert Interaction.objects.filter(event_code="community.member.exported").count() == 1


def test_the_readable_export_is_escaped_html(client, community, alice, public_category):
    topic_create(
        user=alice,
        category=public_category,
        title="Titre avec <script>alert(1)</script>",
        body="Corps <img src=x onerror=alert(1)>",
        kind="question",
    )
    client.force_login(alice)
    html = _export(client, "html")
    assert "Alice photo" in html and "Mes données" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_the_export_is_a_post_and_needs_an_account(client, community, alice):
    response = client.post(reverse("community:profile-data-export"), {"format": "json"})
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    client.force_login(alice)
    assert client.get(reverse("community:profile-data-export")).status_code == 405


def test_deletion_asks_for_confirmation(client, community, alice, activity):
    client.force_login(alice)
    url = reverse("community:profile-delete")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"password": "mauvais", "confirm": "oui"})
    html = wrong.content.decode()
    assert wrong.status_code == 400
    assert "Mot de passe incorrect" in html and "Tapez SUPPRIMER" in html
    assert MemberProfile.objects.get(user=alice).deleted_at is None


def test_deletion_keeps_the_posts_signed_membre_supprime(client, community, alice, activity):
    client.force_login(alice)
    person_pk = MemberProfile.objects.get(user=alice).person_id
    response = client.post(
        reverse("community:profile-delete"), {"password": PASSWORD, "confirm": "supprimer"}
    )
    assert response.status_code == 302
    profile = MemberProfile.objects.get(pk=MemberProfile.objects.get(user_id=alice.pk).pk)
    assert profile.deleted_at is not None and profile.display_name.startswith("Membre supprimé")
    assert profile.person_id is None
    mine = Post.objects.get(pk=activity["mine"].pk)
    assert mine.body == "Merci, et pour la TVA ?"  # kept
    page = client.get(topic_path(activity["topic"]))
    html = page.content.decode()
    assert "Membre supprimé" in html and "Alice photo" not in html
    # The account existed for the community only: closed and anonymised.
    user = User.objects.get(pk=alice.pk)
    assert not user.is_active and user.email == "" and user.last_name == ""
    assert "_auth_user_id" not in client.session
    # The person was known already (created by joining, not by the public sign-up): unlinked
    # and the community's interaction rows detached from it.
    assert Person.objects.filter(pk=person_pk).exists()
    assert not Interaction.objects.filter(
        person_id=person_pk, event_code__startswith="community."
    ).exists()


def test_erasure_replaces_the_text_of_every_post_and_revision(
    client, community, alice, bruno, activity
):
    client.force_login(alice)
    client.post(
        reverse("community:profile-delete"),
        {"password": PASSWORD, "confirm": "SUPPRIMER", "erase_posts": "on"},
    )
    for post in Post.objects.filter(author=alice):
        assert post.body == ERASED_NOTICE and "effacé" in post.html
        assert set(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == {
            ERASED_NOTICE
        }
    topic = Topic.objects.get(pk=activity["topic"].pk)
    assert "belge" not in topic.title + topic.excerpt
    # Bruno's posts are untouched.
    assert Post.objects.get(pk=activity["answer"].pk).body == "Texte corrigé de Bruno."


def test_a_person_created_by_the_sign_up_is_anonymised(client, community):
    from django.core.cache import cache

    from relais.community.services.signup import member_signup

    cache.clear()
    profile = member_signup(
        community=community,
        email="eve@exemple.fr",
        password="Pinceau-et-Plume-2025",
        display_name="Ève sculpte",
        first_name="Ève",
        last_name="Martin",
        accept_charter=True,
    )
    person = profile.person
    client.force_login(profile.user)
    client.post(
        reverse("community:profile-delete"),
        {"password": "Pinceau-et-Plume-2025", "confirm": "SUPPRIMER"},
    )
    person.refresh_from_db()
    assert person.email == "" and person.first_name == "" and person.last_name == "Membre supprimé"
    assert not person.consent_email


def test_staff_keep_their_account_when_leaving_the_community(
    client, community, staff, public_category
):
    topic_create(
        user=staff,
        category=public_category,
        title="Annonce de l'équipe aux membres",
        body="Bienvenue à toutes et à tous.",
        kind="discussion",
    )
    client.force_login(staff)
    client.post(reverse("community:profile-delete"), {"password": PASSWORD, "confirm": "SUPPRIMER"})
    staff.refresh_from_db()
    assert staff.is_active and staff.username == "conseillere"
    assert MemberProfile.objects.get(user=staff).deleted_at is not None
