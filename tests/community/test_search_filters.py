"""The search page's category filter (issue 11: « recherche plein texte … avec filtres »): it
narrows the titles' and the replies' indexes before the ranking, offers only the categories
the user reads, refuses any other in French and leaves the « sans résultat » count alone."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from relais.community import selectors
from relais.community.services import post_reply, topic_create
from relais.community.services.searchlog import search_empty_flush


@pytest.fixture
def topics(community, alice, bruno, moderator, members_category):
    public = community.categories.get(slug="cotisations")
    in_public = topic_create(
        user=alice,
        category=public,
        title="Le précompte sur une cession",
        body="Mon diffuseur a-t-il retenu le bon montant ?",
        kind="question",
    )
    members_only = topic_create(
        user=bruno,
        category=members_category,
        title="Une facture pour une lecture publique",
        body="Quels montants indiquer ?",
        kind="question",
    )
    post_reply(user=alice, topic=members_only, body="Le précompte n'y figure pas.")
    return in_public, members_only


def _titles(user, community, query, category=None):
    hits = selectors.topics_search(user=user, community=community, query=query, category=category)
    return [hit.topic.title for hit in hits]


def test_a_category_narrows_titles_and_replies(community, alice, topics, members_category):
    in_public, members_only = topics
    assert set(_titles(alice, community, "précompte")) == {in_public.title, members_only.title}
    public = community.categories.get(slug="cotisations")
    assert _titles(alice, community, "précompte", public) == [in_public.title]
    # Found by its reply only, inside the filter too.
    assert _titles(alice, community, "précompte", members_category) == [members_only.title]


def test_the_filter_ranks_inside_the_category_not_a_share_of_the_best(
    community, moderator, alice, members_category
):
    public = community.categories.get(slug="cotisations")
    for number in range(30):  # thirty title matches fill the page of the whole community
        topic_create(
            user=moderator,
            category=public,
            title=f"Le précompte, cas numéro {number}",
            body="Une question de précompte.",
            kind="question",
        )
    rare = topic_create(
        user=moderator,
        category=members_category,
        title="Une facture pour une lecture publique",
        body="Quels montants indiquer ?",
        kind="question",
    )
    post_reply(user=alice, topic=rare, body="Le précompte n'y figure pas.")
    assert rare.title not in _titles(alice, community, "précompte")
    assert _titles(alice, community, "précompte", members_category) == [rare.title]


def test_a_category_one_cannot_read_gives_nothing(community, alice, moderator, staff_category):
    topic_create(
        user=moderator,
        category=staff_category,
        title="Le précompte côté équipe",
        body="Note interne.",
        kind="discussion",
    )
    assert _titles(alice, community, "précompte", staff_category) == []
    assert _titles(moderator, community, "précompte", staff_category) == [
        "Le précompte côté équipe"
    ]


def test_the_page_offers_the_readable_categories_and_filters(client, community, alice, topics):
    in_public, members_only = topics
    url = reverse("community:search")
    anonymous = client.get(url, {"q": "précompte"}).content.decode()
    assert '<option value="cotisations">' in anonymous
    assert "entre-membres" not in anonymous and members_only.title not in anonymous
    client.force_login(alice)
    page = client.get(url, {"q": "précompte"}).content.decode()
    assert '<option value="entre-membres">' in page and '<option value="equipe">' not in page
    narrowed = client.get(url, {"q": "précompte", "categorie": "entre-membres"})
    html = narrowed.content.decode()
    assert narrowed.status_code == 200
    assert members_only.title in html and in_public.title not in html
    assert "1 résultat pour « précompte » dans « Entre membres »" in html
    assert '<option value="entre-membres" selected>' in html


def test_another_category_is_refused_in_french_and_nothing_is_searched(
    client, community, alice, topics
):
    client.force_login(alice)
    response = client.get(reverse("community:search"), {"q": "précompte", "categorie": "equipe"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez une catégorie de la liste." in html
    assert topics[0].title not in html


def test_a_narrowed_search_without_result_is_not_a_missing_answer(client, community, topics):
    cache.clear()
    url = reverse("community:search")
    client.get(url, {"q": "précompte", "categorie": "cotisations"})
    client.get(url, {"q": "xylophone", "categorie": "cotisations"})
    assert search_empty_flush(community=community) == 0
    client.get(url, {"q": "xylophone"})
    assert search_empty_flush(community=community) == 1


def test_replies_of_other_categories_cannot_crowd_the_filtered_ones_out(
    community, moderator, alice, members_category
):
    public = community.categories.get(slug="cotisations")
    busy = topic_create(
        user=moderator,
        category=public,
        title="Un fil très suivi sur les diffuseurs",
        body="Toutes vos questions ici.",
        kind="discussion",
    )
    for number in range(100):  # more matching replies than the replies' index is asked for
        post_reply(user=moderator, topic=busy, body=f"Le précompte, remarque {number}.")
    rare = topic_create(
        user=moderator,
        category=members_category,
        title="Une facture pour une lecture publique",
        body="Quels montants indiquer ?",
        kind="question",
    )
    post_reply(user=alice, topic=rare, body="Le précompte, remarque finale.")
    assert _titles(alice, community, "précompte", members_category) == [rare.title]
