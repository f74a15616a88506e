"""Recurrence of appointments: daily, weekly, monthly; until and count; exceptions; DST."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from relais.crm.agenda import recurrence as rec
from relais.crm.agenda.services import (
    OCCURRENCE,
    SERIES,
    appointment_cancel_occurrence,
    appointment_create,
    appointment_reschedule,
    appointment_update,
)
from relais.crm.models import Appointment

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, h=10, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=PARIS)


def make(workspace, agent, *, start=None, minutes=60, **details):
    start = start or at(2025, 6, 2)
    return appointment_create(
        actor=agent,
        workspace=workspace,
        title="Point atelier",
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
        **details,
    )


def starts(appointment, first, last):
    return [o.starts_at for o in rec.occurrences(appointment, start=first, end=last)]


@pytest.mark.django_db
class TestExpansion:
    def test_a_single_appointment_has_one_occurrence_in_its_period_only(self, workspace, agent):
        appointment = make(workspace, agent)
        assert starts(appointment, at(2025, 6, 1, 0), at(2025, 6, 8, 0)) == [at(2025, 6, 2)]
        assert starts(appointment, at(2025, 6, 3, 0), at(2025, 6, 8, 0)) == []

    def test_daily_with_interval_and_count(self, workspace, agent):
        appointment = make(
            workspace, agent, recurrence="daily", recurrence_interval=2, recurrence_count=4
        )
        assert starts(appointment, at(2025, 6, 1, 0), at(2025, 7, 1, 0)) == [
            at(2025, 6, 2), at(2025, 6, 4), at(2025, 6, 6), at(2025, 6, 8)
        ]  # fmt: skip

    def test_weekly_until_is_inclusive(self, workspace, agent):
        appointment = make(
            workspace, agent, recurrence="weekly", recurrence_until=datetime.date(2025, 6, 23)
        )
        assert starts(appointment, at(2025, 6, 1, 0), at(2025, 8, 1, 0)) == [
            at(2025, 6, 2), at(2025, 6, 9), at(2025, 6, 16), at(2025, 6, 23)
        ]  # fmt: skip
        assert rec.last_occurrence_date(appointment) == datetime.date(2025, 6, 23)

    def test_monthly_skips_months_without_the_day(self, workspace, agent):
        appointment = make(
            workspace, agent, start=at(2025, 1, 31), recurrence="monthly", recurrence_count=3
        )
        # RFC 5545: the 31st of a month without one is skipped, not moved.
        assert starts(appointment, at(2025, 1, 1, 0), at(2025, 12, 31, 0)) == [
            at(2025, 1, 31), at(2025, 3, 31), at(2025, 5, 31)
        ]  # fmt: skip

    def test_an_endless_series_is_expanded_only_over_the_period(self, workspace, agent):
        appointment = make(workspace, agent, start=at(2020, 1, 6), recurrence="weekly")
        found = starts(appointment, at(2025, 6, 1, 0), at(2025, 6, 15, 0))
        assert found == [at(2025, 6, 2), at(2025, 6, 9)]
        assert rec.last_occurrence_date(appointment) is None

    def test_an_occurrence_overlapping_the_start_of_the_period_is_kept(self, workspace, agent):
        appointment = make(
            workspace, agent, start=at(2025, 6, 1, 23), minutes=120, recurrence="daily"
        )
        found = starts(appointment, at(2025, 6, 2, 0), at(2025, 6, 3, 0))
        assert found == [at(2025, 6, 1, 23), at(2025, 6, 2, 23)]

    def test_exceptions_are_left_out(self, workspace, agent):
        appointment = make(
            workspace,
            agent,
            recurrence="weekly",
            recurrence_count=4,
            recurrence_exceptions=["2025-06-09"],
        )
        assert starts(appointment, at(2025, 6, 1, 0), at(2025, 7, 1, 0)) == [
            at(2025, 6, 2), at(2025, 6, 16), at(2025, 6, 23)
        ]  # fmt: skip
        assert rec.occurrence_on(appointment, datetime.date(2025, 6, 9)) is None
        assert rec.occurrence_on(appointment, datetime.date(2025, 6, 16)).starts_at == at(
            2025, 6, 16
        )


@pytest.mark.django_db
class TestDaylightSaving:
    def test_weekly_keeps_the_wall_clock_across_spring_forward(self, workspace, agent):
        # 30 March 2025: Paris goes from UTC+1 to UTC+2.
        appointment = make(workspace, agent, start=at(2025, 3, 24, 9), recurrence="weekly")
        found = rec.occurrences(appointment, start=at(2025, 3, 23, 0), end=at(2025, 4, 8, 0))
        assert [o.starts_at.astimezone(PARIS).hour for o in found] == [9, 9, 9]
        offsets = [o.starts_at.utcoffset() for o in found]
        assert offsets == [datetime.timedelta(hours=1), *[datetime.timedelta(hours=2)] * 2]
        assert all(o.ends_at - o.starts_at == datetime.timedelta(hours=1) for o in found)

    def test_daily_keeps_the_wall_clock_across_fall_back(self, workspace, agent):
        # 26 October 2025: back from UTC+2 to UTC+1.
        appointment = make(workspace, agent, start=at(2025, 10, 25, 8), recurrence="daily")
        found = rec.occurrences(appointment, start=at(2025, 10, 25, 0), end=at(2025, 10, 28, 0))
        utc = [o.starts_at.astimezone(datetime.UTC).hour for o in found]
        assert utc == [6, 7, 7]
        assert [o.date for o in found] == [
            datetime.date(2025, 10, 25), datetime.date(2025, 10, 26), datetime.date(2025, 10, 27)
        ]  # fmt: skip

    def test_an_occurrence_in_the_spring_gap_is_a_valid_instant(self, workspace, agent):
        appointment = make(workspace, agent, start=at(2025, 3, 29, 2, 30), recurrence="daily")
        found = rec.occurrences(appointment, start=at(2025, 3, 30, 0), end=at(2025, 3, 31, 0))
        assert len(found) == 1
        # 02:30 does not exist on 30 March: it is read with the winter offset, i.e. 03:30 CEST.
        assert found[0].starts_at.astimezone(datetime.UTC) == datetime.datetime(
            2025, 3, 30, 1, 30, tzinfo=datetime.UTC
        )

    def test_moving_a_series_by_dragging_in_summer_keeps_winter_times(self, workspace, agent):
        appointment = make(workspace, agent, start=at(2025, 3, 24, 9), recurrence="weekly")
        appointment_reschedule(
            actor=agent,
            appointment=appointment,
            occurrence_on=datetime.date(2025, 4, 7),
            starts_at=at(2025, 4, 7, 11),
            ends_at=at(2025, 4, 7, 12, 30),
            scope=SERIES,
        )
        appointment.refresh_from_db()
        assert appointment.starts_at == at(2025, 3, 24, 11)
        assert appointment.ends_at == at(2025, 3, 24, 12, 30)


@pytest.mark.django_db
class TestSeriesChanges:
    def test_cancel_one_occurrence(self, workspace, agent):
        appointment = make(workspace, agent, recurrence="weekly", recurrence_count=3)
        appointment_cancel_occurrence(
            actor=agent, appointment=appointment, occurrence_on=datetime.date(2025, 6, 9)
        )
        appointment.refresh_from_db()
        assert appointment.recurrence_exceptions == ["2025-06-09"]
        with pytest.raises(ValidationError, match="pas d'occurrence le 10/06/2025"):
            appointment_cancel_occurrence(
                actor=agent, appointment=appointment, occurrence_on=datetime.date(2025, 6, 10)
            )

    def test_changing_one_occurrence_detaches_it(self, workspace, agent):
        appointment = make(workspace, agent, recurrence="weekly", recurrence_count=3)
        detached = appointment_update(
            actor=agent,
            appointment=appointment,
            data={"starts_at": at(2025, 6, 10, 14), "ends_at": at(2025, 6, 10, 15)},
            scope=OCCURRENCE,
            occurrence_on=datetime.date(2025, 6, 9),
        )
        appointment.refresh_from_db()
        assert detached.pk != appointment.pk
        assert detached.recurrence == ""
        assert detached.starts_at == at(2025, 6, 10, 14)
        assert appointment.recurrence_exceptions == ["2025-06-09"]
        assert Appointment.objects.count() == 2
        found = starts(appointment, at(2025, 6, 1, 0), at(2025, 7, 1, 0))
        assert found == [at(2025, 6, 2), at(2025, 6, 16)]

    def test_moving_a_series_by_days_moves_its_exceptions_and_end(self, workspace, agent):
        appointment = make(
            workspace,
            agent,
            recurrence="weekly",
            recurrence_until=datetime.date(2025, 6, 30),
            recurrence_exceptions=["2025-06-16"],
        )
        appointment_reschedule(
            actor=agent,
            appointment=appointment,
            occurrence_on=datetime.date(2025, 6, 9),
            starts_at=at(2025, 6, 10, 10),
            ends_at=at(2025, 6, 10, 11),
        )
        appointment.refresh_from_db()
        assert appointment.starts_at == at(2025, 6, 3)
        assert appointment.recurrence_exceptions == ["2025-06-17"]
        assert appointment.recurrence_until == datetime.date(2025, 7, 1)


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize(
        ("details", "field", "message"),
        [
            ({"minutes": -30}, "ends_at", "La fin du rendez-vous doit être postérieure"),
            (
                {
                    "recurrence": "weekly",
                    "recurrence_count": 3,
                    "recurrence_until": datetime.date(2025, 7, 1),
                },
                "recurrence_count",
                "Choisissez une date de fin ou un nombre d'occurrences, pas les deux.",
            ),
            (
                {"recurrence": "weekly", "recurrence_until": datetime.date(2025, 5, 1)},
                "recurrence_until",
                "précède le premier rendez-vous",
            ),
            (
                {"recurrence": "daily", "recurrence_interval": 0},
                "recurrence_interval",
                "entre 1 et 99",
            ),
            (
                {"recurrence": "weekly", "recurrence_count": 10_000},
                "recurrence_count",
                "entre 1 et 500",
            ),
            (
                {"recurrence": "weekly", "recurrence_exceptions": ["pas une date"]},
                "recurrence_exceptions",
                "n'est pas une date valide",
            ),
            ({"minutes": 60 * 24 * 40}, "ends_at", "plus de 31 jours"),
        ],
    )
    def test_refusals_in_french(self, workspace, agent, details, field, message):
        minutes = details.pop("minutes", 60)
        with pytest.raises(ValidationError) as excinfo:
            make(workspace, agent, minutes=minutes, **details)
        assert any(message in m for m in excinfo.value.message_dict[field])
        assert not Appointment.objects.exists()

    def test_limits_are_dropped_when_there_is_no_repetition(self, workspace, agent):
        appointment = make(workspace, agent, recurrence_count=3, recurrence_exceptions=["x"])
        assert appointment.recurrence_count is None
        assert appointment.recurrence_exceptions == []

    def test_an_all_day_appointment_covers_whole_days(self, workspace, agent):
        appointment = make(workspace, agent, start=at(2025, 6, 2, 15), all_day=True)
        assert appointment.starts_at == at(2025, 6, 2, 0)
        assert appointment.ends_at == at(2025, 6, 2, 0)
