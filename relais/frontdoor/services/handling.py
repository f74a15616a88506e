"""Handling: dispatching to bodies, taking in charge, "pas pour moi", transfers, the thread,
answers and closing. Each function is one business action, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied, NotFound
from relais.frontdoor import access, clocks
from relais.frontdoor.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Answer,
    AssignmentState,
    Body,
    Message,
    Request,
    RequestAssignment,
    RequestChannel,
    RequestState,
    Visibility,
)
from relais.frontdoor.services._common import (
    backfilling,
    locked_request,
    log_event,
    log_interaction,
    mail_requester,
    notify_body,
    request_url,
    requester_email,
)
from relais.frontdoor.services._common import (
    now as _now,
)
from relais.frontdoor.services.intake import request_route

REASON_MAX = 2000


def _refresh_request(request: Request) -> Request:
    """Recompute the state and the request-level deadlines from the bodies' assignments."""
    assignments = list(request.assignments.all())
    active = [a for a in assignments if a.state in ACTIVE_ASSIGNMENT_STATES]
    request.state = request.compute_state(assignments)
    firsts = [a.first_answer_due for a in active if a.first_answer_due]
    resolutions = [a.resolution_due for a in active if a.resolution_due]
    if firsts:
        request.first_answer_due = min(firsts + [request.first_answer_due or min(firsts)])
    if resolutions:
        request.resolution_due = min(resolutions + [request.resolution_due or min(resolutions)])
    request.save(update_fields=["state", "first_answer_due", "resolution_due", "updated_at"])
    return request


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Le motif dépasse 2 000 caractères.")})
    return reason


def _new_assignment(request: Request, body: Body, *, actor, received_at, transferred_from=None):
    if body.network_id != request.network_id or not body.active:
        raise NotFound(_("Organisme introuvable dans ce réseau."))
    if request.assignments.filter(body=body, state__in=ACTIVE_ASSIGNMENT_STATES).exists():
        raise ValidationError(_("%(body)s est déjà saisi de cette demande.") % {"body": body.name})
    calendar = clocks.body_calendar(body)
    delays = clocks.delays_for(body, request.channel, request.priority)
    return RequestAssignment.objects.create(
        request=request,
        body=body,
        received_at=received_at,
        assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
        transferred_from=transferred_from,
        decision_due=clocks.add_working_days(
            calendar, received_at, request.network.transfer_delay_days
        ),
        first_answer_due=clocks.add_working_days(calendar, received_at, delays.first_answer),
        resolution_due=clocks.add_working_days(calendar, received_at, delays.resolution),
    )


@transaction.atomic
def request_assign(
    *,
    actor,
    request: Request,
    bodies: Iterable[Body],
    note: str = "",
    automatic: bool = False,
) -> list[RequestAssignment]:
    """Send ``request`` to ``bodies`` (the dispatcher's choice, or the routing engine's with
    ``automatic=True`` and ``actor=None``). Each body receives it now: its decision delay,
    first answer and resolution deadlines start, its referents are notified."""
    if not automatic:
        access.ensure_dispatch(actor, request.network)
    request = locked_request(request)
    if request.closed_at:
        raise ValidationError(_("Cette demande est clôturée."))
    bodies = list(dict.fromkeys(bodies))
    if not bodies:
        raise ValidationError({"bodies": _("Choisissez au moins un organisme.")})
    now = _now()
    created = [_new_assignment(request, body, actor=actor, received_at=now) for body in bodies]
    names = ", ".join(a.body.name for a in created)
    log_event(
        request,
        "assigned",
        _("Orientée vers %(bodies)s") % {"bodies": names},
        actor=actor,
        note=note,
        bodies=[a.body.code for a in created],
    )
    log_interaction(
        request,
        "frontdoor.request.assigned",
        _("Demande %(code)s orientée vers %(bodies)s")
        % {"code": request.tracking_code, "bodies": names},
        direction="internal",
        actor=actor,
    )
    audit_log(
        actor=actor,
        action="frontdoor.request.assign",
        target=request,
        before={"routing": request.routing},
        after={"bodies": [a.body.code for a in created], "automatic": automatic},
    )
    _refresh_request(request)
    for assignment in created:
        notify_body(
            assignment.body,
            title=(
                _("Événement critique pour %(body)s : %(subject)s")
                if request.critical
                else _("Nouvelle demande pour %(body)s : %(subject)s")
            )
            % {"body": assignment.body.code, "subject": request.subject},
            url=request_url(request),
            exclude=actor,
        )
    return created


def _lock_assignment(assignment: RequestAssignment, actor) -> RequestAssignment:
    access.ensure_handle(actor, assignment.body)
    assignment = (
        RequestAssignment.objects.select_for_update()
        .select_related("request__network", "body__organization")
        .get(pk=assignment.pk)
    )
    if assignment.request.closed_at:
        raise ValidationError(_("Cette demande est clôturée."))
    return assignment


def _acknowledge(assignment: RequestAssignment, actor, now) -> None:
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at = now
        assignment.acknowledged_by = actor


@transaction.atomic
def assignment_accept(*, actor, assignment: RequestAssignment) -> RequestAssignment:
    """ "Je prends en charge": the body is competent. Its receipt starts the CRPA acceptance
    clock (L114-3); the requester is told who handles the request."""
    assignment = _lock_assignment(assignment, actor)
    if assignment.state != AssignmentState.PENDING:
        raise ValidationError(_("Cette orientation n'attend plus de prise en charge."))
    now = _now()
    request = assignment.request
    _acknowledge(assignment, actor, now)
    assignment.state = AssignmentState.ACCEPTED
    assignment.handled_by = actor
    assignment.decided_at = now
    assignment.acceptance_deadline = clocks.implicit_decision_date(
        clocks.body_calendar(assignment.body),
        assignment.received_at,
        request.network.implicit_decision_months,
    )
    assignment.save()
    label = _("%(body)s prend en charge la demande (%(user)s)") % {
        "body": assignment.body.name,
        "user": actor.display_name,
    }
    log_event(request, "accepted", label, actor=actor, body=assignment.body)
    log_interaction(request, "frontdoor.request.accepted", label, direction="internal", actor=actor)
    _refresh_request(request)
    mail_requester(
        request,
        "frontdoor/email/handled_by.txt",
        {"body": assignment.body},
        _("Votre demande %(code)s est prise en charge") % {"code": request.tracking_code},
    )
    return assignment


@transaction.atomic
def assignment_refuse(*, actor, assignment: RequestAssignment, reason: str) -> RequestAssignment:
    """ "Pas pour moi", with a reason: the body is not competent. When no other body holds
    the request, it goes back to routing (the dispatcher's queue)."""
    reason = _reason(reason)
    assignment = _lock_assignment(assignment, actor)
    if assignment.state not in (AssignmentState.PENDING, AssignmentState.ACCEPTED):
        raise ValidationError(_("Cette orientation ne peut plus être refusée."))
    now = _now()
    request = assignment.request
    _acknowledge(assignment, actor, now)
    assignment.state = AssignmentState.REFUSED
    assignment.reason = reason
    assignment.decided_at = now
    assignment.acceptance_deadline = None
    assignment.save()
    label = _("%(body)s : « pas pour moi »") % {"body": assignment.body.name}
    log_event(request, "refused", label, actor=actor, body=assignment.body, reason=reason)
    log_interaction(request, "frontdoor.request.refused", label, direction="internal", actor=actor)
    audit_log(
        actor=actor,
        action="frontdoor.assignment.refuse",
        target=request,
        before={"body": assignment.body.code, "state": "pending"},
        after={"body": assignment.body.code, "state": "refused", "reason": reason},
    )
    _refresh_request(request)
    if request.state == RequestState.TO_DISPATCH:
        request_route(request=request, actor=actor, reason="refused")
    return assignment


@transaction.atomic
def assignment_transfer(
    *, actor, assignment: RequestAssignment, to_body: Body, reason: str
) -> RequestAssignment:
    """Transmit the request to ``to_body`` with a reason (CRPA L114-2). The rejection clock
    keeps running from the first receipt; the new body's receipt starts its own delays (and
    its acceptance clock if it takes the request in charge). Returns the new assignment."""
    reason = _reason(reason)
    assignment = _lock_assignment(assignment, actor)
    if assignment.state not in (AssignmentState.PENDING, AssignmentState.ACCEPTED):
        raise ValidationError(_("Cette orientation ne peut plus être transmise."))
    if to_body.pk == assignment.body_id:
        raise ValidationError({"to_body": _("Choisissez un autre organisme.")})
    now = _now()
    request = assignment.request
    _acknowledge(assignment, actor, now)
    assignment.state = AssignmentState.TRANSFERRED
    assignment.reason = reason
    assignment.decided_at = now
    assignment.acceptance_deadline = None
    assignment.save()
    new = _new_assignment(
        request, to_body, actor=actor, received_at=now, transferred_from=assignment
    )
    label = _("%(source)s transmet la demande à %(target)s") % {
        "source": assignment.body.name,
        "target": to_body.name,
    }
    log_event(
        request,
        "transferred",
        label,
        actor=actor,
        body=assignment.body,
        reason=reason,
        to=to_body.code,
    )
    log_interaction(
        request, "frontdoor.request.transferred", label, direction="internal", actor=actor
    )
    audit_log(
        actor=actor,
        action="frontdoor.assignment.transfer",
        target=request,
        before={"body": assignment.body.code},
        after={"body": to_body.code, "reason": reason},
    )
    _refresh_request(request)
    notify_body(
        to_body,
        title=_("Demande transmise par %(body)s : %(subject)s")
        % {"body": assignment.body.code, "subject": request.subject},
        url=request_url(request),
    )
    mail_requester(
        request,
        "frontdoor/email/transferred.txt",
        {"source": assignment.body, "target": to_body},
        _("Votre demande %(code)s a été transmise") % {"code": request.tracking_code},
    )
    return new


def _author_body(actor, request: Request, body: Body | None) -> Body | None:
    """The body ``actor`` writes for: ``body`` if given and theirs, else their first body
    involved in the request; moderators may write with no body."""
    involved = access.bodies_of(actor).filter(assignments__request=request).distinct()
    if body is not None:
        if not involved.filter(pk=body.pk).exists():
            raise AccessDenied(_("Vous n'écrivez pas au nom de cet organisme."))
        return body
    return involved.order_by("code").first()


@transaction.atomic
def message_post(
    *, actor, request: Request, text: str, visibility: str, body: Body | None = None
) -> Message:
    """Write in the request's thread. ``shared``: the requester reads it too;
    ``internal``: the bodies involved; ``private``: only the author's body."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Visibilité inconnue.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Le message est vide.")})
    author_body = _author_body(actor, request, body)
    if author_body is None and not access.can_dispatch(actor, request.network):
        raise AccessDenied(_("Vous n'intervenez pas sur cette demande."))
    message = Message(
        request=request, author=actor, body=author_body, visibility=visibility, text=text
    )
    message.full_clean()
    message.save()
    if backfilling():  # auto_now_add dated it now
        Message.objects.filter(pk=message.pk).update(created_at=_now())
    private = author_body if visibility == Visibility.PRIVATE else None
    label = {
        Visibility.SHARED: _("Message au demandeur"),
        Visibility.INTERNAL: _("Message entre organismes"),
        Visibility.PRIVATE: _("Note privée"),
    }[visibility]
    who = author_body.name if author_body else _("modération")
    from relais.frontdoor.services.space import mentions_notify

    mentioned = mentions_notify(message=message, actor=actor)
    log_event(
        request,
        f"message.{visibility}",
        f"{label} ({who})",
        actor=actor,
        body=author_body,
        private_to=private,
        mentions=[user.username for user in mentioned],
    )
    if visibility != Visibility.PRIVATE:
        log_interaction(
            request,
            "frontdoor.message.posted",
            f"{label} ({who})",
            direction="out" if visibility == Visibility.SHARED else "internal",
            actor=actor,
        )
    if visibility == Visibility.SHARED:
        mail_requester(
            request,
            "frontdoor/email/message.txt",
            {"message": message},
            _("Nouveau message sur votre demande %(code)s") % {"code": request.tracking_code},
            automatic=False,
        )
    return message


@transaction.atomic
def answer_send(
    *,
    actor,
    request: Request,
    text: str,
    body: Body | None = None,
    joint_bodies: Iterable[Body] = (),
    channel: str | None = None,
) -> Answer:
    """Answer the requester on behalf of ``body``: the answer is recorded and sent through
    ``channel`` (by default the requester's): e-mailed over SMTP in the thread of their
    e-mails, a PDF letter to post, or a call or visit recorded (``_deliver_answer``); the
    body's assignment becomes answered (a pending one is taken in charge by answering).

    An answer in the name of other bodies too (``joint_bodies``) is not sent from here: it
    is a draft each of them co-signs first (``joint_answers.joint_answer_propose``)."""
    request, body, text = answer_checked(actor=actor, request=request, text=text, body=body)
    if [b for b in joint_bodies if b.pk != body.pk]:
        raise ValidationError(
            {
                "joint_bodies": _(
                    "Une réponse commune est d'abord approuvée par chaque organisme "
                    "co-signataire : proposez-la en projet."
                )
            }
        )
    request = locked_request(request)
    if request.closed_at:
        raise ValidationError(_("Cette demande est clôturée."))
    channel = answer_channel(request, channel)
    return answer_record(
        request=request, body=body, joint=[], text=text, channel=channel, author=actor, actor=actor
    )


def answer_checked(*, actor, request: Request, text: str, body: Body | None):
    """The request as ``actor`` reads it, the body they answer for (one they hold it for),
    the answer's text stripped: what every answer, single or joint, checks first."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("La réponse est vide.")})
    handling = access.handling_bodies(actor, request)
    if body is None:
        body = handling[0] if handling else None
    if body is None or body not in handling:
        raise AccessDenied(_("Votre organisme ne détient pas cette demande."))
    return request, body, text


def answer_channel(request: Request, channel: str | None) -> str:
    """The channel an answer goes through (the requester's by default), checked."""
    channel = channel or request.channel
    if channel not in RequestChannel.values:
        raise ValidationError({"channel": _("Canal inconnu.")})
    if channel == RequestChannel.EMAIL and (
        not requester_email(request) or request.email_undeliverable_at
    ):
        raise ValidationError(
            {
                "channel": _(
                    "Le demandeur n'a pas d'adresse e-mail valide : répondez par courrier ou "
                    "par téléphone."
                )
            }
        )
    return channel


def answer_record(
    *, request: Request, body: Body, joint: list[Body], text: str, channel: str, author, actor
) -> Answer:
    """Record and deliver an answer already checked (the request locked): the bodies'
    assignments become answered, the history, the interaction log, the joint bodies told.
    ``author`` wrote it; ``actor`` made it leave (the last co-signer of a joint answer)."""
    now = _now()
    answer = Answer.objects.create(
        request=request, body=body, author=author, channel=channel, text=text, sent_at=now
    )
    answer.joint_bodies.set(joint)
    for assignment in request.assignments.filter(
        body__in=[body, *joint], state__in=ACTIVE_ASSIGNMENT_STATES
    ).select_related("body__organization"):
        if assignment.state == AssignmentState.PENDING:
            assignment.decided_at = now
            assignment.handled_by = author
            assignment.acceptance_deadline = clocks.implicit_decision_date(
                clocks.body_calendar(assignment.body),
                assignment.received_at,
                request.network.implicit_decision_months,
            )
        _acknowledge(assignment, author, now)
        assignment.state = AssignmentState.ANSWERED
        assignment.answered_at = now
        assignment.save()
    if request.first_answered_at is None:
        request.first_answered_at = now
    request.waiting_for_requester = False
    request.save(update_fields=["first_answered_at", "waiting_for_requester", "updated_at"])
    names = ", ".join(b.name for b in [body, *joint])
    label = (_("Réponse commune de %(bodies)s") if joint else _("Réponse de %(bodies)s")) % {
        "bodies": names
    }
    label = f"{label} {_deliver_answer(request, answer, [body, *joint], channel, author)}"
    log_event(request, "answered", label, actor=actor, body=body, joint=[b.code for b in joint])
    log_interaction(
        request, "frontdoor.answer.sent", label, direction="out", actor=actor, channel=channel
    )
    _refresh_request(request)
    for joint_body in joint:
        # The answer speaks for them too: their referents read what was said in their name.
        notify_body(
            joint_body,
            title=_("Réponse commune envoyée au nom de %(body)s : %(code)s")
            % {"body": joint_body.code, "code": request.tracking_code},
            url=request_url(request),
            exclude=actor,
        )
    return answer


def _deliver_answer(request: Request, answer: Answer, bodies: list[Body], channel, actor) -> str:
    """Send ``answer`` through ``channel``; the words the history adds about how.

    E-mail (and the web form's requester): sent over SMTP, in the thread of the requester's
    e-mails. Letter: a PDF letter kept with the answer, to print and post. Phone, counter:
    the call or the visit is recorded; the text is what was said."""
    if channel in (RequestChannel.EMAIL, RequestChannel.WEB):
        sent = mail_requester(
            request,
            "frontdoor/email/answer.txt",
            {"answer": answer, "bodies": bodies},
            _("Réponse à votre demande %(code)s") % {"code": request.tracking_code},
            automatic=False,
        )
        if channel == RequestChannel.WEB:
            return _("(page de suivi et e-mail)") if sent else _("(page de suivi)")
        return _("(e-mail)")
    if channel == RequestChannel.LETTER:
        from relais.frontdoor.letters import answer_letter
        from relais.frontdoor.models import AttachmentKind
        from relais.frontdoor.services.attachments import CheckedFile, attachment_store

        if not backfilling():
            attachment_store(
                checked=CheckedFile(
                    filename=f"reponse-{request.tracking_code}.pdf",
                    content_type="application/pdf",
                    data=answer_letter(answer, bodies, clocks.local_date(answer.sent_at)),
                ),
                kind=AttachmentKind.ANSWER_LETTER,
                request=request,
                answer=answer,
                uploaded_by=actor,
            )
        return _("(courrier : PDF à imprimer et poster)")
    if channel == RequestChannel.PHONE:
        return _("(appel téléphonique consigné)")
    return _("(remise à l'accueil)")


@transaction.atomic
def request_set_waiting(*, actor, request: Request, waiting: bool) -> Request:
    """Mark the request as waiting for the requester (a document asked for), or not."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    if not access.handling_bodies(actor, request):
        raise AccessDenied(_("Votre organisme ne détient pas cette demande."))
    request = locked_request(request)
    request.waiting_for_requester = waiting
    request.save(update_fields=["waiting_for_requester", "updated_at"])
    label = _("En attente du demandeur") if waiting else _("Reprise du traitement")
    log_event(request, "waiting" if waiting else "resumed", label, actor=actor)
    log_interaction(request, "frontdoor.request.waiting", label, direction="internal", actor=actor)
    _refresh_request(request)
    return request


@transaction.atomic
def request_close(*, actor, request: Request, note: str = "") -> Request:
    """Close the request. Refused while no answer is recorded: no request closes without
    one. A body holding the request or a moderator of the network may close it."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    if not access.handling_bodies(actor, request) and not access.can_moderate(
        actor, request.network
    ):
        raise AccessDenied(_("Vous ne pouvez pas clôturer cette demande."))
    request = locked_request(request)
    if request.closed_at:
        raise ValidationError(_("Cette demande est déjà clôturée."))
    if not request.answers.exists():
        raise ValidationError(
            _("Aucune réponse n'est enregistrée : une demande ne se clôture pas sans réponse.")
        )
    request.closed_at = _now()
    request.closed_by = actor
    request.save(update_fields=["closed_at", "closed_by", "updated_at"])
    log_event(request, "closed", _("Demande clôturée"), actor=actor, note=note)
    log_interaction(
        request,
        "frontdoor.request.closed",
        _("Demande %(code)s clôturée") % {"code": request.tracking_code},
        direction="internal",
        actor=actor,
    )
    _refresh_request(request)
    from relais.frontdoor.services.space import survey_open

    survey_open(request=request)
    return request


@transaction.atomic
def request_personal_data_reveal(*, actor, request: Request) -> dict:
    """The requester's personal data (names, e-mail, phones, company identifiers), shown on
    demand: each reveal is written in the kernel's audit log."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    person, company = request.person, request.company
    data = {
        "person": None
        if person is None
        else {
            "name": person.full_name,
            "email": person.email,
            "phone": person.phone_mobile or person.phone_landline,
        },
        "company": None
        if company is None
        else {
            "name": company.legal_name,
            "siret": company.siret,
            "naf": company.naf_code,
            "email": company.email,
            "phone": company.phone_landline or company.phone_mobile,
            "address": " ".join(
                part for part in (company.street, company.postal_code, company.city) if part
            ),
        },
    }
    audit_log(
        actor=actor,
        action="frontdoor.personal_data.view",
        target=request,
        after={"fields": [k for k, v in data.items() if v]},
    )
    return data
