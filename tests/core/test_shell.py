"""The shell: home pages, the workspace switch's way back, branding from the host, favicons."""

import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import RequestFactory
from django.urls import reverse

from relais.core import navigation
from relais.core.accounts.roles import Role
from relais.core.navigation import register_nav_entry
from relais.core.organizations.models import (
    FAVICON_MAX_BYTES,
    OrganizationDomain,
    normalize_host,
    validate_favicon,
)
from relais.core.organizations.selectors import branding_for_request, organization_for_host
from relais.core.workspaces.models import Membership
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

SWITCH_URL = "/espaces/changer/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ICO = b"\x00\x00\x01\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

# Fixed, not drawn: parametrised ids must be the same in every test worker.
SOME_ID = uuid.UUID("7fcf868c-7733-4d04-b8c6-8e15c700a5bc")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Host answers are cached; a test never reads another test's organizations."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = [".example", "testserver"]


@pytest.fixture
def garage(db):
    organization = OrganizationFactory(
        name="Garage Martin", header_text="Garage Martin — espace clients", primary_colour="#1f4e79"
    )
    OrganizationDomain.objects.create(
        organization=organization, domain="garage-martin.example", is_primary=True
    )
    OrganizationDomain.objects.create(organization=organization, domain="www.garage-martin.example")
    return organization


@pytest.fixture
def caisse(db):
    organization = OrganizationFactory(name="Caisse Régionale", primary_colour="#6a1b1b")
    OrganizationDomain.objects.create(organization=organization, domain="caisse.example")
    return organization


# --- home page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "tiles", "training"),
    [
        # The CRM's eight tools, the knowledge base, journeys (« Parcours » and
        # « Recommandations ») for the roles that read them, and training where the role has it.
        (Role.ADMINISTRATOR, 12, True),
        (Role.SUPERVISOR, 11, False),
        (Role.AGENT, 11, False),
        (Role.TRAINER, 10, True),
        (Role.LEARNER, 10, True),
    ],
)
def test_staff_home_shows_the_tools_of_the_role(client, workspace, role, tiles, training):
    user = UserFactory(role=role, organization=workspace.organization, workspaces=[workspace])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "home.html"
    html = response.content.decode()
    assert html.count('class="stretched-link"') == tiles
    assert ("Formation" in html.split("<main", 1)[1]) == training
    # A dealership runs neither a community nor a front-door network: no entry for them.
    assert "Guichet unique" not in html and "/communaute/" not in html.split("<main", 1)[1]
    assert "Connaissances" in html
    assert "<h1" in html and "Navigation principale" in html


def test_home_goes_straight_to_the_only_tool(client, workspace, monkeypatch):
    monkeypatch.setattr(navigation, "_ENTRIES", {})
    register_nav_entry(
        key="x.only", label="Seul outil", url_name="crm:lead-list", icon="bi-x", permission=None
    )
    client.force_login(UserFactory(role=Role.AGENT, workspaces=[workspace]))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:lead-list")


def test_home_without_any_tool_says_so(client, workspace, monkeypatch):
    monkeypatch.setattr(navigation, "_ENTRIES", {})
    client.force_login(UserFactory(role=Role.AGENT, workspaces=[workspace]))
    response = client.get("/")
    assert response.status_code == 200
    assert "Aucun outil n'est ouvert à votre rôle" in response.content.decode()


def test_home_is_not_a_redirect_to_the_crm(agent_client, workspace):
    assert agent_client.get("/").status_code == 200


def test_home_refuses_a_post(agent_client):
    assert agent_client.post("/").status_code == 405


def test_anonymous_home_is_the_public_page(client, db, hosts, garage):
    response = client.get("/", HTTP_HOST="garage-martin.example")
    assert response.status_code == 200
    html = response.content.decode()
    assert [t.name for t in response.templates][:2] == ["public_home.html", "public_base.html"]
    assert "Bienvenue sur l'espace de Garage Martin" in html
    assert f'href="{reverse("accounts:login")}"' in html
    assert "Navigation principale" not in html and "Se déconnecter" not in html
    assert '<html lang="fr"' in html
    assert html.index('href="#contenu"') < html.index("<header")
    assert '<main id="contenu"' in html and "<footer" in html and "<h1" in html
    assert "--relais-primary: #1f4e79" in html


def test_public_entries_appear_on_the_public_home(client, db, monkeypatch):
    monkeypatch.setattr(navigation, "_ENTRIES", {})
    register_nav_entry(
        key="x.forum",
        label="Forum des usagers",
        url_name="home",
        icon="bi-chat",
        public=True,
        description="Posez vos questions.",
    )
    html = client.get("/").content.decode()
    assert 'aria-label="Navigation du site"' in html
    assert "Forum des usagers" in html and "Posez vos questions." in html


# --- the workspace switch goes back where the user was -----------------------------------------


@pytest.fixture
def both_workspaces(agent, workspace):
    second = WorkspaceFactory(organization=workspace.organization, name="Concession de Bron")
    Membership.objects.create(workspace=second, user=agent)
    return second


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("", "/"),
        ("/crm/agenda/?vue=timeGridWeek", "/crm/agenda/?vue=timeGridWeek"),
        ("/formation/exercices/", "/formation/exercices/"),
        ("https://evil.example/crm/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        (f"/crm/clients/{SOME_ID}/vehicules/", "/crm/clients/"),
        (f"/crm/segments/{SOME_ID}/", "/crm/segments/"),
        (f"/crm/leads/{SOME_ID}/modifier/", "/"),  # no entry owns this record page
        ("/crm/doublons/42/", "/crm/doublons/"),
    ],
)
def test_switch_goes_back_to_a_safe_page(agent_client, both_workspaces, target, expected):
    response = agent_client.post(
        SWITCH_URL, {"workspace": str(both_workspaces.public_id), "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == expected


# --- branding from the host -----------------------------------------------------------------------


def test_each_host_gets_its_organization(db, garage, caisse):
    assert organization_for_host("garage-martin.example") == garage
    assert organization_for_host("www.garage-martin.example") == garage
    assert organization_for_host("caisse.example") == caisse


@pytest.mark.parametrize(
    "host", ["GARAGE-Martin.example", "garage-martin.example:8443", "garage-martin.example."]
)
def test_host_case_port_and_trailing_dot_do_not_matter(db, garage, host):
    assert organization_for_host(host) == garage


def test_an_unknown_host_gets_the_neutral_branding(db, garage):
    # Never « the first organization of the table ».
    assert organization_for_host("inconnu.example") is None
    assert organization_for_host("") is None


def test_anonymous_pages_on_an_unknown_host_wear_relais(client, db, hosts, garage):
    html = client.get(reverse("accounts:login"), HTTP_HOST="inconnu.example").content.decode()
    assert "Garage Martin" not in html
    assert "— Relais</title>" in html
    assert "relais/favicon.svg" in html


def test_the_login_page_wears_the_host_organization(client, db, hosts, garage, caisse):
    html = client.get(reverse("accounts:login"), HTTP_HOST="caisse.example").content.decode()
    assert "Caisse Régionale" in html and "Garage Martin" not in html
    assert "Navigation principale" not in html
    html = client.get(reverse("accounts:login"), HTTP_HOST="GARAGE-MARTIN.example:8000").content
    assert "Garage Martin — espace clients" in html.decode()


def test_staff_pages_keep_the_workspace_organization(agent_client, workspace, hosts, caisse):
    html = agent_client.get("/", HTTP_HOST="caisse.example").content.decode()
    assert workspace.organization.name in html
    assert "Caisse Régionale" not in html


def test_a_refused_host_gives_the_neutral_branding(db, garage):
    request = RequestFactory().get("/", HTTP_HOST="garage-martin.example")
    assert branding_for_request(request) is None  # not in ALLOWED_HOSTS


def test_a_domain_change_is_seen_at_once(db, garage):
    assert organization_for_host("nouveau.example") is None
    domain = garage.domains.get(domain="www.garage-martin.example")
    domain.domain = "nouveau.example"
    domain.save()
    assert organization_for_host("nouveau.example") == garage
    assert organization_for_host("www.garage-martin.example") is None
    domain.delete()
    assert organization_for_host("nouveau.example") is None


def test_the_answer_is_cached(db, garage, django_assert_num_queries):
    organization_for_host("garage-martin.example")
    organization_for_host("inconnu.example")
    with django_assert_num_queries(0):
        assert organization_for_host("GARAGE-MARTIN.example") == garage
        assert organization_for_host("inconnu.example") is None


# --- domains ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Garage.Example:8000", "garage.example"),
        ("localhost", "localhost"),
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "[::1]"),
    ],
)
def test_normalize_host(raw, stored):
    assert normalize_host(raw) == stored


def test_a_domain_is_stored_normalised(db, garage):
    domain = OrganizationDomain(organization=garage, domain="  Atelier.Example:8000 ")
    domain.full_clean()
    assert domain.domain == "atelier.example"


@pytest.mark.parametrize("raw", ["https://garage.example", "garage.example/contact", "gar age.fr"])
def test_a_malformed_domain_is_refused(db, garage, raw):
    with pytest.raises(ValidationError) as error:
        OrganizationDomain(organization=garage, domain=raw).full_clean()
    assert "nom de domaine" in str(error.value)


def test_a_domain_belongs_to_one_organization(db, garage, caisse):
    with pytest.raises(ValidationError):
        OrganizationDomain(organization=caisse, domain="garage-martin.example").full_clean()


def test_one_primary_domain_per_organization(db, garage):
    with pytest.raises(IntegrityError):
        OrganizationDomain.objects.create(
            organization=garage, domain="autre.example", is_primary=True
        )


# --- favicons ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [("icone.png", PNG), ("favicon.ICO", ICO)])
def test_a_png_or_ico_favicon_is_accepted(name, content):
    validate_favicon(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("icone.svg", SVG, "PNG ou ICO"),
        ("icone.png", SVG, "ne correspond pas à une image PNG"),
        ("icone.ico", PNG, "ne correspond pas à une image ICO"),
        ("icone.gif", b"GIF89a", "PNG ou ICO"),
        ("icone.png", PNG + b"\x00" * FAVICON_MAX_BYTES, "100 Ko"),
    ],
)
def test_a_favicon_that_is_not_a_small_png_or_ico_is_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_favicon(SimpleUploadedFile(name, content))
    assert message in str(error.value)


def test_the_organization_form_validation_refuses_an_svg_favicon(db, garage):
    garage.favicon = SimpleUploadedFile("icone.svg", SVG)
    with pytest.raises(ValidationError) as error:
        garage.full_clean()
    assert "favicon" in error.value.message_dict


def test_the_organization_favicon_is_in_the_head(client, db, hosts, garage):
    garage.favicon = SimpleUploadedFile("icone.png", PNG)
    garage.full_clean()
    garage.save()
    html = client.get("/", HTTP_HOST="garage-martin.example").content.decode()
    assert f'<link rel="icon" href="{garage.favicon.url}">' in html
    assert garage.favicon.url.startswith("/media/branding/favicons/")
    assert "relais/favicon.svg" not in html


def test_an_anonymous_visitor_gets_the_public_layout_on_a_missing_page(client, db, settings):
    settings.DEBUG = False
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "relais-public-header" in html and "Navigation principale" not in html


def test_a_signed_in_user_gets_the_staff_layout_on_a_missing_page(agent_client, settings):
    settings.DEBUG = False
    html = agent_client.get("/nulle-part/").content.decode()
    assert "Navigation principale" in html
