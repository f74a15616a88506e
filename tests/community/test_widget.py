"""The embeddable widget: only its pages may be framed (CSP frame-ancestors from the
community's allow-list, no X-Frame-Options), its questions are readable cross-origin by the
allowed sites only (CORS), and it shows public content only, whoever is signed in."""

import json

import pytest
from django.urls import reverse

from relais.community.services import topic_create

ALLOWED = "https://www.secu-artistes-auteurs.fr"


@pytest.fixture
def embedded(community, public_category, members_category, alice):
    community.embed_origins = [ALLOWED, "http://localhost:8123"]
    community.save()
    topic_create(
        user=alice,
        category=public_category,
        title="Faut-il cotiser sur une <b>avance</b> ?",
        body="Question publique.",
        kind="question",
    )
    topic_create(
        user=alice,
        category=members_category,
        title="Question réservée aux membres",
        body="Texte.",
        kind="question",
    )
    return community


def _frame(client):
    return client.get(reverse("community:widget", kwargs={"category_slug": "cotisations"}))


def test_the_widget_page_may_be_framed_by_the_allowed_sites_only(client, embedded):
    response = _frame(client)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors 'self' {ALLOWED} http://localhost:8123"
    )
    html = response.content.decode()
    assert "Faut-il cotiser sur une &lt;b&gt;avance&lt;/b&gt; ?" in html
    assert 'action="http://testserver/communaute/c/cotisations/poser-une-question/"' in html


def test_without_an_allow_list_only_the_site_itself_may_frame_it(
    client, community, public_category
):
    assert _frame(client)["Content-Security-Policy"] == "frame-ancestors 'self'"


@pytest.mark.parametrize(
    "name",
    ["community:home", "community:accessibility", "community:search", "community:backoffice"],
)
def test_every_other_page_keeps_refusing_frames(client, embedded, name):
    response = client.get(reverse(name))
    assert response.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors" not in response.get("Content-Security-Policy", "")


def test_the_questions_are_readable_cross_origin_by_allowed_sites_only(client, embedded):
    url = reverse("community:widget-data", kwargs={"category_slug": "cotisations"})
    allowed = client.get(url, headers={"Origin": ALLOWED})
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in allowed["Vary"]
    data = json.loads(allowed.content)
    assert [t["title"] for t in data["topics"]] == ["Faut-il cotiser sur une <b>avance</b> ?"]
    assert data["ask_url"].endswith("/communaute/c/cotisations/poser-une-question/")
    other = client.get(url, headers={"Origin": "https://pirate.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    prefix = client.get(url, headers={"Origin": ALLOWED + ".pirate.example"})
    assert "Access-Control-Allow-Origin" not in prefix.headers


def test_the_script_snippet_is_javascript_with_the_data_address(client, embedded):
    url = reverse("community:widget-script", kwargs={"category_slug": "cotisations"})
    response = client.get(url, headers={"Origin": ALLOWED})
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert '"http://testserver/communaute/widget/c/cotisations/questions.json"' in body
    assert "Poser une question" in body


@pytest.mark.parametrize("slug", ["entre-membres", "equipe", "inconnue"])
def test_private_categories_are_not_embeddable_even_for_a_signed_in_member(
    client, embedded, alice, slug
):
    client.force_login(alice)  # a member reads the members' category on the forum itself
    for name in ("community:widget", "community:widget-data", "community:widget-script"):
        assert client.get(reverse(name, kwargs={"category_slug": slug})).status_code == 404


def test_the_ask_box_prefills_the_title_of_a_new_question(client, embedded, alice):
    client.force_login(alice)
    url = reverse("community:category-topic-create", kwargs={"category_slug": "cotisations"})
    response = client.get(url, {"q": "Comment <déclarer> ?"})
    assert 'value="Comment &lt;déclarer&gt; ?"' in response.content.decode()


def test_a_widget_of_a_switched_off_forum_is_not_found(client, embedded):
    embedded.features = {"forum": False}
    embedded.save()
    assert _frame(client).status_code == 404
