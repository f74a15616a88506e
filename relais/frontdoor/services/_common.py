"""What every front-door service does after its write: history, interaction log, notices."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from relais.core.interactions.services import record, record_batch
from relais.core.notifications.services import notify
from relais.frontdoor.models import Body, Referent, Request, RequestEvent

# Backfilling (the demo, an import of past requests): services date their steps at the
# moment given here instead of now, and send no e-mail nor notification.
_BACKFILL_AT: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "frontdoor_backfill_at", default=None
)


def request_url(request: Request) -> str:
    """The staff page of ``request``, where notices and reminders point."""
    return reverse("frontdoor:request-detail", args=[request.public_id])


def locked_request(request: Request) -> Request:
    """The request row, locked for the rest of the transaction (PostgreSQL; SQLite writes
    are serialized anyway), with fresh values."""
    return Request.objects.select_for_update().select_related("network").get(pk=request.pk)


def now() -> datetime.datetime:
    """The moment a service dates its step: now, or the backfilled moment."""
    return _BACKFILL_AT.get() or timezone.now()


def backfilling() -> bool:
    return _BACKFILL_AT.get() is not None


@contextlib.contextmanager
def backfill(at: datetime.datetime):
    """Run services as if at ``at`` (timezone-aware), silently: for loading past requests."""
    if at.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required.")
    token = _BACKFILL_AT.set(at)
    try:
        yield
    finally:
        _BACKFILL_AT.reset(token)


# Unambiguous letters and digits (no 0/O, 1/I/L): read over the phone, typed from a letter.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code(rng=None) -> str:
    """``GU-XXXX-XXXX``: 40 bits of randomness, unique in practice (checked by the caller)."""
    choice = rng.choice if rng is not None else secrets.choice
    chars = "".join(choice(TRACKING_ALPHABET) for _ in range(8))
    return f"GU-{chars[:4]}-{chars[4:]}"


def log_event(
    request: Request,
    code: str,
    label: str,
    *,
    actor=None,
    body: Body | None = None,
    private_to: Body | None = None,
    at=None,
    **data,
) -> RequestEvent:
    """One line of the request's automatic history."""
    return RequestEvent.objects.create(
        request=request,
        at=at or now(),
        code=code,
        label=str(label)[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        body=body,
        private_to=private_to,
        data=data,
    )


# Interactions logged inside ``interactions_batched()``: written at once when it ends.
_BATCH: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "frontdoor_interaction_batch", default=None
)


@contextlib.contextmanager
def interactions_batched():
    """Collect the interaction-log steps of one service call and write them in one statement
    when it ends (``record_batch``: the checks ``record`` makes, without a ``full_clean`` and
    five existence queries per row). A request's intake logs three or four steps: this was a
    third of its queries. Use inside the service's transaction; nested uses join the outer
    batch; nothing is written if the block raises."""
    if _BATCH.get() is not None:
        yield
        return
    entries: list[tuple[Request, dict]] = []
    token = _BATCH.set(entries)
    try:
        yield
    finally:
        _BATCH.reset(token)
    by_workspace: dict[int, tuple] = {}
    for request, entry in entries:
        by_workspace.setdefault(request.workspace_id, (request.workspace, []))[1].append(entry)
    for workspace, rows in by_workspace.values():
        record_batch(workspace=workspace, entries=rows, source_model=Request)


def log_interaction(
    request: Request,
    event_code: str,
    topic: str,
    *,
    direction: str,
    actor=None,
    channel: str | None = None,
    outcome: str = "",
    at=None,
):
    """The step in the kernel's interaction log, keyed by the request's tracking code.

    Only what every reader of the log may see: the topic names the step and the bodies,
    never a private note's text nor the request's text."""
    visitor_key = "" if (request.person_id or request.company_id) else request.tracking_code
    batch = _BATCH.get()
    if batch is not None:
        batch.append(
            (
                request,
                {
                    "event_code": event_code,
                    "channel": channel or request.channel,
                    "direction": direction,
                    "topic": str(topic),
                    "person_id": request.person_id,
                    "company_id": request.company_id,
                    "visitor_key": visitor_key,
                    "case_key": request.tracking_code,
                    "started_at": at or now(),
                    "actor_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
                    "outcome": outcome,
                    "source_id": request.pk,
                },
            )
        )
        return None
    return record(
        workspace=request.workspace,
        event_code=event_code,
        channel=channel or request.channel,
        direction=direction,
        topic=str(topic),
        person=request.person,
        company=request.company,
        visitor_key=visitor_key,
        case_key=request.tracking_code,
        started_at=at or now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        outcome=outcome,
        source=request,
    )


def requester_email(request: Request) -> str:
    return (request.person.email if request.person_id else "") or (
        request.company.email if request.company_id else ""
    )


def mail_requester(
    request: Request, template: str, context: dict, subject: str, *, automatic: bool = True
) -> bool:
    """E-mail the requester after commit, through Django's mail backend; False without an
    address, or when a bounce marked it undeliverable.

    The e-mail is recorded (``MailMessage``) with its Message-ID, answers the requester's
    last e-mail and gives the network's inbox as reply address: their reply is threaded
    into the request. ``automatic``: written by Relais, not by a referent (RFC 3834)."""
    from relais.frontdoor.mail.outbound import new_message_id, thread_headers
    from relais.frontdoor.models import MailDirection, MailKind, MailMessage

    address = requester_email(request)
    if not address or request.email_undeliverable_at:
        return False
    if backfilling():
        return True
    body = render_to_string(template, {"request_obj": request, **context})
    sender = request.network.contact_email or settings.DEFAULT_FROM_EMAIL
    message_id = new_message_id(request.network)
    headers = thread_headers(request, message_id=message_id, automatic=automatic)
    MailMessage.objects.create(
        network=request.network,
        request=request,
        direction=MailDirection.OUTBOUND,
        kind=MailKind.NOTICE,
        message_id=message_id,
        in_reply_to=headers.get("In-Reply-To", ""),
        sender=sender[:254],
        recipients=address[:1000],
        subject=str(subject)[:300],
        size=len(body),
        at=now(),
    )
    email = EmailMessage(
        str(subject), body, sender, [address], reply_to=[headers.pop("Reply-To")], headers=headers
    )
    transaction.on_commit(lambda: email.send(fail_silently=False))
    return True


def notify_body(body: Body, *, title: str, url: str, exclude=None) -> None:
    """Notify the body's active referents (kernel notifications, after commit)."""
    if backfilling():
        return
    referents = Referent.objects.filter(body=body, active=True).select_related("user")
    for referent in referents:
        if exclude is not None and referent.user_id == exclude.pk:
            continue
        notify(
            recipient=referent.user,
            title=str(title),
            url=url,
            category="frontdoor.request",
            workspace=None,
        )


def notify_dispatchers(request: Request, *, title: str, url: str) -> None:
    if backfilling():
        return
    referents = Referent.objects.filter(
        body__network=request.network, active=True, is_dispatcher=True
    ).select_related("user")
    for referent in referents:
        notify(recipient=referent.user, title=str(title), url=url, category="frontdoor.queue")


def notify_moderators(network, *, title: str, url: str) -> None:
    """Notify the network's moderators (roles granting the moderation in its host)."""
    if backfilling():
        return
    from relais.core.accounts.models import User
    from relais.core.accounts.permissions import roles_granting
    from relais.frontdoor import permissions as perms

    moderators = User.objects.filter(
        is_active=True,
        organization_memberships__organization=network.organization,
        organization_memberships__role__in=roles_granting(perms.MODERATE),
    ).distinct()
    for user in moderators:
        notify(recipient=user, title=str(title), url=url, category="frontdoor.critical")
