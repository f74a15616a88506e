"""Deadlines on the administrative calendar, with public holidays: commitments in working
days, both CRPA clocks (rejection from the first receipt, acceptance from the competent
body's), the transfer delay."""

import datetime
import zoneinfo

import pytest

from relais.core.calendars import AdministrativeCalendar
from relais.core.calendars.models import Closure
from relais.frontdoor import clocks
from relais.frontdoor.models import Commitment, Priority, RequestChannel
from relais.frontdoor.services import assignment_accept, assignment_transfer, request_assign
from tests.frontdoor.builders import submit

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=PARIS)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert clocks.add_months(datetime.date(2025, 3, 14), 2) == datetime.date(2025, 5, 14)
    assert clocks.add_months(datetime.date(2025, 12, 31), 2) == datetime.date(2026, 2, 28)
    assert clocks.add_months(datetime.date(2024, 12, 31), 2) == datetime.date(2025, 2, 28)


def test_an_implicit_decision_falling_on_a_holiday_moves_to_the_next_working_day():
    calendar = AdministrativeCalendar()
    # 8 May 2025 (Victoire 1945) is a Thursday: received on 8 March, it would end that day.
    assert clocks.implicit_decision_date(calendar, at(2025, 3, 8), 2) == datetime.date(2025, 5, 9)
    # 1 June 2025 is a Sunday: Monday 2 June.
    assert clocks.implicit_decision_date(calendar, at(2025, 4, 1), 2) == datetime.date(2025, 6, 2)
    # Ascension, Thursday 29 May 2025.
    assert clocks.implicit_decision_date(calendar, at(2025, 3, 29), 2) == datetime.date(2025, 5, 30)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Monday 28 April + 5 working days skips 1 May: Tuesday 6 May.
        (at(2025, 4, 28), 5, datetime.date(2025, 5, 6)),
        # Wednesday 7 May + 2: skips 8 May (Thursday), lands on Monday 12 May.
        (at(2025, 5, 7), 2, datetime.date(2025, 5, 12)),
        # Wednesday 28 May + 1: Ascension Thursday is off, Friday 30 May.
        (at(2025, 5, 28), 1, datetime.date(2025, 5, 30)),
        # Late evening in Paris is still that day (22:30 UTC on 30 April = 1 May 00:30 Paris).
        (datetime.datetime(2025, 4, 30, 22, 30, tzinfo=datetime.UTC), 1, datetime.date(2025, 5, 2)),
    ],
    ids=["first-may", "eighth-may", "ascension", "paris-day"],
)
def test_working_day_deadlines_skip_public_holidays(received, days, due):
    assert clocks.add_working_days(AdministrativeCalendar(), received, days) == due


def test_remaining_working_days_are_negative_once_overdue():
    calendar = AdministrativeCalendar()
    assert (
        clocks.remaining_working_days(
            calendar, datetime.date(2025, 5, 9), datetime.date(2025, 5, 7)
        )
        == 1
    )
    assert (
        clocks.remaining_working_days(
            calendar, datetime.date(2025, 5, 6), datetime.date(2025, 5, 9)
        )
        == -2
    )


def test_a_web_request_gets_its_deadlines_from_the_commitments(net, time_machine):
    time_machine.move_to(at(2025, 4, 28))
    request = submit(net.network, received_at=at(2025, 4, 28))
    # One week electronic = 5 working days, 1 May off.
    assert request.acknowledgement_due == datetime.date(2025, 5, 6)
    # Normal priority: first answer 10 working days (1 and 8 May off), resolution 30.
    assert request.first_answer_due == datetime.date(2025, 5, 14)
    assert request.rejection_deadline == datetime.date(2025, 6, 30)  # 28 June is a Saturday


def test_a_letter_is_acknowledged_within_two_weeks(net, time_machine):
    time_machine.move_to(at(2025, 4, 28))
    urssaf = net.bodies["URSSAF"]
    request = submit(
        net.network,
        channel=RequestChannel.LETTER,
        person={"last_name": "Durand"},
        first_body=urssaf,
        actor=net.referents["URSSAF"],
        received_at=at(2025, 4, 28),
    )
    assert request.acknowledgement_due == datetime.date(2025, 5, 14)  # 1 and 8 May off


def test_a_body_commitment_and_closure_change_its_deadlines(net, time_machine):
    time_machine.move_to(at(2025, 5, 5))
    caf = net.bodies["CAF"]
    Commitment.objects.create(
        body=caf,
        channel="",
        priority=Priority.NORMAL,
        acknowledgement_days=3,
        first_answer_days=3,
        resolution_days=6,
    )
    Closure.objects.create(
        organization=caf.organization,
        start=datetime.date(2025, 5, 6),
        end=datetime.date(2025, 5, 6),
        label="Séminaire",
    )
    request = submit(net.network)
    (assignment,) = request_assign(actor=net.dispatcher, request=request, bodies=[caf])
    # Monday 5 May + 3 working days: the closure (6), 8 May are off -> 7, 9, 12.
    assert assignment.first_answer_due == datetime.date(2025, 5, 12)
    # The transfer delay of the network: 2 working days -> 7, 9.
    assert assignment.decision_due == datetime.date(2025, 5, 9)


def test_both_crpa_clocks_after_a_transfer(net, time_machine):
    """Rejection from receipt by the first body; acceptance from receipt by the competent
    one, after the transfer."""
    time_machine.move_to(at(2025, 3, 3))
    request = submit(net.network)
    urssaf, cpam = net.bodies["URSSAF"], net.bodies["CPAM"]
    (first,) = request_assign(actor=net.dispatcher, request=request, bodies=[urssaf])
    time_machine.move_to(at(2025, 3, 10))
    second = assignment_transfer(
        actor=net.referents["URSSAF"], assignment=first, to_body=cpam, reason="Arrêt de travail"
    )
    time_machine.move_to(at(2025, 3, 11))
    assignment_accept(actor=net.referents["CPAM"], assignment=second)
    second.refresh_from_db()
    request.refresh_from_db()
    assert request.rejection_deadline == datetime.date(2025, 5, 5)  # 3 May is a Saturday
    assert second.received_at == at(2025, 3, 10)
    assert second.acceptance_deadline == datetime.date(2025, 5, 12)  # 10 May: Saturday
    assert second.acknowledged_by == net.referents["CPAM"]
    shown = {c.key: c for c in clocks.request_clocks(request)}
    assert shown["rejection"].due == datetime.date(2025, 5, 5)
    assert shown[f"acceptance-{second.pk}"].due == datetime.date(2025, 5, 12)
    assert shown[f"acceptance-{second.pk}"].legal


def test_an_overdue_clock_counts_working_days_late(net, time_machine):
    time_machine.move_to(at(2025, 4, 28))
    request = submit(net.network)
    time_machine.move_to(at(2025, 5, 20))
    shown = {c.key: c for c in clocks.request_clocks(request)}
    first = shown["first_answer"]
    assert first.due == datetime.date(2025, 5, 14)
    assert first.status == "overdue"
    assert first.overdue_days == 4  # 15, 16, 19, 20 May
