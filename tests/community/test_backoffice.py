"""The back office through the HTTP client: who may see it, the indicators page and its CSV,
the settings forms (French errors, nothing half-written), switches that take effect at once,
the accessibility statement and its footer link."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from relais.community.models import BannedWord, Category
from relais.community.seo import topic_path
from relais.community.services import post_reply, topic_create
from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from tests.community.conftest import make_community
from tests.factories import UserFactory

BACKOFFICE = [
    "community:backoffice",
    "community:backoffice-features",
    "community:backoffice-categories",
    "community:backoffice-trust",
    "community:backoffice-words",
    "community:backoffice-embed",
    "community:backoffice-accessibility",
]


@pytest.fixture
def admin(community):
    return UserFactory(
        username="admin-communaute",
        role=Role.ADMINISTRATOR,
        organization=community.organization,
        workspaces=[community.workspace],
    )


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.mark.parametrize("name", BACKOFFICE)
def test_members_and_moderators_cannot_see_the_back_office(client, alice, moderator, name):
    assert client.get(reverse(name)).status_code == 302  # anonymous: sign in first
    for user in (alice, moderator):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_supervisors_read_the_indicators_but_not_the_settings(client, staff):
    client.force_login(staff)
    response = client.get(reverse("community:backoffice"))
    assert response.status_code == 200
    assert reverse("community:backoffice-features") not in response.content.decode()
    assert client.get(reverse("community:backoffice-features")).status_code == 403
    assert client.post(reverse("community:backoffice-features"), {}).status_code == 403


@pytest.mark.parametrize("name", BACKOFFICE)
def test_administrators_see_every_page(admin_client, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex' in response.content.decode()


def test_another_organisations_administrator_sees_their_own_community_only(client, community):
    other = make_community(slug="autre", name="Autre communauté")
    Category.objects.filter(community=community, slug="cotisations").update(name="Cotisations A")
    outsider = UserFactory(role=Role.ADMINISTRATOR, organization=other.organization)
    client.force_login(outsider)
    response = client.get(reverse("community:backoffice-categories"))
    assert "Cotisations A" not in response.content.decode()
    assert (
        client.get(
            reverse("community:backoffice-category", kwargs={"category_slug": "introuvable"})
        ).status_code
        == 404
    )


@pytest.fixture
def june():
    """3 June 2026 at noon, set before anyone signs in."""
    with time_machine.travel(datetime.datetime(2026, 6, 3, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def activity(june, community, public_category, alice, bruno):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        topic = topic_create(
            user=alice,
            category=public_category,
            title="Comment déclarer 1 234 € de droits ?",
            body="Question de test.",
            kind="question",
        )
        post_reply(user=bruno, topic=topic, body="Réponse.")
    return topic


def test_the_indicators_page_has_tables_charts_presets_and_a_period(june, admin_client, activity):
    response = admin_client.get(reverse("community:backoffice"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Du 04/05/2026 au 03/06/2026 (31 jours)" not in html  # 30 days, today included
    assert "Du 05/05/2026 au 03/06/2026 (30 jours)" in html
    assert 'data-kpi="topics"' in html and 'id="community-kpi-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "<caption>Activité par jour</caption>" in html
    assert "?start=2026-05-28&amp;end=2026-06-03" in html  # the 7-day preset
    # One question answered: 100,0 % of official answers? No: 0,0 %; solved rate 0,0 %.
    assert "0,0\u00a0%" in html
    outside = admin_client.get(
        reverse("community:backoffice"), {"start": "2026-06-02", "end": "2026-06-03"}
    )
    assert outside.context["kpis"].topics == 0
    assert (
        admin_client.get(reverse("community:backoffice"), {"start": "2026-06-01"})
        .context["kpis"]
        .topics
        == 1
    )


def test_a_wrong_period_is_refused_in_french(admin_client):
    response = admin_client.get(
        reverse("community:backoffice"), {"start": "2026-06-05", "end": "2026-06-01"}
    )
    assert response.status_code == 400
    assert "La date de début doit précéder la date de fin." in response.content.decode()
    response = admin_client.get(reverse("community:backoffice"), {"start": "hier"})
    assert "Date de début invalide" in response.content.decode()


def test_the_csv_export_is_french_excel(june, admin_client, activity):
    response = admin_client.get(
        reverse("community:backoffice"),
        {"start": "2026-06-01", "end": "2026-06-03", "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "indicateurs-artistes-2026-06-01-2026-06-03.csv" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Indicateur;Valeur;Du;Au"
    assert "Sujets ouverts;1" in lines
    assert "Réponses;1" in lines
    assert "Taux de résolution;0" in lines
    assert "2026-06-01;0;2;1;1" in lines  # day; new members; active; topics; answers
    assert "Bruno dessin;1;0;0" in lines


def test_a_formula_in_a_name_is_neutralised_in_the_csv(june, admin_client, community, activity):
    from relais.community.models import MemberProfile

    MemberProfile.objects.filter(display_name="Bruno dessin").update(display_name="=CMD()")
    response = admin_client.get(
        reverse("community:backoffice"), {"start": "2026-06-01", "format": "csv"}
    )
    assert "'=CMD();1;0;0" in response.content.decode("utf-8-sig").splitlines()


def test_switching_search_off_hides_it_at_once_and_is_audited(admin_client, community, admin):
    search = reverse("community:search")
    assert admin_client.get(search, {"q": "cotisations"}).status_code == 200
    fields = {"forum": "on", "official_answers": "on", "flags": "on"}
    response = admin_client.post(reverse("community:backoffice-features"), fields)
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.features["search"] is False and community.features["forum"] is True
    assert admin_client.get(search, {"q": "cotisations"}).status_code == 404
    assert 'role="search"' not in admin_client.get(reverse("community:home")).content.decode()
    entry = AuditEntry.objects.filter(action="community.settings.features").get()
    assert entry.before["search"] is True and entry.after["search"] is False
    # Everything off: the forum is gone, the back office stays to switch it on again.
    admin_client.post(reverse("community:backoffice-features"), {})
    assert admin_client.get(reverse("community:home")).status_code == 404
    assert admin_client.get(reverse("community:backoffice-features")).status_code == 200
    assert admin_client.get(reverse("community:accessibility")).status_code == 200


def test_categories_are_created_and_edited_with_french_errors(admin_client, community):
    url = reverse("community:backoffice-categories")
    data = {
        "name": "<script>alert(1)</script> Retraite",
        "slug": "retraite",
        "description": "",
        "kind": "theme",
        "read_access": "public",
        "post_access": "members",
        "position": "4",
    }
    assert admin_client.post(url, data).status_code == 302
    page = admin_client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Retraite" in page
    duplicate = admin_client.post(url, {**data, "name": "Autre"})
    assert duplicate.status_code == 400
    assert "Une autre catégorie porte déjà cet identifiant." in duplicate.content.decode()
    bad = admin_client.post(url, {**data, "slug": "pas bon !", "post_access": "public"})
    html = bad.content.decode()
    assert "L&#x27;identifiant ne contient que des lettres" in html
    assert Category.objects.filter(community=community, slug="retraite").count() == 1
    edit = reverse("community:backoffice-category", kwargs={"category_slug": "retraite"})
    assert (
        admin_client.post(edit, {**data, "name": "Retraite", "read_access": "members"}).status_code
        == 302
    )
    category = Category.objects.get(community=community, slug="retraite")
    assert (category.name, category.read_access) == ("Retraite", "members")


def test_trust_thresholds_must_grow_with_the_level(admin_client, community):
    url = reverse("community:backoffice-trust")
    data = {"level1_days_visited": "5", "level2_days_visited": "3", "level3_days_visited": "50"}
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "Le niveau 2 doit demander au moins autant que le niveau 1" in response.content.decode()
    community.refresh_from_db()
    assert community.trust_thresholds == {}
    negative = admin_client.post(url, {**data, "level2_days_visited": "-1"})
    assert "Le nombre ne peut pas être négatif." in negative.content.decode()
    data["level2_days_visited"] = "20"
    assert admin_client.post(url, data).status_code == 302
    community.refresh_from_db()
    assert community.thresholds()[2] == {"days_visited": 20}


def test_banned_words_are_checked_by_the_engine(admin_client, community):
    url = reverse("community:backoffice-words")
    assert (
        admin_client.post(
            url, {"operation": "add", "word": "arnaque", "action": "flag"}
        ).status_code
        == 302
    )
    star = admin_client.post(url, {"operation": "add", "word": "ar*", "action": "block"})
    assert star.status_code == 400
    assert "il faut au moins 3 lettres avant l" in star.content.decode()
    replace = admin_client.post(url, {"operation": "add", "word": "zut", "action": "replace"})
    assert "attend un texte" in replace.content.decode()
    again = admin_client.post(url, {"operation": "add", "word": "arnaque", "action": "block"})
    assert "est déjà dans la liste" in again.content.decode()
    # A list with one bad line: nothing of it is added.
    bad = admin_client.post(url, {"operation": "import", "text": "escroc,block\nvoleur,exploser\n"})
    assert bad.status_code == 400
    assert not BannedWord.objects.filter(community=community, word="escroc").exists()
    good = admin_client.post(
        url, {"operation": "import", "text": "escroc,block\nzut,replace:flûte\n"}
    )
    assert good.status_code == 302
    words = dict(BannedWord.objects.filter(community=community).values_list("word", "action"))
    assert words == {"arnaque": "flag", "escroc": "block", "zut": "replace"}
    word = BannedWord.objects.get(community=community, word="escroc")
    admin_client.post(url, {"operation": "remove", "word": str(word.pk)})
    assert not BannedWord.objects.filter(pk=word.pk).exists()


def test_another_communitys_word_cannot_be_removed(admin_client, community):
    other = make_community(slug="autre", name="Autre")
    foreign = BannedWord.objects.create(community=other, word="zut", action="block")
    admin_client.post(
        reverse("community:backoffice-words"), {"operation": "remove", "word": str(foreign.pk)}
    )
    assert BannedWord.objects.filter(pk=foreign.pk).exists()


def test_embed_origins_are_validated_and_normalised(admin_client, community):
    url = reverse("community:backoffice-embed")
    bad = admin_client.post(url, {"origins": "https://www.exemple.fr\njavascript:alert(1)"})
    assert bad.status_code == 400
    assert "n&#x27;est pas une origine web" in bad.content.decode()
    community.refresh_from_db()
    assert community.embed_origins == []
    ok = admin_client.post(
        url, {"origins": "HTTPS://www.Exemple.fr/accueil/\nhttp://localhost:8123"}
    )
    assert ok.status_code == 400  # a path is not an origin
    ok = admin_client.post(url, {"origins": "HTTPS://www.Exemple.fr/\nhttp://localhost:8123"})
    assert ok.status_code == 302
    community.refresh_from_db()
    assert community.embed_origins == ["https://www.exemple.fr", "http://localhost:8123"]
    page = admin_client.get(url).content.decode()
    assert "widget/c/cotisations/widget.js" in page and "&lt;iframe" in page


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_the_accessibility_statement_follows_the_rgaa_model(admin_client, community):
    client = Client()  # a visitor
    public = reverse("community:accessibility")
    page = _text(client.get(public))
    assert "Déclaration d'accessibilité" in page
    assert "<strong>non conforme</strong>" in page
    assert "Aucun audit de conformité n'a encore été réalisé." in page
    assert "Voies de recours" in page and "Libre réponse 71120" in page
    home = client.get(reverse("community:home")).content.decode()
    assert f'href="{public}"' in home and "Accessibilité : non conforme" in home

    url = reverse("community:backoffice-accessibility")
    refused = admin_client.post(url, {"status": "partiel", "rate": "72,5"})
    assert refused.status_code == 400
    assert "Une conformité partielle ou totale suppose un audit" in refused.content.decode()
    saved = admin_client.post(
        url,
        {
            "status": "partiel",
            "rate": "72,5",
            "audit_date": "2026-03-12",
            "auditor": "Cabinet <b>Accès</b>",
            "non_compliant": "Les graphiques du pilotage n'ont pas d'équivalent sonore.",
            "contact_email": "accessibilite@exemple.fr",
        },
    )
    assert saved.status_code == 302
    page = _text(client.get(public))
    assert "<strong>partiellement conforme</strong>" in page
    assert "72,5 % des critères" in page and "le 12/03/2026" in page
    assert "Cabinet &lt;b&gt;Accès&lt;/b&gt;" in page
    assert "mailto:accessibilite@exemple.fr" in page
    assert (
        "Accessibilité : partiellement conforme"
        in client.get(reverse("community:home")).content.decode()
    )


def test_switching_flags_off_closes_the_flag_form(admin_client, community, alice, public_category):
    from relais.community.services import topic_create as create

    topic = create(
        user=alice,
        category=public_category,
        title="Une question à signaler",
        body="Texte.",
        kind="question",
    )
    post = topic.posts.get(position=0)
    url = reverse("community:post-flag", kwargs={"post_id": post.public_id})
    assert admin_client.get(url).status_code == 200
    admin_client.post(
        reverse("community:backoffice-features"),
        {"forum": "on", "official_answers": "on", "search": "on"},
    )
    assert admin_client.get(url).status_code == 404
    assert url not in admin_client.get(topic_path(topic)).content.decode()
