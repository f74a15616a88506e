"""Intake: a request from any channel enters the network, is acknowledged and routed."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.contacts.services import company_create, person_create
from relais.core.exceptions import AccessDenied, NotFound
from relais.frontdoor import access, clocks
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import (
    ACTIVE_ASSIGNMENT_STATES,
    ELECTRONIC_CHANNELS,
    AssignmentState,
    Body,
    Network,
    Priority,
    Request,
    RequestChannel,
    RequesterRole,
    RequestState,
)
from relais.frontdoor.services._common import (
    backfilling,
    interactions_batched,
    log_event,
    log_interaction,
    mail_requester,
    new_tracking_code,
    notify_dispatchers,
    notify_moderators,
    request_url,
)
from relais.frontdoor.services._common import (
    now as _now,
)

STAFF_CHANNELS = (RequestChannel.PHONE, RequestChannel.COUNTER, RequestChannel.LETTER)


def _requester(
    network: Network, *, company: dict, person: dict
) -> tuple[Company | None, Person | None]:
    """Find the company (by SIRET) and the person (by e-mail) in the network's workspace, or
    create them through core's contact services (validated: SIRET key, NAF code, e-mail)."""
    workspace = network.workspace
    found_company = None
    company = {k: v for k, v in company.items() if v}
    siret = "".join(company.get("siret", "").split())
    if siret:
        company["siret"] = siret
        found_company = Company.objects.in_workspace(workspace).filter(siret=siret).first()
    if found_company is None and company.get("legal_name"):
        found_company = company_create(actor=None, workspace=workspace, **company)
    person = {k: v for k, v in person.items() if v}
    found_person = None
    email = person.get("email", "").strip().lower()
    if email:
        person["email"] = email
        found_person = (
            Person.objects.in_workspace(workspace)
            .filter(email__iexact=email, last_name__iexact=person.get("last_name", ""))
            .first()
        )
    if found_person is None and person.get("last_name"):
        found_person = person_create(actor=None, workspace=workspace, **person)
    if found_company and found_person:
        CompanyContact.objects.get_or_create(
            company=found_company, person=found_person, defaults={"role": ""}
        )
    return found_company, found_person


@transaction.atomic
@interactions_batched()
def request_submit(
    *,
    network: Network,
    channel: str,
    subject: str,
    text: str,
    company: dict | None = None,
    person: dict | None = None,
    requester_role: str = RequesterRole.EMPLOYER,
    critical: bool = False,
    priority: str | None = None,
    source_site: str = "",
    first_body: Body | None = None,
    actor=None,
    received_at: datetime.datetime | None = None,
    rng=None,
    source_mail=None,
) -> Request:
    """Take in a request from any channel and acknowledge it; then route it.

    ``company`` holds core ``Company`` fields (``legal_name``, ``siret``, ``naf_code``…),
    ``person`` core ``Person`` fields (``last_name``, ``first_name``, ``email``,
    ``phone_mobile``…), validated by core's contact services (French messages per field).
    ``actor`` is the agent who entered a phone, counter or letter request (it needs
    ``frontdoor.request.create`` in ``first_body``); ``None`` for the public form and the
    e-mail intake. The web and e-mail channels need an e-mail address: the acknowledgement
    of receipt, with its legal mentions and the tracking code, is e-mailed at once (after
    commit); for the other channels it is given by the agent or printed
    (``acknowledgement_text``); a letter's is a PDF to print and post.
    ``source_mail``: the received e-mail (``MailMessage``) the request comes from, linked
    before the acknowledgement so that it answers that e-mail.
    """
    company, person = company or {}, person or {}
    if channel not in RequestChannel.values:
        raise ValidationError({"channel": _("Canal inconnu.")})
    if actor is not None:
        if (
            first_body is None
            or not access.bodies_of(actor, perms.CREATE).filter(pk=first_body.pk).exists()
        ):
            raise AccessDenied(_("Vous ne pouvez pas saisir de demande pour cet organisme."))
    elif channel in STAFF_CHANNELS:
        raise AccessDenied(_("Une demande reçue par ce canal est saisie par un agent."))
    if first_body is not None and first_body.network_id != network.pk:
        raise ValidationError({"first_body": _("Cet organisme n'est pas membre du réseau.")})
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Indiquez l'objet de votre demande.")
    if not text.strip():
        errors["text"] = _("Décrivez votre demande.")
    if channel in ELECTRONIC_CHANNELS and not (person.get("email") or "").strip():
        errors["email"] = _("Indiquez une adresse e-mail pour recevoir l'accusé de réception.")
    if (
        not (person.get("last_name") or "").strip()
        and not (company.get("legal_name") or "").strip()
    ):
        errors["last_name"] = _("Indiquez votre nom ou celui de votre entreprise.")
    if errors:
        raise ValidationError(errors)
    found_company, found_person = _requester(network, company=company, person=person)
    received_at = received_at or _now()
    priority = Priority.CRITICAL if critical else (priority or Priority.NORMAL)
    calendar = clocks.body_calendar(first_body) if first_body else clocks.network_calendar()
    delays = clocks.delays_for(first_body, channel, priority)
    code = new_tracking_code(rng)
    while Request.objects.filter(tracking_code=code).exists():
        code = new_tracking_code(rng)
    request = Request(
        workspace=network.workspace,
        network=network,
        tracking_code=code,
        company=found_company,
        person=found_person,
        requester_role=requester_role,
        channel=channel,
        source_site=source_site[:200],
        first_body=first_body,
        entered_by=actor,
        subject=subject.strip()[:200],
        text=text.strip(),
        priority=priority,
        critical=critical,
        state=RequestState.TO_DISPATCH,
        received_at=received_at,
        acknowledgement_due=clocks.add_working_days(calendar, received_at, delays.acknowledgement),
        first_answer_due=clocks.add_working_days(calendar, received_at, delays.first_answer),
        resolution_due=clocks.add_working_days(calendar, received_at, delays.resolution),
        rejection_deadline=clocks.implicit_decision_date(
            calendar, received_at, network.implicit_decision_months
        ),
    )
    # The keys were read or made just above (their rows exist) and the tracking code was
    # checked: skip the six existence queries full_clean would make again.
    request.full_clean(
        exclude=["workspace", "network", "company", "person", "first_body", "entered_by"],
        validate_unique=False,
    )
    request.save()
    if source_mail is not None:
        source_mail.request = request
        source_mail.save(update_fields=["request"])
    log_event(
        request,
        "received",
        _("Demande reçue (%(channel)s)") % {"channel": request.get_channel_display()},
        actor=actor,
        body=first_body,
        at=received_at,
    )
    log_interaction(
        request,
        "frontdoor.request.received",
        _("Demande %(code)s reçue : %(subject)s") % {"code": code, "subject": request.subject},
        direction="in",
        actor=actor,
        at=received_at,
    )
    if (
        channel in ELECTRONIC_CHANNELS
        or channel == RequestChannel.LETTER
        or (found_person and found_person.email)
    ):
        request_acknowledge(request=request, actor=actor)
    request_route(request=request, actor=actor)
    return request


def acknowledgement_context(request: Request) -> dict:
    """What the acknowledgement of receipt says (CRPA L112-3, R112-5): date of receipt,
    tracking code, the service and how to reach it, the implicit decision delay and the
    means of appeal."""
    return {
        "network": request.network,
        "bodies": list(request.network.bodies.filter(active=True)),
        "received_on": clocks.local_date(request.received_at),
        "months": request.network.implicit_decision_months,
        "rejection_deadline": request.rejection_deadline,
        "first_answer_due": request.first_answer_due,
        "tracking_url": settings.RELAIS_SITE_URL.rstrip("/") + reverse("frontdoor:tracking"),
    }


@transaction.atomic
def request_acknowledge(*, request: Request, actor=None) -> Request:
    """Send (or record as given) the acknowledgement of receipt through the requester's
    channel: e-mailed when an address is known, otherwise recorded as given by the agent
    (phone, counter) or printed (letter). Once only."""
    if actor is not None and not access.can_read(actor, request):
        raise NotFound(_("Demande introuvable."))
    if request.acknowledged_at:
        return request
    now = _now()
    subject = _("Accusé de réception de votre demande %(code)s") % {"code": request.tracking_code}
    sent = mail_requester(
        request, "frontdoor/email/acknowledgement.txt", acknowledgement_context(request), subject
    )
    letter = None
    if not sent and request.channel == RequestChannel.LETTER and not backfilling():
        letter = _acknowledgement_letter(request, actor)
    request.acknowledged_at = now
    request.save(update_fields=["acknowledged_at", "updated_at"])
    if sent:
        label = _("Accusé de réception envoyé par e-mail")
    elif letter is not None:
        label = _("Accusé de réception préparé en courrier (PDF à imprimer et poster)")
    else:
        label = _("Accusé de réception remis au demandeur")
    log_event(request, "acknowledged", label, actor=actor)
    log_interaction(
        request,
        "frontdoor.request.acknowledged",
        _("Accusé de réception de la demande %(code)s") % {"code": request.tracking_code},
        direction="out",
        actor=actor,
        channel="email" if sent else None,
    )
    return request


def _acknowledgement_letter(request: Request, actor):
    """The acknowledgement of a postal request as a PDF letter kept with the request."""
    from django.template.loader import render_to_string

    from relais.frontdoor.letters import acknowledgement_letter
    from relais.frontdoor.models import AttachmentKind
    from relais.frontdoor.services.attachments import CheckedFile, attachment_store

    context = acknowledgement_context(request)
    text = render_to_string(
        "frontdoor/email/acknowledgement.txt", {"request_obj": request, **context}
    )
    data = acknowledgement_letter(request, context, text)
    return attachment_store(
        checked=CheckedFile(
            filename=f"accuse-de-reception-{request.tracking_code}.pdf",
            content_type="application/pdf",
            data=data,
        ),
        kind=AttachmentKind.ACKNOWLEDGEMENT,
        request=request,
        uploaded_by=actor,
    )


def _critical_bodies(
    request: Request, events: list[str], refused: set[str], assignments: list
) -> list[Body]:
    """The network's bodies to alert for the critical ``events`` (catalogue order), except
    those that refused the request or already hold it (``assignments``: the request's)."""
    from relais.frontdoor.routing import critical_event

    if not events:
        return []

    codes = []
    for event in events:
        try:
            codes.extend(critical_event(event).bodies)
        except KeyError:
            continue
    held = {a.body.code for a in assignments if a.state in ACTIVE_ASSIGNMENT_STATES}
    wanted = [code for code in dict.fromkeys(codes) if code not in refused | held]
    bodies = {
        body.code: body
        for body in Body.objects.filter(network=request.network, code__in=wanted, active=True)
    }
    return [bodies[code] for code in wanted if code in bodies]


@transaction.atomic
def request_route(*, request: Request, actor=None, reason: str = "") -> Request:
    """Decide which bodies receive ``request``: the routing engine reads its text
    (``relais.frontdoor.routing``), its decision and explanation are stored in
    ``request.routing`` and shown to referents. When the network routes automatically and the
    engine is sure enough, the request goes to the proposed bodies at once (``request_assign``
    with ``automatic=True``); otherwise, and when a body answered "pas pour moi", it waits in
    the dispatcher's queue with the engine's proposal. A critical event the engine detects
    makes the request critical. Called again when the last body seized refuses it.
    """
    from relais.frontdoor.routing import default_model, explanation_text, route
    from relais.frontdoor.services.retraining import active_model

    # The network's retrained model when an administrator made one, else the shipped one.
    model = active_model(request.network) or default_model()
    decision = route(f"{request.subject}\n{request.text}", model=model)
    # Read once: the refusals here, the bodies holding it and the state below.
    assignments = list(request.assignments.select_related("body"))
    refused = {a.body.code for a in assignments if a.state == AssignmentState.REFUSED}
    proposed = [
        body
        for body in Body.objects.filter(
            network=request.network, code__in=[c for c in decision.codes if c not in refused]
        )
    ]
    proposed.sort(key=lambda body: decision.codes.index(body.code))
    suggestion = {
        "bodies": [[code, round(probability, 4)] for code, probability in decision.bodies],
        "confidence": round(decision.confidence, 4),
        "abstain": decision.abstain,
        "critical": decision.critical,
        "explanation": explanation_text(decision, model=model),
        "model_version": decision.model_version,
    }
    automatic = (
        request.network.auto_route and not decision.abstain and bool(proposed) and not reason
    )
    request.routing = {
        "mode": "automatic" if automatic else "dispatcher",
        "reason": reason or ("engine" if automatic else "low_confidence"),
        "at": _now().isoformat(),
        "suggestion": suggestion,
    }
    if decision.critical and not request.critical:
        request.critical = True
        request.save(update_fields=["critical", "updated_at"])
    # « Help Contact »: a critical event does not wait for the dispatcher; the bodies its
    # catalogue names are seized at once (their referents alerted), whatever the confidence.
    alerted = (
        _critical_bodies(request, decision.critical, refused, assignments) if not reason else []
    )
    if alerted and not automatic:
        from relais.frontdoor.services.handling import request_assign

        request.routing["alerted"] = [body.code for body in alerted]
        request.save(update_fields=["routing", "updated_at"])
        request_assign(actor=None, request=request, bodies=alerted, automatic=True)
        request.refresh_from_db()
    if automatic:
        # Imported here: handling calls request_route when the last body refuses.
        from relais.frontdoor.services.handling import request_assign

        request.save(update_fields=["routing", "updated_at"])
        request_assign(actor=None, request=request, bodies=proposed, automatic=True)
        request.refresh_from_db()
        if request.critical:
            notify_moderators(
                request.network,
                title=_("Événement critique : %(subject)s (%(code)s)")
                % {"subject": request.subject, "code": request.tracking_code},
                url=request_url(request),
            )
        return request
    request.state = request.compute_state(None if alerted else assignments)
    request.save(update_fields=["routing", "state", "updated_at"])
    url = request_url(request)
    if request.critical and reason != "refused":
        # A critical event does not wait: the dispatchers and the moderators are alerted now.
        notify_moderators(
            request.network,
            title=_("Événement critique : %(subject)s (%(code)s)")
            % {"subject": request.subject, "code": request.tracking_code},
            url=url,
        )
    if request.state == RequestState.TO_DISPATCH:
        log_event(request, "queued", _("Demande placée dans la file du répartiteur"), actor=actor)
        log_interaction(
            request,
            "frontdoor.request.queued",
            _("Demande %(code)s à répartir") % {"code": request.tracking_code},
            direction="internal",
            actor=actor,
        )
        notify_dispatchers(
            request,
            title=(
                _("Événement critique à répartir : %(code)s")
                if request.critical
                else _("Demande à répartir : %(code)s")
            )
            % {"code": request.tracking_code},
            url=url,
        )
    elif alerted:
        # The catalogue's bodies hold it; the dispatcher adds any other competent body.
        notify_dispatchers(
            request,
            title=_("Événement critique transmis à %(bodies)s : %(code)s")
            % {"bodies": ", ".join(b.code for b in alerted), "code": request.tracking_code},
            url=url,
        )
    audit_log(
        actor=actor,
        action="frontdoor.request.route",
        target=request,
        after={"routing": request.routing},
    )
    return request
