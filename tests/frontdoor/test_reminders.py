"""Reminders on the ladder before each deadline, once each, caught up after a day off;
missed deadlines and a queue left unattended are escalated to the moderators."""

import datetime
import zoneinfo

from relais.core.notifications.models import Notification
from relais.frontdoor.models import ESCALATION, Reminder, ReminderKind
from relais.frontdoor.services import assignment_accept, reminders_send, request_assign
from relais.frontdoor.tasks import reminders_task
from tests.frontdoor.builders import submit

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY = datetime.datetime(2025, 5, 5, 10, tzinfo=PARIS)


def _notified(user, category="frontdoor.reminder"):
    return list(
        Notification.objects.filter(recipient=user, category=category).values_list(
            "title", flat=True
        )
    )


def test_the_ladder_then_the_escalation(net, time_machine):
    time_machine.move_to(MONDAY)
    request = submit(net.network)
    (assignment,) = request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]]
    )
    assert assignment.decision_due == datetime.date(2025, 5, 7)
    referent = net.referents["CAF"]

    assert reminders_send(today=datetime.date(2025, 5, 5)) == {"reminders": 1, "escalations": 0}
    assert reminders_send(today=datetime.date(2025, 5, 5)) == {"reminders": 0, "escalations": 0}
    assert len(_notified(referent)) == 1
    assert "Prise en charge" in _notified(referent)[0]
    # Tuesday: 1 working day left, the step of 2 was sent: nothing new.
    assert reminders_send(today=datetime.date(2025, 5, 6))["reminders"] == 0
    # Wednesday, the day itself.
    assert reminders_send(today=datetime.date(2025, 5, 7))["reminders"] == 1
    # Friday 9 May (8 May is a holiday): overdue, escalated to the moderator, once.
    assert reminders_send(today=datetime.date(2025, 5, 9))["escalations"] == 1
    assert reminders_send(today=datetime.date(2025, 5, 12))["escalations"] == 0
    assert any("Échéance dépassée" in t for t in _notified(net.moderator))
    assert not _notified(net.referents["URSSAF"])
    escalation = Reminder.objects.get(step=ESCALATION)
    assert escalation.kind == ReminderKind.DECISION
    assert request.events.filter(code="escalated").exists()


def test_after_taking_in_charge_only_the_handler_is_reminded(net, time_machine):
    time_machine.move_to(MONDAY)
    request = submit(net.network)
    (assignment,) = request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]]
    )
    assignment_accept(actor=net.referents["CAF"], assignment=assignment)
    assignment.refresh_from_db()
    # First answer due 10 working days after Monday 5 May (8 May off): Tuesday 20 May.
    assert assignment.first_answer_due == datetime.date(2025, 5, 20)
    assert reminders_send(today=datetime.date(2025, 5, 16))["reminders"] == 1
    assert Reminder.objects.get().kind == ReminderKind.FIRST_ANSWER
    assert len(_notified(net.referents["CAF"])) == 1


def test_a_request_left_in_the_queue_is_escalated(net, time_machine):
    time_machine.move_to(MONDAY)
    request = submit(net.network)
    assert reminders_send(today=datetime.date(2025, 5, 7))["escalations"] == 0
    time_machine.move_to(datetime.datetime(2025, 5, 9, 7, tzinfo=PARIS))
    assert reminders_task.call_local() == {"reminders": 0, "escalations": 1}
    assert any(request.tracking_code in t for t in _notified(net.moderator))
