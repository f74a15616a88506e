"""E-mail intake: what the network's inbox does with each message its SMTP server receives.

* a new e-mail becomes a request (``request_submit``, channel e-mail), its files kept;
* a reply (``In-Reply-To``/``References`` naming an e-mail of the request, or the tracking code
  in the subject from the requester's own address) joins the request's thread;
* a bounce (a delivery status notification, or a message from the null sender) marks the
  requester's address undeliverable on the request it came back for and tells the referents:
  never a new request;
* an auto-reply (out-of-office, ``Auto-Submitted``) is recorded and never answered: no loop.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.frontdoor.mail.outbound import inbox_address
from relais.frontdoor.mail.parse import ParsedMail, parse, sender_names, without_quoted_reply
from relais.frontdoor.models import (
    ACTIVE_ASSIGNMENT_STATES,
    AttachmentKind,
    MailDirection,
    MailKind,
    MailMessage,
    Message,
    Network,
    Request,
    RequestChannel,
    Visibility,
)
from relais.frontdoor.services._common import (
    log_event,
    log_interaction,
    mail_requester,
    notify_body,
    notify_dispatchers,
    request_url,
    requester_email,
)
from relais.frontdoor.services._common import now as _now
from relais.frontdoor.services.attachments import CheckedFile, attachment_check, attachment_store

TEXT_MAX = 10_000


@dataclass
class MailOutcome:
    """What became of one received e-mail (``kind``: a ``MailKind``)."""

    kind: str
    request: Request | None
    mail: MailMessage | None
    refused_files: list[str] = field(default_factory=list)


def _record(network, parsed: ParsedMail, *, kind: str, request=None, size=0, note="", at=None):
    return MailMessage.objects.create(
        network=network,
        request=request,
        direction=MailDirection.INBOUND,
        kind=kind,
        message_id=parsed.message_id[:255],
        in_reply_to=parsed.in_reply_to[:255],
        sender=parsed.sender[:254],
        recipients="",
        subject=parsed.subject[:300],
        size=size,
        note=note[:300],
        at=at or _now(),
    )


def _own_addresses(network: Network) -> set[str]:
    from email.utils import parseaddr

    addresses = {inbox_address(network), network.contact_email, settings.DEFAULT_FROM_EMAIL}
    return {parseaddr(a)[1].lower() for a in addresses if a}


def _thread_of(network: Network, parsed: ParsedMail) -> Request | None:
    """The request an e-mail replies to: an e-mail of the request named by ``In-Reply-To``
    or ``References``, else the tracking code in the subject when the sender is the
    requester (a code alone would let a stranger write into someone's request)."""
    ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
    if ids:
        found = (
            MailMessage.objects.filter(network=network, message_id__in=ids, request__isnull=False)
            .select_related("request")
            .order_by("-at", "-id")
            .first()
        )
        if found is not None:
            return found.request
    for code in parsed.tracking_codes:
        request = (
            Request.objects.filter(network=network, tracking_code=code)
            .select_related("person", "company", "network")
            .first()
        )
        if request is not None and requester_email(request).lower() == parsed.sender:
            return request
    return None


def _bounced_request(network: Network, parsed: ParsedMail) -> Request | None:
    """The request whose e-mail came back: by the returned Message-ID, else the tracking
    code the bounce quotes, else the last e-mail sent to the failed recipient."""
    if parsed.bounced_message_ids:
        found = (
            MailMessage.objects.filter(
                network=network,
                direction=MailDirection.OUTBOUND,
                message_id__in=parsed.bounced_message_ids,
                request__isnull=False,
            )
            .select_related("request")
            .first()
        )
        if found is not None:
            return found.request
    if parsed.tracking_codes:
        found = Request.objects.filter(
            network=network, tracking_code__in=parsed.tracking_codes
        ).first()
        if found is not None:
            return found
    for recipient in parsed.bounced_recipients:
        found = (
            MailMessage.objects.filter(
                network=network,
                direction=MailDirection.OUTBOUND,
                recipients__iexact=recipient,
                request__isnull=False,
            )
            .select_related("request")
            .order_by("-at", "-id")
            .first()
        )
        if found is not None:
            return found.request
    return None


def _notify_holders(request: Request, title: str) -> None:
    url = request_url(request)
    bodies = [
        a.body
        for a in request.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related(
            "body"
        )
    ]
    for body in bodies:
        notify_body(body, title=title, url=url)
    if not bodies:
        notify_dispatchers(request, title=title, url=url)


def _checked_files(parsed: ParsedMail) -> tuple[list[CheckedFile], list[str]]:
    """The files kept (checked one by one, at most the configured number) and a French
    line for each refused one."""
    kept, refused = [], []
    limit = settings.FRONTDOOR_ATTACHMENT_MAX_COUNT
    for item in parsed.files:
        if len(kept) >= limit:
            refused.append(
                _("« %(name)s » : %(max)s pièces jointes au plus par e-mail.")
                % {"name": item.filename, "max": limit}
            )
            continue
        try:
            kept.append(attachment_check(item.filename, item.data))
        except ValidationError as error:
            refused.extend(error.messages)
    return kept, refused


def _keep_files(request, mail, kept, refused, *, message=None) -> None:
    for item in kept:
        attachment_store(
            checked=item, kind=AttachmentKind.EMAIL, request=request, message=message, mail=mail
        )
    if kept:
        log_event(
            request,
            "attachment.added",
            _("Pièces jointes reçues par e-mail : %(names)s")
            % {"names": ", ".join(f.filename for f in kept)},
        )
    if refused:
        log_event(
            request,
            "attachment.refused",
            _("Pièces jointes refusées : %(reasons)s") % {"reasons": " ; ".join(refused)},
        )
        mail_requester(
            request,
            "frontdoor/email/attachments_refused.txt",
            {"refused": refused},
            _("Pièces jointes non conservées pour votre demande %(code)s")
            % {"code": request.tracking_code},
        )


@transaction.atomic
def mail_receive(
    *,
    raw: bytes,
    envelope_sender: str,
    recipients: list[str],
    received_at: datetime.datetime | None = None,
) -> MailOutcome:
    """Take in one e-mail received by the SMTP server (``raw``: the DATA of the
    transaction) for the network whose inbox is among ``recipients``.

    Raises ``ValidationError`` (French) when no network receives at these addresses or the
    sender is unusable; the SMTP server then refuses the message."""
    from relais.frontdoor.selectors import network_for_inbox
    from relais.frontdoor.services.intake import request_submit

    network = network_for_inbox(addresses=recipients)
    if network is None:
        raise ValidationError(_("Aucun guichet unique ne reçoit à cette adresse."))
    parsed = parse(raw, envelope_sender=envelope_sender)
    at = received_at or _now()
    if (
        parsed.message_id
        and MailMessage.objects.filter(
            network=network, direction=MailDirection.INBOUND, message_id=parsed.message_id
        ).exists()
    ):
        # The same e-mail delivered twice (a retry after a lost "250"): taken in once.
        return MailOutcome(kind=MailKind.IGNORED, request=None, mail=None)
    if parsed.is_bounce:
        return _bounce(network, parsed, size=len(raw), at=at)
    if parsed.sender in _own_addresses(network):
        mail = _record(
            network, parsed, kind=MailKind.IGNORED, size=len(raw), note="own address", at=at
        )
        return MailOutcome(kind=MailKind.IGNORED, request=None, mail=mail)
    thread = _thread_of(network, parsed)
    if parsed.is_auto_reply:
        return _auto_reply(network, parsed, thread, size=len(raw), at=at)
    if not parsed.sender:
        raise ValidationError(_("Expéditeur absent : le message ne peut être traité."))
    kept, refused = _checked_files(parsed)
    if thread is not None:
        return _reply(thread, parsed, kept, refused, size=len(raw), at=at)
    mail = _record(network, parsed, kind=MailKind.REQUEST, size=len(raw), at=at)
    first_name, last_name = sender_names(parsed)
    text = parsed.text or _("(message sans texte)")
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 40] + "\n" + _("[… texte tronqué]")
    request = request_submit(
        network=network,
        channel=RequestChannel.EMAIL,
        subject=parsed.subject[:200] or _("(sans objet)"),
        text=text,
        person={"email": parsed.sender, "first_name": first_name, "last_name": last_name},
        received_at=at,
        source_mail=mail,
    )
    _keep_files(request, mail, kept, refused)
    return MailOutcome(
        kind=MailKind.REQUEST,
        request=request,
        mail=mail,
        refused_files=refused,
    )


def _reply(request: Request, parsed: ParsedMail, kept, refused, *, size, at) -> MailOutcome:
    request = Request.objects.select_for_update().select_related("network").get(pk=request.pk)
    mail = _record(request.network, parsed, kind=MailKind.REPLY, request=request, size=size, at=at)
    text = without_quoted_reply(parsed.text) or _("(message sans texte)")
    message = Message(
        request=request,
        author=None,
        body=None,
        visibility=Visibility.SHARED,
        text=text[:TEXT_MAX],
    )
    message.full_clean(exclude=["author"])  # the requester writes: no staff author
    message.save()
    label = _("Réponse du demandeur reçue par e-mail")
    log_event(request, "mail.received", label, at=at)
    log_interaction(
        request,
        "frontdoor.mail.received",
        _("E-mail du demandeur sur la demande %(code)s") % {"code": request.tracking_code},
        direction="in",
        channel=RequestChannel.EMAIL,
        at=at,
    )
    if request.email_undeliverable_at is not None:
        # The requester wrote from the address: it works again.
        request.email_undeliverable_at = None
        request.save(update_fields=["email_undeliverable_at", "updated_at"])
    _keep_files(request, mail, kept, refused, message=message)
    if request.waiting_for_requester and not request.closed_at:
        request.waiting_for_requester = False
        request.state = request.compute_state()
        request.save(update_fields=["waiting_for_requester", "state", "updated_at"])
        log_event(request, "resumed", _("Reprise du traitement : le demandeur a répondu"), at=at)
    _notify_holders(
        request,
        _("Le demandeur a répondu sur la demande %(code)s") % {"code": request.tracking_code},
    )
    return MailOutcome(kind=MailKind.REPLY, request=request, mail=mail, refused_files=refused)


def _bounce(network: Network, parsed: ParsedMail, *, size, at) -> MailOutcome:
    request = _bounced_request(network, parsed)
    note = parsed.bounce_status or ""
    mail = _record(network, parsed, kind=MailKind.BOUNCE, request=request, size=size, note=note)
    if request is None:
        return MailOutcome(kind=MailKind.BOUNCE, request=None, mail=mail)
    request = Request.objects.select_for_update().get(pk=request.pk)
    address = requester_email(request)
    if request.email_undeliverable_at is None:
        request.email_undeliverable_at = at
        request.save(update_fields=["email_undeliverable_at", "updated_at"])
    label = _("Adresse e-mail du demandeur non distribuable (%(address)s)") % {
        "address": address or "?"
    }
    log_event(request, "mail.bounced", label, at=at, status=note)
    log_interaction(
        request,
        "frontdoor.mail.bounced",
        _("E-mail non distribué pour la demande %(code)s") % {"code": request.tracking_code},
        direction="in",
        channel=RequestChannel.EMAIL,
        at=at,
    )
    _notify_holders(
        request,
        _("E-mail non distribué : joignez le demandeur de %(code)s autrement")
        % {"code": request.tracking_code},
    )
    return MailOutcome(kind=MailKind.BOUNCE, request=request, mail=mail)


def _auto_reply(network, parsed: ParsedMail, request, *, size, at) -> MailOutcome:
    mail = _record(network, parsed, kind=MailKind.AUTO_REPLY, request=request, size=size, at=at)
    if request is not None:
        log_event(
            request,
            "mail.auto_reply",
            _("Réponse automatique du demandeur reçue (absence…) : rien ne lui est renvoyé"),
            at=at,
        )
    return MailOutcome(kind=MailKind.AUTO_REPLY, request=request, mail=mail)
