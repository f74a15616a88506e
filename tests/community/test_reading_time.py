"""Reading time as a trust criterion (issue 11, point 3: "days visited, posts read, time…"):
the topic page's beacon, its caps (a forged value earns no more than the clock), who may send
it, the flush into the member's counter, the threshold in promotion and in the back office."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from relais.community.models import MemberProfile, Topic
from relais.community.seo import topic_path
from relais.community.services import topic_create
from relais.community.services.members import member_activity_flush, trust_level_compute
from relais.core.accounts.roles import Role
from relais.core.organizations.models import OrganizationDomain
from tests.community.conftest import make_community, make_member
from tests.factories import UserFactory

BEACON = "/communaute/lecture/"


@pytest.fixture(autouse=True)
def _no_pending_counts():
    cache.clear()  # ids are reused between tests: start from no pending count or beacon


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Combien de temps pour lire un sujet ?",
        body="Le détail.",
        kind=Topic.Kind.QUESTION,
    )


def test_the_beacon_url_is_the_one_reversed():
    assert reverse("community:reading") == BEACON


def test_promotion_needs_the_reading_minutes(community, bruno):
    community.trust_thresholds = {"1": {"days_visited": 1, "read_minutes": 2}}
    community.save()
    profile = MemberProfile.objects.get(user=bruno)
    profile.days_visited = 1
    profile.reading_seconds = 119  # 1 minute 59: not yet 2 minutes
    assert trust_level_compute(profile, community.thresholds()) == 0
    profile.reading_seconds = 120
    assert trust_level_compute(profile, community.thresholds()) == 1


def test_the_default_thresholds_ask_for_reading_time(community, bruno):
    profile = MemberProfile.objects.get(user=bruno)
    for name, value in dict(
        days_visited=20, posts_read=150, posts_count=5, likes_given=2, likes_received=3
    ).items():
        setattr(profile, name, value)
    profile.reading_seconds = 59 * 60  # level 2 asks for 60 minutes, level 1 for 10
    assert trust_level_compute(profile) == 1
    profile.reading_seconds = 60 * 60
    assert trust_level_compute(profile) == 2


def test_the_beacon_credits_no_more_than_the_clock(client, community, bruno, fixed_clock):
    community.trust_thresholds = {"1": {"read_minutes": 2}}
    community.save()
    client.force_login(bruno)
    assert client.post(BEACON, {"seconds": "30"}).json() == {"credited": 30}
    # Sent again at once (a replay, or a forged loop): no time went by, nothing is credited.
    assert client.post(BEACON, {"seconds": "30"}).json() == {"credited": 0}
    fixed_clock.shift(datetime.timedelta(seconds=20))
    assert client.post(BEACON, {"seconds": str(10**9)}).json() == {"credited": 20}
    fixed_clock.shift(datetime.timedelta(minutes=10))
    assert client.post(BEACON, {"seconds": str(10**12)}).json() == {"credited": 60}
    fixed_clock.shift(datetime.timedelta(seconds=40))
    assert client.post(BEACON, {"seconds": "-500"}).json() == {"credited": 0}
    assert client.post(BEACON, {"seconds": "beaucoup"}).status_code == 400
    profile = MemberProfile.objects.get(user=bruno)
    assert profile.reading_seconds == 0  # waits in the cache, like the reads
    assert member_activity_flush(community=community) == 1
    profile.refresh_from_db()
    assert (profile.reading_seconds, profile.read_minutes, profile.trust_level) == (110, 1, 0)
    fixed_clock.shift(datetime.timedelta(seconds=10))
    assert client.post(BEACON, {"seconds": "10"}).json() == {"credited": 10}
    member_activity_flush(community=community)
    profile.refresh_from_db()
    assert (profile.reading_seconds, profile.trust_level) == (120, 1)
    assert member_activity_flush(community=community) == 0  # nothing left pending


def test_the_beacon_refuses_get_visitors_and_strangers(client, settings, community, bruno):
    settings.ALLOWED_HOSTS = ["*"]
    assert client.get(BEACON).status_code == 405
    assert client.post(BEACON, {"seconds": "30"}).status_code == 403  # a visitor
    client.force_login(bruno)
    assert client.get(BEACON).status_code == 405
    # Another body's community, on its own host: bruno is no member there.
    other = make_community(slug="voisine", name="Communauté voisine")
    OrganizationDomain.objects.create(
        organization=other.organization, domain="voisine.exemple.fr", is_primary=True
    )
    stranger = client.post(BEACON, {"seconds": "30"}, HTTP_HOST="voisine.exemple.fr")
    assert stranger.status_code == 403
    assert member_activity_flush(community=community) == 0
    assert member_activity_flush(community=other) == 0
    assert MemberProfile.objects.get(user=bruno).reading_seconds == 0


def test_the_beacon_needs_the_csrf_token(community, bruno):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bruno)
    assert strict.post(BEACON, {"seconds": "30"}).status_code == 403
    assert member_activity_flush(community=community) == 0


def test_topic_pages_carry_the_beacon_for_members_only(client, question, bruno):
    page = client.get(topic_path(question)).content.decode()
    assert "community/reading.js" not in page and "data-reading-url" not in page
    client.force_login(bruno)
    page = client.get(topic_path(question)).content.decode()
    assert f'data-reading-url="{BEACON}"' in page and "community/reading.js" in page


def test_the_thresholds_form_takes_reading_minutes(client, community):
    admin = UserFactory(
        username="admin-communaute",
        role=Role.ADMINISTRATOR,
        organization=community.organization,
        workspaces=[community.workspace],
    )
    client.force_login(admin)
    url = reverse("community:backoffice-trust")
    assert "Niveau 2 — Minutes de lecture" in client.get(url).content.decode()
    data = {"level1_read_minutes": "30", "level2_read_minutes": "10", "level3_read_minutes": "90"}
    shrinking = client.post(url, data)
    assert shrinking.status_code == 400
    assert "Le niveau 2 doit demander au moins autant que le niveau 1" in (
        shrinking.content.decode()
    )
    negative = client.post(url, {**data, "level2_read_minutes": "-5"})
    assert "Le nombre ne peut pas être négatif." in negative.content.decode()
    huge = client.post(url, {**data, "level2_read_minutes": "100001"})
    assert "Le nombre ne peut pas dépasser 100 000." in huge.content.decode()
    community.refresh_from_db()
    assert community.trust_thresholds == {}
    assert client.post(url, {**data, "level2_read_minutes": "60"}).status_code == 302
    community.refresh_from_db()
    assert [community.thresholds()[level] for level in (1, 2, 3)] == [
        {"read_minutes": 30},
        {"read_minutes": 60},
        {"read_minutes": 90},
    ]


def test_moderators_see_the_members_reading_time(client, community, bruno, moderator):
    MemberProfile.objects.filter(user=bruno).update(reading_seconds=25 * 60 + 59)
    profile = MemberProfile.objects.get(user=bruno)
    client.force_login(moderator)
    url = reverse("community:member-detail", kwargs={"member_id": profile.public_id})
    assert "minutes de lecture : 25" in client.get(url).content.decode()


def test_a_member_reads_in_their_own_community_on_its_host(client, settings, community):
    settings.ALLOWED_HOSTS = ["*"]
    other = make_community(slug="voisine", name="Communauté voisine")
    OrganizationDomain.objects.create(
        organization=other.organization, domain="voisine.exemple.fr", is_primary=True
    )
    voisin = make_member(other, "voisin", "Voisin peintre")
    client.force_login(voisin)
    answer = client.post(BEACON, {"seconds": "30"}, HTTP_HOST="voisine.exemple.fr")
    assert answer.json() == {"credited": 30}
    member_activity_flush(community=other)
    assert MemberProfile.objects.get(user=voisin).reading_seconds == 30
