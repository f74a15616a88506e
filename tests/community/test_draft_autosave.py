"""The draft view the forms' script autosaves to (JSON), and its discard button (with and
without JavaScript): a member's own draft only, in places they may post."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.community.models import Draft
from relais.community.seo import topic_path
from relais.community.services import post_reply, topic_create
from relais.community.services.drafts import draft_save

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def topic(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Une question pour les brouillons",
        body="Le détail.",
        kind="question",
    )


def test_autosave_of_a_new_topic_answers_with_the_time(client, community, alice):
    client.force_login(alice)
    response = client.post(
        reverse("community:draft"),
        {"title": "Ma  question", "body": "Début", "category": "cotisations"},
        **JSON,
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] is True
    assert answer["message"].startswith("Brouillon enregistré à ")
    draft = Draft.objects.get(user=alice, topic=None)
    assert (draft.title, draft.body, draft.category_slug) == ("Ma question", "Début", "cotisations")
    # Back on the form: the draft is restored, the discard button and the status are shown.
    page = client.get(reverse("community:topic-create")).content.decode()
    assert 'value="Ma question"' in page and "Début</textarea>" in page
    assert f'data-draft-url="{reverse("community:draft")}"' in page
    assert "Supprimer le brouillon" in page and "Brouillon repris" in page
    assert 'role="status" data-draft-status' in page


def test_a_category_one_may_not_post_in_is_not_kept(client, community, alice):
    client.force_login(alice)
    client.post(reverse("community:draft"), {"body": "Texte", "category": "equipe"}, **JSON)
    assert Draft.objects.get(user=alice).category_slug == ""


def test_autosave_of_a_reply_and_its_restoration(client, community, alice, bruno, topic):
    client.force_login(bruno)
    url = reverse("community:topic-draft", args=[topic.public_id])
    answer = client.post(url, {"body": "Ma réponse en cours"}, **JSON).json()
    assert answer["saved"] is True
    assert Draft.objects.get(user=bruno, topic=topic).body == "Ma réponse en cours"
    page = client.get(topic_path(topic)).content.decode()
    assert ">\nMa réponse en cours\n" in page and f'data-draft-url="{url}"' in page


def test_an_empty_text_or_discard_removes_the_draft(client, community, alice, topic):
    client.force_login(alice)
    url = reverse("community:topic-draft", args=[topic.public_id])
    client.post(url, {"body": "Texte"}, **JSON)
    answer = client.post(url, {"body": "  "}, **JSON).json()
    assert answer == {"saved": False, "message": "Brouillon vide : rien à enregistrer."}
    assert not Draft.objects.exists()
    client.post(url, {"body": "Texte"}, **JSON)
    assert client.post(url, {"discard": "1"}, **JSON).json()["message"] == "Brouillon supprimé."
    assert not Draft.objects.exists()


def test_without_javascript_discard_comes_back_to_the_form(client, community, alice, topic):
    client.force_login(alice)
    draft_save(user=alice, community=community, body="Une idée", title="Un titre")
    response = client.post(reverse("community:draft"), {"discard": "1", "body": "Une idée"})
    assert response.status_code == 302 and response.url == reverse("community:topic-create")
    assert not Draft.objects.exists()
    draft_save(user=alice, community=community, topic=topic, body="Réponse")
    url = reverse("community:topic-draft", args=[topic.public_id])
    response = client.post(url, {"discard": "1"})
    assert response.url == f"{topic_path(topic)}#reply-heading"
    assert not Draft.objects.exists()


def test_a_too_long_text_is_refused_in_french(client, community, alice):
    client.force_login(alice)
    response = client.post(reverse("community:draft"), {"body": "x" * 10_001}, **JSON)
    assert response.status_code == 400
    assert response.json()["message"] == "Le message ne doit pas dépasser 10\xa0000 caractères."
    assert not Draft.objects.exists()


def test_a_draft_is_kept_only_up_to_what_can_be_published(client, community, alice, topic):
    """The draft, the reply form and the post share one ceiling: a draft the form would
    refuse is refused as it is typed, not kept to fail at publishing."""
    client.force_login(alice)
    url = reverse("community:topic-draft", args=[topic.public_id])
    assert client.post(url, {"body": "x" * 10_000}, **JSON).status_code == 200
    published = client.post(
        reverse("community:topic-reply", args=[topic.public_id]), {"body": "x" * 10_000}
    )
    assert published.status_code == 302
    assert topic.posts.filter(body="x" * 10_000).exists()
    refused = client.post(
        reverse("community:topic-reply", args=[topic.public_id]), {"body": "y" * 10_001}
    )
    assert refused.status_code == 400
    assert not topic.posts.filter(body__startswith="yyy").exists()
    with pytest.raises(ValidationError) as error:
        post_reply(user=alice, topic=topic, body="y" * 10_001)
    assert error.value.message_dict["body"] == [
        "Le message ne doit pas dépasser 10\xa0000 caractères."
    ]


def test_discarding_touches_only_ones_own_draft(client, community, alice, bruno, topic):
    draft_save(user=bruno, community=community, topic=topic, body="Réponse de Bruno")
    client.force_login(alice)
    client.post(reverse("community:topic-draft", args=[topic.public_id]), {"discard": "1"}, **JSON)
    assert Draft.objects.get().user == bruno


def test_a_topic_one_cannot_read_is_not_found(client, community, alice, moderator, staff_category):
    hidden = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : un sujet interne",
        body="Interne.",
        kind="discussion",
    )
    client.force_login(alice)
    response = client.post(
        reverse("community:topic-draft", args=[hidden.public_id]), {"body": "Je tente"}, **JSON
    )
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_another_organisations_member_cannot_save_here(client, community, topic):
    from tests.community.conftest import make_community, make_member

    other = make_community(slug="autre", name="Autre communauté")
    stranger = make_member(other, "etranger", "Étranger")
    client.force_login(stranger)
    response = client.post(
        reverse("community:topic-draft", args=[topic.public_id]), {"body": "Intrus"}, **JSON
    )
    assert response.status_code == 404  # the topic is not in the stranger's community
    assert not Draft.objects.filter(topic=topic).exists()


def test_a_visitor_is_sent_to_log_in(client, community, topic):
    response = client.post(reverse("community:draft"), {"body": "Texte"}, **JSON)
    assert response.status_code == 302 and "connexion" in response.url
    assert not Draft.objects.exists()
