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
