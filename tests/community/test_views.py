"""The forum's pages end to end through the HTTP client: reading without an account, private
categories, another community's ids, French form errors, escaping, SEO output."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from relais.community.models import OfficialAnswer
from relais.community.seo import topic_path
from relais.community.services import (
    answer_accept,
    answer_validate,
    flag_create,
    post_reply,
    topic_create,
)
from relais.core.organizations.models import OrganizationDomain
from tests.community.conftest import make_community, make_member


def _xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314 - our own output


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def solved(alice, bruno, staff, public_category):
    topic = topic_create(
        user=alice,
        category=public_category,
        title="Quel taux de cotisation retraite en 2025 ?",
        body="Je débute comme illustratrice.",
        kind="question",
    )
    first = post_reply(user=bruno, topic=topic, body="Environ 6,9 % sur la totalité.")
    answer = post_reply(user=bruno, topic=topic, body="Voir le **barème** officiel.")
    answer_accept(user=alice, post=answer)
    answer_validate(user=staff, post=first, service_name="Service cotisations")
    topic.refresh_from_db()
    return topic


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


def test_a_visitor_reads_a_question_with_its_official_and_accepted_answers(client, solved):
    response = client.get(topic_path(solved))
    assert response.status_code == 200
    html = response.content.decode()
    # Official answer first, marked by words and an icon, not by colour alone.
    assert html.index("Réponse validée par l'organisme") < html.index("Voir le <strong>barème")
    assert "bi-patch-check-fill" in html and "Service cotisations" in html
    assert "Réponse acceptée par l'auteur de la question" in html
    assert '<link rel="canonical" href="http://testserver/communaute/sujets/' in html
    assert 'property="og:title" content="Quel taux de cotisation retraite en 2025 ?"' in html
    assert "noindex" not in html
    data = _json_ld(html)
    assert data["@type"] == "QAPage"
    question = data["mainEntity"]
    assert question["name"] == solved.title and question["answerCount"] == 2
    assert question["acceptedAnswer"]["text"] == "Voir le **barème** officiel."
    assert question["suggestedAnswer"][0]["author"] == {
        "@type": "Organization",
        "name": "Service cotisations",
    }
    # The pseudonym is shown, the legal name never.
    assert "Alice photo" in html and "Nom alice" not in html


def test_a_wrong_slug_redirects_to_the_canonical_address(client, solved):
    url = reverse(
        "community:topic-detail", kwargs={"topic_id": solved.public_id, "topic_slug": "autre"}
    )
    response = client.get(url)
    assert response.status_code == 301 and response["Location"] == topic_path(solved)


def test_a_discussion_is_a_discussion_forum_posting(client, alice, public_category):
    topic = topic_create(
        user=alice,
        category=public_category,
        title="Vos astuces pour la déclaration annuelle",
        body="Partagez !",
        kind="discussion",
    )
    data = _json_ld(client.get(topic_path(topic)).content.decode())
    assert data["@type"] == "DiscussionForumPosting" and data["headline"] == topic.title


def test_private_categories_are_invisible_to_visitors_and_non_members(
    client, alice, moderator, members_category, staff_category, community
):
    members_topic = topic_create(
        user=alice,
        category=members_category,
        title="Entre nous : le statut d'artiste-auteur",
        body="Question entre membres.",
        kind="question",
    )
    staff_topic = topic_create(
        user=moderator,
        category=staff_category,
        title="Consigne interne sur les relances",
        body="Réservé à l'équipe.",
        kind="discussion",
    )
    home = client.get(reverse("community:home")).content.decode()
    assert "Entre membres" not in home and "Coulisses" not in home
    for url in (
        reverse("community:category-detail", kwargs={"category_slug": "entre-membres"}),
        reverse("community:category-detail", kwargs={"category_slug": "equipe"}),
        topic_path(members_topic),
        topic_path(staff_topic),
    ):
        assert client.get(url).status_code == 404, url
    search = client.get(reverse("community:search"), {"q": "statut artiste"}).content.decode()
    assert str(members_topic.public_id) not in search
    # A member reads the members' category (with noindex), not the staff's.
    client.force_login(alice)
    page = client.get(topic_path(members_topic))
    assert page.status_code == 200 and 'content="noindex' in page.content.decode()
    assert client.get(topic_path(staff_topic)).status_code == 404
    assert (
        str(members_topic.public_id)
        in client.get(reverse("community:search"), {"q": "statut artiste"}).content.decode()
    )


def test_another_communitys_ids_are_not_found(client, settings, solved, alice):
    settings.ALLOWED_HOSTS = ["*"]
    other = make_community(slug="voisine", name="Communauté voisine")
    OrganizationDomain.objects.create(
        organization=other.organization, domain="voisine.exemple.fr", is_primary=True
    )
    OrganizationDomain.objects.create(
        organization=solved.community.organization, domain="artistes.exemple.fr", is_primary=True
    )
    answer = solved.posts.get(position=1)
    host = {"HTTP_HOST": "voisine.exemple.fr"}
    assert client.get(topic_path(solved), **host).status_code == 404
    assert client.get(topic_path(solved), HTTP_HOST="artistes.exemple.fr").status_code == 200
    other_member = make_member(other, "voisin", "Voisin peintre")
    client.force_login(other_member)
    for name in ("post-flag", "post-validate", "post-edit"):
        url = reverse(f"community:{name}", kwargs={"post_id": answer.public_id})
        assert client.get(url, **host).status_code == 404, name
    response = client.post(
        reverse("community:topic-reply", kwargs={"topic_id": solved.public_id}),
        {"body": "Intrusion"},
        **host,
    )
    assert response.status_code == 404
    assert solved.posts.count() == 3


def test_asking_with_french_errors_then_success(client, alice, public_category):
    client.force_login(alice)
    url = reverse("community:topic-create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": "", "kind": "question", "title": "Court", "body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le formulaire contient des erreurs" in html
    assert "Choisissez une catégorie." in html and "Écrivez votre message." in html
    response = client.post(
        url,
        {"category": "cotisations", "kind": "question", "title": "Court", "body": "Texte"},
    )
    assert "Le titre doit compter au moins 10 caractères." in response.content.decode()
    response = client.post(
        url,
        {
            "category": "cotisations",
            "kind": "question",
            "title": "<script>alert('titre')</script> une question",
            "body": "Bonjour",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;titre&#x27;)&lt;/script&gt; une question" in page
    data = _json_ld(page)  # the title cannot close the JSON-LD script either
    assert data["mainEntity"]["name"].startswith("<script>")


def test_a_visitor_is_sent_to_sign_in_and_a_user_to_join(client, community):
    response = client.get(reverse("community:topic-create"))
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    from tests.factories import UserFactory

    newcomer = UserFactory(role="member", organization=community.organization)
    client.force_login(newcomer)
    response = client.get(reverse("community:topic-create"))
    assert response.status_code == 302 and reverse("community:join") in response["Location"]
    response = client.post(reverse("community:join"), {"display_name": "Ne", "branch": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "au moins 3 caractères" in html and "Acceptez la charte" in html


def test_reply_validate_and_flag_through_the_pages(client, alice, bruno, staff, solved):
    client.force_login(bruno)
    response = client.post(
        reverse("community:topic-reply", kwargs={"topic_id": solved.public_id}), {"body": ""}
    )
    assert response.status_code == 400 and "Écrivez votre réponse." in response.content.decode()
    reply = solved.posts.get(position=2)
    client.force_login(staff)
    url = reverse("community:post-validate", kwargs={"post_id": reply.public_id})
    response = client.post(url, {"service_name": "", "source_url": "pas un lien"})
    html = response.content.decode()
    assert "Indiquez le service qui signe la réponse." in html
    assert "Indiquez un lien valide" in html
    response = client.post(
        url, {"service_name": "Service retraite", "source_text": "Art. L382-1 CSS"}
    )
    assert response.status_code == 302
    assert OfficialAnswer.objects.get(post=reply).source_text == "Art. L382-1 CSS"
    client.force_login(alice)
    flag_url = reverse("community:post-flag", kwargs={"post_id": reply.public_id})
    response = client.post(flag_url, {"reason": "other", "text": ""})
    assert "Précisez le motif du signalement." in response.content.decode()
    assert client.post(flag_url, {"reason": "spam"}).status_code == 302


def test_members_cannot_validate_nor_open_the_review_queue(client, alice, solved):
    client.force_login(alice)
    reply = solved.posts.get(position=2)
    assert (
        client.get(
            reverse("community:post-validate", kwargs={"post_id": reply.public_id})
        ).status_code
        == 403
    )
    assert client.get(reverse("community:review-queue")).status_code == 403


def test_the_review_queue_shows_the_rule_and_decides(client, alice, moderator, solved):
    reply = solved.posts.get(position=2)
    flag_create(user=alice, post=reply, reason="off_topic", text="<b>hors sujet</b>")
    client.force_login(moderator)
    page = client.get(reverse("community:review-queue")).content.decode()
    assert "somme des poids" in page and "Hors sujet" in page
    assert "&lt;b&gt;hors sujet&lt;/b&gt;" in page
    response = client.post(
        reverse("community:flag-decide", kwargs={"post_id": reply.public_id}),
        {"decision": "agree", "note": "Hors sujet"},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.hidden == "moderator"
    # Shown marked to the moderator, hidden for visitors.
    assert "Masqué par la modération" in client.get(topic_path(solved)).content.decode()
    client.logout()
    assert "barème" not in client.get(topic_path(solved)).content.decode()


def test_unanswered_and_search_pages(client, alice, public_category, solved):
    lonely = topic_create(
        user=alice,
        category=public_category,
        title="Allocations familiales et droits d'auteur",
        body="Mes droits d'auteur comptent-ils pour la CAF ?",
        kind="question",
    )
    page = client.get(reverse("community:unanswered")).content.decode()
    assert str(lonely.public_id) in page and str(solved.public_id) not in page
    results = client.get(reverse("community:search"), {"q": "droit auteur CAF"}).content.decode()
    assert str(lonely.public_id) in results and "<mark>" in results


def test_robots_and_sitemap(client, solved, members_category, alice):
    hidden = topic_create(
        user=alice,
        category=members_category,
        title="Un sujet réservé aux membres",
        body="Privé",
        kind="question",
    )
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /communaute/moderation/" in robots
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = _xml(response.content)
    locations = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    assert f"http://testserver{topic_path(solved)}" in locations
    assert f"http://testserver{topic_path(hidden)}" not in locations
    assert "http://testserver/communaute/c/cotisations/" in locations
    assert "http://testserver/communaute/c/entre-membres/" not in locations


def test_several_communities_get_a_sitemap_index_on_their_own_domains(client, solved):
    other = make_community(slug="voisine", name="Communauté voisine")
    OrganizationDomain.objects.create(
        organization=other.organization, domain="voisine.exemple.fr", is_primary=True
    )
    root = _xml(client.get("/sitemap.xml").content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    entries = [loc.text for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert entries == [
        "http://testserver/sitemap-artistes.xml",
        "http://testserver/sitemap-voisine.xml",
    ]
    voisine = _xml(client.get("/sitemap-voisine.xml").content)
    assert [loc.text for loc in voisine.findall("s:url/s:loc", SITEMAP_NS)] == [
        "https://voisine.exemple.fr/communaute/",
        "https://voisine.exemple.fr/communaute/c/cotisations/",
    ]
    assert client.get("/sitemap-inconnue.xml").status_code == 404


def test_a_long_topic_page_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, solved, community
):
    from relais.community.models import MemberProfile

    helpers = [make_member(community, f"aide{n}", f"Aide numéro {n}") for n in range(6)]
    MemberProfile.objects.filter(user__in=helpers).update(trust_level=2)
    for n in range(30):
        post_reply(user=helpers[n % 6], topic=solved, body=f"Réponse **{n}**")
    with django_assert_max_num_queries(20):
        response = client.get(topic_path(solved))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 32
    assert len(response.context["answers"]) == 20


def test_only_the_author_or_a_moderator_opens_the_edit_form(client, alice, moderator, solved):
    answer = solved.posts.get(position=1)
    url = reverse("community:post-edit", kwargs={"post_id": answer.public_id})
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_similar_questions_are_proposed_while_typing(client, solved, alice):
    client.force_login(alice)
    form = client.get(reverse("community:topic-create")).content.decode()
    assert 'hx-get="/communaute/questions-similaires/"' in form
    assert 'id="similar-questions"' in form
    fragment = client.get(
        reverse("community:similar"), {"q": "taux cotisation retraite"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Des questions proches" in fragment and str(solved.public_id) in fragment
    assert "<html" not in fragment
    assert client.get(reverse("community:similar"), {"q": "ab"}).status_code == 200


def test_a_member_likes_an_answer_through_the_page(client, alice, solved):
    answer = solved.posts.get(position=1)
    client.force_login(alice)
    url = reverse("community:post-like", kwargs={"post_id": answer.public_id})
    assert client.post(url, {"like": "1"}).status_code == 302
    page = client.get(topic_path(solved)).content.decode()
    assert 'aria-pressed="true"' in page
    answer.refresh_from_db()
    assert answer.likes_count == 1
