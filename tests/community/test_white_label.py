"""White label (issue 11, point 6): each body's community is served on its own host, dressed
in the branding the kernel keeps for its organization, and names no other body."""

from relais.community.services import topic_create
from relais.core.organizations.models import OrganizationDomain
from tests.community.conftest import make_community, make_member


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
