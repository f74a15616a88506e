"""The topic page's reading-time script in a real browser: with the page's clock run forward,
its beacon credits a member's reading seconds, which the periodic flush writes."""

import pytest

from relais.community.models import MemberProfile
from relais.community.seo import topic_path
from relais.community.services.members import member_activity_flush
from tests.community.conftest import make_forum

pytestmark = pytest.mark.e2e


@pytest.fixture
def forum(transactional_db):
    return make_forum()


def test_reading_a_topic_for_half_a_minute_credits_half_a_minute(page, login, forum):
    login(forum["bruno"])
    page.clock.install()
    # Waiting for the response itself, with a deadline: ``request.response()`` has none.
    with page.expect_response(
        lambda r: r.url.endswith("/lecture/") and r.request.method == "POST", timeout=15_000
    ) as answered:
        page.goto(topic_path(forum["topic"]))
        page.mouse.move(40, 40)
        page.clock.run_for(31_000)
    assert answered.value.status == 200
    member_activity_flush(community=forum["community"])
    profile = MemberProfile.objects.get(user=forum["bruno"])
    assert profile.reading_seconds == 30


def test_a_visitor_page_sends_no_beacon(page, forum):
    page.clock.install()
    beacons = []
    page.on("request", lambda r: beacons.append(r) if r.url.endswith("/lecture/") else None)
    page.goto(topic_path(forum["topic"]))
    page.clock.run_for(61_000)
    assert beacons == []
    assert page.locator("[data-reading-url]").count() == 0
