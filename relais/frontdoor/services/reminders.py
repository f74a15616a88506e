"""Reminders before deadlines, on the network's ladder, and escalation of missed ones to
the moderators. Run every working morning by ``tasks.reminders_task``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.models import User
from relais.core.accounts.permissions import roles_granting
from relais.core.notifications.services import notify
from relais.frontdoor import clocks
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import (
    ESCALATION,
    OPEN_STATES,
    AssignmentState,
    Network,
    Referent,
    Reminder,
    ReminderKind,
    Request,
    RequestAssignment,
    RequestState,
)
from relais.frontdoor.services._common import log_event, request_url
from relais.frontdoor.services._common import now as _now


def _moderators(network: Network) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            organization_memberships__organization=network.organization,
            organization_memberships__role__in=roles_granting(perms.MODERATE),
        ).distinct()
    )


def _step(ladder: tuple[int, ...], left: int) -> int | None:
    """The ladder's step for ``left`` working days: the smallest step at or above it (a day
    the task did not run is caught up without a duplicate), ESCALATION once overdue."""
    if left < 0:
        return ESCALATION
    steps = [step for step in ladder if step >= left]
    return min(steps) if steps else None


def _deadlines(assignment: RequestAssignment):
    request = assignment.request
    if assignment.state == AssignmentState.PENDING:
        yield ReminderKind.DECISION, assignment.decision_due
    if request.first_answered_at is None:
        yield ReminderKind.FIRST_ANSWER, assignment.first_answer_due
    if not request.waiting_for_requester:
        yield ReminderKind.RESOLUTION, assignment.resolution_due


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminders due ``today`` (by default the Paris date of now) for every open
    request of every network, once each; escalate missed deadlines, and requests left in
    the dispatcher's queue past the network's transfer delay, to the moderators. Returns
    the counts sent: ``{"reminders": n, "escalations": m}``."""
    today = today or clocks.local_date(_now())
    sent = {"reminders": 0, "escalations": 0}
    for network in Network.objects.all():
        ladder, moderators = network.ladder, None
        calendars = {}
        assignments = RequestAssignment.objects.filter(
            request__network=network,
            request__state__in=OPEN_STATES,
            state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED],
        ).select_related("request", "body__organization", "handled_by")
        for assignment in assignments:
            body = assignment.body
            if body.pk not in calendars:
                calendars[body.pk] = clocks.body_calendar(body)
            for kind, due in _deadlines(assignment):
                if due is None:
                    continue
                step = _step(ladder, calendars[body.pk].working_days_between(today, due))
                if step is None:
                    continue
                _, created = Reminder.objects.get_or_create(
                    request=assignment.request,
                    assignment=assignment,
                    kind=kind,
                    step=step,
                    due=due,
                    defaults={"sent_at": _now()},
                )
                if not created:
                    continue
                if moderators is None and step == ESCALATION:
                    moderators = _moderators(network)
                _send(assignment.request, assignment, kind, due, step, moderators or [])
                sent["escalations" if step == ESCALATION else "reminders"] += 1
        queue = Request.objects.filter(network=network, state=RequestState.TO_DISPATCH)
        calendar = clocks.network_calendar()
        for request in queue:
            due = clocks.add_working_days(
                calendar, request.received_at, network.transfer_delay_days
            )
            if calendar.working_days_between(today, due) >= 0:
                continue
            _, created = Reminder.objects.get_or_create(
                request=request,
                assignment=None,
                kind=ReminderKind.DECISION,
                step=ESCALATION,
                due=due,
                defaults={"sent_at": _now()},
            )
            if created:
                moderators = moderators if moderators is not None else _moderators(network)
                _send(request, None, ReminderKind.DECISION, due, ESCALATION, moderators)
                sent["escalations"] += 1
    return sent


def _send(request, assignment, kind, due, step, moderators) -> None:
    url = request_url(request)
    what = ReminderKind(kind).label
    if step == ESCALATION:
        where = assignment.body.name if assignment else _("la file du répartiteur")
        title = _("Échéance dépassée (%(what)s, %(due)s) : %(code)s chez %(where)s") % {
            "what": what,
            "due": due.strftime("%d/%m/%Y"),
            "code": request.tracking_code,
            "where": where,
        }
        recipients = list(moderators)
        label = _("Échéance dépassée signalée aux modérateurs : %(what)s") % {"what": what}
    else:
        title = _("Relance : %(what)s due le %(due)s pour %(code)s") % {
            "what": what,
            "due": due.strftime("%d/%m/%Y"),
            "code": request.tracking_code,
        }
        label = _("Relance avant échéance : %(what)s (%(due)s)") % {
            "what": what,
            "due": due.strftime("%d/%m/%Y"),
        }
        recipients = []
    if assignment is not None:
        if assignment.handled_by_id:
            recipients.append(assignment.handled_by)
        else:
            recipients += [
                r.user
                for r in Referent.objects.filter(body=assignment.body, active=True).select_related(
                    "user"
                )
            ]
    for user in dict.fromkeys(recipients):
        notify(recipient=user, title=title, url=url, category="frontdoor.reminder")
    log_event(request, "escalated" if step == ESCALATION else "reminded", label,
              body=assignment.body if assignment else None)  # fmt: skip
