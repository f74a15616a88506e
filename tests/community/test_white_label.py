"""White label (issue 11, point 6): each body's community is served on its own host, dressed
in the branding the kernel keeps for its organization, and names no other body."""

from django.urls import reverse

from relais.community.services import topic_create
from relais.core.accounts.roles import Role
from relais.core.organizations.models import OrganizationDomain
from tests.community.conftest import make_community, make_member
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory


def test_each_host_serves_its_own_community_in_its_own_branding(client, settings, community):
    settings.ALLOWED_HOSTS = ["*"]
    other = make_community(slug="voisine", name="Communauté voisine")
    for organization, domain, colour, header in (
        (community.organization, "artistes.exemple.fr", "#1d3557", "Sécurité sociale des artistes"),
        (other.organization, "voisine.exemple.fr", "#6a040f", "Caisse voisine"),
    ):
        organization.primary_colour, organization.header_text = colour, header
        organization.save()
        OrganizationDomain.objects.create(organization=organization, domain=domain, is_primary=True)
    neighbour = make_member(other, "voisin", "Voisin peintre")
    topic_create(
        user=neighbour,
        category=other.categories.get(slug="cotisations"),
        title="Une question de la caisse voisine",
        body="Le détail.",
        kind="question",
    )
    ours = client.get("/communaute/", HTTP_HOST="artistes.exemple.fr").content.decode()
    theirs = client.get("/communaute/", HTTP_HOST="voisine.exemple.fr").content.decode()
    assert "--relais-primary: #1d3557" in ours and "Sécurité sociale des artistes" in ours
    assert "Communauté des artistes-auteurs" in ours
    assert "--relais-primary: #6a040f" in theirs and "Caisse voisine" in theirs
    assert "Une question de la caisse voisine" in theirs
    for text in ("#6a040f", "Caisse voisine", "Communauté voisine", "caisse voisine"):
        assert text not in ours
    canonical = '<link rel="canonical" href="http://voisine.exemple.fr/communaute/">'
    assert canonical in theirs


def test_a_host_of_a_body_without_community_is_not_a_dead_end(client, settings, community, alice):
    """``make demo``: the dealership owns localhost and 127.0.0.1 and runs no community; the
    artists-authors' community must still open there, for its members and for visitors."""
    settings.ALLOWED_HOSTS = ["*"]
    dealership = OrganizationFactory(name="Concession", slug="concession")
    OrganizationDomain.objects.create(organization=dealership, domain="127.0.0.1", is_primary=True)
    host = {"HTTP_HOST": "127.0.0.1:8000"}
    page = client.get("/communaute/", **host)
    assert page.status_code == 200 and "Communauté des artistes-auteurs" in page.content.decode()
    client.force_login(alice)
    assert client.get("/communaute/", **host).status_code == 200
    # A stranger signed in (the dealership's agent) is not given another body's community.
    client.force_login(UserFactory(username="agent-concession", organization=dealership))
    assert client.get("/communaute/", **host).status_code == 404


def test_a_community_with_its_own_host_is_served_there_only(client, settings, community):
    settings.ALLOWED_HOSTS = ["*"]
    dealership = OrganizationFactory(name="Concession", slug="concession")
    OrganizationDomain.objects.create(organization=dealership, domain="127.0.0.1", is_primary=True)
    OrganizationDomain.objects.create(
        organization=community.organization, domain="artistes.exemple.fr", is_primary=True
    )
    assert client.get("/communaute/", HTTP_HOST="127.0.0.1:8000").status_code == 404
    assert client.get("/communaute/", HTTP_HOST="artistes.exemple.fr").status_code == 200
    # A host no body owns still serves the site's only community, as before.
    assert client.get("/communaute/", HTTP_HOST="testserver").status_code == 200


def test_on_another_bodys_host_the_community_wears_its_own_branding(client, settings, community):
    """``make demo``: the dealership owns 127.0.0.1. Its visitors reach the artists-authors'
    community there, dressed in the community's body, not in the dealership's simulator; the
    dealership's own pages on that host keep its branding."""
    settings.ALLOWED_HOSTS = ["*"]
    body = community.organization
    body.primary_colour, body.header_text = "#1d3557", "Sécurité sociale des artistes"
    body.save()
    dealership = OrganizationFactory(
        name="Relais Auto Formation",
        slug="concession",
        primary_colour="#b5179e",
        header_text="Relais Auto Formation — simulateur CRM",
    )
    OrganizationDomain.objects.create(organization=dealership, domain="127.0.0.1", is_primary=True)
    host = {"HTTP_HOST": "127.0.0.1:8000"}
    for path in ("/communaute/", "/communaute/c/cotisations/"):
        page = client.get(path, **host).content.decode()
        assert "--relais-primary: #1d3557" in page and "Sécurité sociale des artistes" in page
        assert "#b5179e" not in page and "simulateur CRM" not in page
    login = client.get(reverse("accounts:login"), **host).content.decode()
    assert "--relais-primary: #b5179e" in login and "simulateur CRM" in login
    assert "Sécurité sociale des artistes" not in login
    workspace = WorkspaceFactory(organization=dealership, name="Concession Lyon")
    client.force_login(
        UserFactory(
            username="agent-concession",
            role=Role.AGENT,
            organization=dealership,
            workspaces=[workspace],
        )
    )
    crm = client.get(reverse("crm:customer-list"), **host)
    assert crm.status_code == 200
    assert "simulateur CRM" in crm.content.decode()
    assert "Sécurité sociale des artistes" not in crm.content.decode()
