"""School holidays by zone (from the vacances-scolaires-france data) and public holidays, in
the agenda's events feed."""

import datetime

import pytest
from django.urls import reverse

from relais.crm.agenda import holidays as hol

D = datetime.date


def test_winter_holidays_2026_differ_by_zone():
    # Official calendar 2025-2026: back to school on 23 Feb (A), 2 Mar (B), 9 Mar (C).
    expected = {
        "A": (D(2026, 2, 7), D(2026, 2, 22)),
        "B": (D(2026, 2, 14), D(2026, 3, 1)),
        "C": (D(2026, 2, 21), D(2026, 3, 8)),
    }
    for zone, (first, last) in expected.items():
        periods = hol.school_holidays(zone, first_day=D(2026, 2, 1), last_day=D(2026, 3, 31))
        winter = [p for p in periods if p.name == "Vacances d'hiver"]
        assert [(p.first_day, p.last_day) for p in winter] == [(first, last)], zone
        assert winter[0].zone == zone


def test_a_period_crossing_the_window_is_reported_whole():
    periods = hol.school_holidays("A", first_day=D(2025, 10, 25), last_day=D(2025, 10, 26))
    assert [(p.name, p.first_day, p.last_day) for p in periods] == [
        ("Vacances de la Toussaint", D(2025, 10, 18), D(2025, 11, 2))
    ]


def test_unknown_zone_and_years_without_data_give_nothing():
    assert hol.school_holidays("Z", first_day=D(2026, 2, 1), last_day=D(2026, 3, 1)) == []
    assert hol.school_holidays("", first_day=D(2026, 2, 1), last_day=D(2026, 3, 1)) == []
    assert hol.school_holidays("A", first_day=D(2100, 1, 1), last_day=D(2100, 12, 31)) == []


def test_public_holidays_of_may_2025():
    names = {
        p.first_day: p.name
        for p in hol.public_holidays_between(first_day=D(2025, 5, 1), last_day=D(2025, 5, 31))
    }
    assert set(names) == {D(2025, 5, 1), D(2025, 5, 8), D(2025, 5, 29)}
    assert names[D(2025, 5, 1)] == "Fête du Travail"


@pytest.mark.django_db
class TestEventsFeed:
    def feed(self, client, start, end, **params):
        response = client.get(reverse("crm:agenda-events"), {"start": start, "end": end, **params})
        assert response.status_code == 200
        return response.json()

    def test_school_holidays_of_the_chosen_zone_are_background_events(self, agent_client):
        events = self.feed(agent_client, "2026-02-01T00:00:00+01:00", "2026-03-16", zone="B")
        school = [e for e in events if e["extendedProps"]["kind"] == "school_holiday"]
        assert [(e["title"], e["start"], e["end"]) for e in school] == [
            ("Vacances d'hiver (zone B)", "2026-02-14", "2026-03-02")
        ]
        assert school[0]["display"] == "background"
        assert school[0]["allDay"] is True

    def test_zone_is_remembered_and_can_be_hidden(self, agent_client):
        agent_client.get(reverse("crm:agenda"), {"zone": "A"})
        events = self.feed(agent_client, "2026-02-01", "2026-03-16")
        titles = [e["title"] for e in events if e["extendedProps"]["kind"] == "school_holiday"]
        assert titles == ["Vacances d'hiver (zone A)"]
        events = self.feed(agent_client, "2026-02-01", "2026-03-16", zone="")
        assert not [e for e in events if e["extendedProps"]["kind"] == "school_holiday"]

    def test_public_holidays_appear_in_the_feed(self, agent_client):
        events = self.feed(agent_client, "2025-07-01", "2025-08-31")
        public = {
            e["start"]: e["title"] for e in events if e["extendedProps"]["kind"] == "public_holiday"
        }
        assert public == {"2025-07-14": "Fête nationale", "2025-08-15": "Assomption"}
        assert all(e["display"] == "background" for e in events if e["start"] in public)

    def test_bad_zone_is_refused(self, agent_client):
        response = agent_client.get(
            reverse("crm:agenda-events"), {"start": "2026-02-01", "end": "2026-03-01", "zone": "Q"}
        )
        assert response.status_code == 400


# -- past the installed school calendar: what is known, and how to update it -------------------

KNOWN_UNTIL = hol.school_holidays_known_until()
PAST = KNOWN_UNTIL + datetime.timedelta(days=200)


def test_the_installed_calendar_ends_at_a_summer():
    assert KNOWN_UNTIL.month in (7, 8, 9) and KNOWN_UNTIL.year >= 2026


def test_a_window_past_the_calendar_keeps_what_is_known_and_logs_how_to_update(caplog):
    hol._log_outdated.cache_clear()
    first = KNOWN_UNTIL - datetime.timedelta(days=400)
    with caplog.at_level("WARNING", logger="relais.crm.agenda.holidays"):
        periods = hol.school_holidays("A", first_day=first, last_day=PAST)
        hol.school_holidays("A", first_day=first, last_day=PAST)
    assert periods and all(p.last_day <= KNOWN_UNTIL for p in periods)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1  # once per process, not once per request
    assert "pip install --upgrade vacances-scolaires-france" in warnings[0]
    assert KNOWN_UNTIL.strftime("%d/%m/%Y") in warnings[0]


def test_the_notice_says_in_french_until_when_and_how_to_update():
    assert hol.school_holidays_notice(KNOWN_UNTIL) == ""
    notice = hol.school_holidays_notice(PAST)
    assert notice.startswith(
        f"Vacances scolaires inconnues après le {KNOWN_UNTIL.strftime('%d/%m/%Y')}"
    )
    assert "« pip install --upgrade vacances-scolaires-france »" in notice


@pytest.mark.django_db
def test_the_feed_and_the_page_say_it_past_the_calendar(agent_client):
    start, end = PAST.isoformat(), (PAST + datetime.timedelta(days=7)).isoformat()
    events = agent_client.get(
        reverse("crm:agenda-events"), {"start": start, "end": end, "zone": "C"}
    ).json()
    notices = [e for e in events if e["extendedProps"]["kind"] == "notice"]
    assert len(notices) == 1 and notices[0]["display"] == "none"
    assert notices[0]["title"].startswith("Vacances scolaires inconnues après le")
    # Within the calendar, or with school holidays hidden, nothing is said.
    within = agent_client.get(
        reverse("crm:agenda-events"), {"start": "2026-02-01", "end": "2026-02-08", "zone": "C"}
    ).json()
    assert not [e for e in within if e["extendedProps"]["kind"] == "notice"]
    hidden = agent_client.get(
        reverse("crm:agenda-events"), {"start": start, "end": end, "zone": ""}
    ).json()
    assert not [e for e in hidden if e["extendedProps"]["kind"] == "notice"]
    page = agent_client.get(reverse("crm:agenda"), {"date": PAST.isoformat(), "zone": "C"})
    assert "Vacances scolaires inconnues après le" in page.content.decode()
    today = agent_client.get(reverse("crm:agenda"), {"zone": "C"})
    assert "Vacances scolaires inconnues" not in today.content.decode()
