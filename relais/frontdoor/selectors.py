"""Reads of the front door, with the access checks (``access``): a selector returns only
what ``user`` may see. A request the user may not read is reported as not found."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.models import User
from relais.core.accounts.selectors import organization_ids_of_user
from relais.core.exceptions import NotFound, parse_public_id
from relais.frontdoor import access, clocks
from relais.frontdoor.models import (
    OPEN_STATES,
    Body,
    Message,
    Network,
    Request,
    RequestAssignment,
    RequestEvent,
    RequestState,
    Visibility,
)


def user_in_a_network(user) -> bool:
    """Whether ``user`` works in a front-door network: a referent of one of its bodies, or a
    role in its host organization or in one of its bodies' organizations (the staff
    navigation shows the front door to them only)."""
    if user.is_superuser:
        return True
    # Asked by the navigation of every page: once per user object (so once per request).
    cached = getattr(user, "_relais_in_a_network", None)
    if cached is None:
        organizations = organization_ids_of_user(user)
        cached = Network.objects.filter(
            Q(organization_id__in=organizations)
            | Q(organizations__in=organizations)
            | Q(bodies__referents__user=user)
        ).exists()
        user._relais_in_a_network = cached
    return cached


def requests_visible(*, user) -> QuerySet[Request]:
    """Every request ``user`` may read (see ``access.visible_requests_q``)."""
    ids = Request.objects.filter(access.visible_requests_q(user)).values("pk")
    return Request.objects.filter(pk__in=ids)


def request_list(*, user, state: str = "", q: str = "", mine: bool = False) -> QuerySet[Request]:
    """The requests ``user`` may read, newest first, filtered by state (a ``RequestState``
    or ``open``), by words of the tracking code or subject, and to those a body of theirs
    holds (``mine``)."""
    requests = requests_visible(user=user)
    if state == "open":
        requests = requests.filter(state__in=OPEN_STATES)
    elif state in RequestState.values:
        requests = requests.filter(state=state)
    if q:
        q = q.strip()[:100]
        requests = requests.filter(Q(tracking_code__iexact=q) | Q(subject__icontains=q))
    if mine:
        requests = requests.filter(
            assignments__body__in=access.bodies_of(user),
            assignments__state__in=["pending", "accepted"],
        ).distinct()
    return requests.select_related("network", "company").prefetch_related(
        Prefetch("assignments", queryset=RequestAssignment.objects.select_related("body"))
    )


def request_get(*, user, public_id) -> Request:
    """The request ``public_id`` if ``user`` may read it, else ``NotFound``."""
    public_id = parse_public_id(public_id)
    found = (
        Request.objects.filter(public_id=public_id)
        .select_related("network", "first_body", "company", "person")
        .first()
        if public_id
        else None
    )
    if found is None or not access.can_read(user, found):
        raise NotFound(_("Demande introuvable."))
    return found


def messages_for(*, user, request: Request) -> QuerySet[Message]:
    """The thread as ``user`` reads it: shared and internal posts, and the private notes
    of the user's own bodies only."""
    own = access.bodies_of(user)
    return (
        request.messages.filter(~Q(visibility=Visibility.PRIVATE) | Q(body__in=own))
        .select_related("author", "body")
        .order_by("created_at", "id")
    )


def events_for(*, user, request: Request) -> QuerySet[RequestEvent]:
    own = access.bodies_of(user)
    return (
        request.events.filter(Q(private_to__isnull=True) | Q(private_to__in=own))
        .select_related("actor", "body")
        .order_by("at", "id")
    )


def assignments_for(*, request: Request) -> list[RequestAssignment]:
    return list(
        request.assignments.select_related(
            "body__organization", "handled_by", "acknowledged_by", "transferred_from__body"
        )
    )


@dataclass
class RequestView:
    """Everything the request page shows to one user."""

    request: Request
    assignments: list
    clocks: list
    messages: list
    events: list
    answers: list
    handling_bodies: list
    can_dispatch: bool
    can_moderate: bool
    network_bodies: list
    company_requests: list
    first_body_mine: bool = False


def request_view(*, user, public_id) -> RequestView:
    request = request_get(user=user, public_id=public_id)
    assignments = assignments_for(request=request)
    return RequestView(
        request=request,
        assignments=assignments,
        clocks=clocks.request_clocks(request, assignments),
        messages=list(messages_for(user=user, request=request)),
        events=list(events_for(user=user, request=request)),
        answers=list(
            request.answers.select_related("body", "author").prefetch_related("joint_bodies")
        ),
        handling_bodies=access.handling_bodies(user, request),
        can_dispatch=access.can_dispatch(user, request.network),
        can_moderate=access.can_moderate(user, request.network),
        network_bodies=list(request.network.bodies.filter(active=True)),
        # « Dites-le-nous une fois » : what the network already knows of the company.
        company_requests=list(
            requests_visible(user=user)
            .filter(company_id=request.company_id)
            .exclude(pk=request.pk)
            .order_by("-received_at")[:10]
        )
        if request.company_id
        else [],
        first_body_mine=bool(request.first_body_id)
        and access.bodies_of(user).filter(pk=request.first_body_id).exists(),
    )


def assignment_get(*, user, request: Request, body_code: str) -> RequestAssignment:
    """The active assignment of ``request`` to the body ``body_code`` that ``user`` acts for."""
    found = (
        request.assignments.filter(
            body__code=body_code,
            body__in=access.bodies_of(user, "frontdoor.request.handle"),
            state__in=["pending", "accepted", "answered"],
        )
        .select_related("body__organization", "request__network")
        .first()
    )
    if found is None:
        raise NotFound(_("Orientation introuvable."))
    return found


def body_in_network(*, network: Network, code: str) -> Body:
    found = network.bodies.filter(code=code, active=True).first()
    if found is None:
        raise NotFound(_("Organisme introuvable dans ce réseau."))
    return found


def dispatch_queue(*, user) -> QuerySet[Request]:
    """The requests waiting for a dispatcher, oldest first, in the networks ``user``
    dispatches; critical ones first."""
    return (
        Request.objects.filter(
            network__in=access.dispatch_networks(user).values("pk"),
            state=RequestState.TO_DISPATCH,
        )
        .select_related("network", "company")
        .order_by("-critical", "received_at", "id")
    )


# --- the moderator's board --------------------------------------------------------------


@dataclass
class BoardRow:
    label: str
    open: int
    due_soon: int
    overdue: int
    unassigned: int
    waiting: int


def board(*, user, network: Network | None = None, priority: str = "") -> dict:
    """Counts per body and per referent for the networks ``user`` moderates: open, due soon
    (resolution within ``network.due_soon_days`` working days), overdue, unassigned (in the
    queue), waiting for the requester. Aggregated in the database."""
    networks = access.moderated_networks(user)
    if network is not None:
        networks = networks.filter(pk=network.pk)
    networks = list(networks)
    if not networks:
        return {"networks": [], "bodies": [], "referents": [], "totals": None}
    today = clocks.local_date(timezone.now())
    calendar = clocks.network_calendar()
    soon_days = max(n.due_soon_days for n in networks)
    soon = calendar.add_working_days(today, soon_days)
    open_requests = Request.objects.filter(network__in=networks, state__in=OPEN_STATES)
    if priority:
        open_requests = open_requests.filter(priority=priority)
    totals = open_requests.aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(resolution_due__gte=today, resolution_due__lte=soon)),
        overdue=Count("pk", filter=Q(resolution_due__lt=today)),
        unassigned=Count("pk", filter=Q(state=RequestState.TO_DISPATCH)),
        waiting=Count("pk", filter=Q(state=RequestState.WAITING)),
    )
    # One grouped query over the active assignments, by body and referent: a body holds a
    # request once (``frontdoor_one_active_assignment_per_body``), so the counts add up
    # without DISTINCT and the per-body rows are sums of the per-referent ones.
    active = RequestAssignment.objects.filter(
        request__network__in=networks,
        request__state__in=OPEN_STATES,
        state__in=["pending", "accepted"],
    )
    if priority:
        active = active.filter(request__priority=priority)
    grouped = (
        active.values("body_id", "handled_by_id")
        .annotate(
            open=Count("pk"),
            due_soon=Count("pk", filter=Q(resolution_due__gte=today, resolution_due__lte=soon)),
            overdue=Count("pk", filter=Q(resolution_due__lt=today)),
            waiting=Count("pk", filter=Q(request__state=RequestState.WAITING)),
            pending=Count("pk", filter=Q(state="pending")),
            oldest=Min("received_at"),
        )
        .order_by()
    )
    counters = ("open", "due_soon", "overdue", "waiting", "pending")
    bodies = {
        body.pk: body
        for body in Body.objects.filter(network__in=networks).select_related("network")
    }
    per_body: dict[int, dict] = {}
    per_referent = []
    for group in grouped:
        body = bodies[group["body_id"]]
        row = per_body.setdefault(
            body.pk,
            {
                "body__network__name": body.network.name,
                "body__code": body.code,
                "body__name": body.name,
                **dict.fromkeys(counters, 0),
                "oldest": group["oldest"],
            },
        )
        for counter in counters:
            row[counter] += group[counter]
        row["oldest"] = min(row["oldest"], group["oldest"])
        if group["handled_by_id"] is not None:
            per_referent.append(group)
    users = {
        user.pk: user
        for user in User.objects.filter(
            pk__in={group["handled_by_id"] for group in per_referent}
        ).only("username", "first_name", "last_name")
    }
    referents = [
        {
            "body__code": bodies[group["body_id"]].code,
            "handled_by__username": users[group["handled_by_id"]].username,
            "handled_by__first_name": users[group["handled_by_id"]].first_name,
            "handled_by__last_name": users[group["handled_by_id"]].last_name,
            **{key: group[key] for key in (*counters, "oldest")},
        }
        for group in per_referent
    ]
    return {
        "networks": networks,
        "totals": totals,
        "bodies": sorted(
            per_body.values(),
            key=lambda row: (row["body__network__name"], row["body__code"], row["body__name"]),
        ),
        "referents": sorted(
            referents,
            key=lambda row: (
                row["body__code"],
                row["handled_by__username"],
                row["handled_by__first_name"],
                row["handled_by__last_name"],
            ),
        ),
        "today": today,
        "soon": soon,
    }


def board_requests(
    *, user, state: str = "", priority: str = "", body_code: str = ""
) -> QuerySet[Request]:
    """The open requests of the networks ``user`` moderates, filtered by the board's
    columns (``due_soon``, ``overdue``, ``unassigned``, ``waiting`` or ``open``), by a body
    holding them (``body_code``) and by priority, the most
    urgent first."""
    networks = access.moderated_networks(user)
    requests = Request.objects.filter(network__in=networks, state__in=OPEN_STATES)
    today = clocks.local_date(timezone.now())
    if state == "overdue":
        requests = requests.filter(resolution_due__lt=today)
    elif state == "due_soon":
        days = max((n.due_soon_days for n in networks), default=2)
        soon = clocks.network_calendar().add_working_days(today, days)
        requests = requests.filter(resolution_due__gte=today, resolution_due__lte=soon)
    elif state == "unassigned":
        requests = requests.filter(state=RequestState.TO_DISPATCH)
    elif state == "waiting":
        requests = requests.filter(state=RequestState.WAITING)
    if priority:
        requests = requests.filter(priority=priority)
    if body_code:
        requests = requests.filter(
            assignments__body__code=body_code, assignments__state__in=["pending", "accepted"]
        ).distinct()
    return (
        requests.select_related("network", "company")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=RequestAssignment.objects.select_related("body", "handled_by"),
            )
        )
        .order_by("resolution_due", "received_at", "id")
    )


def request_by_tracking(*, tracking_code: str, email: str) -> Request | None:
    """The public tracking look-up: the request whose code and requester's e-mail both
    match (the code alone would reveal a stranger's request); ``None`` otherwise."""
    code = (tracking_code or "").strip().upper()
    email = (email or "").strip()
    if not code or not email:
        return None
    return (
        Request.objects.filter(tracking_code=code)
        .filter(Q(person__email__iexact=email) | Q(company__email__iexact=email))
        .select_related("network")
        .first()
    )


def public_thread(*, request: Request) -> dict:
    """What the requester sees: state, the bodies handling, shared messages, answers."""
    return {
        "bodies": [
            a.body
            for a in request.assignments.filter(state__in=["accepted", "answered"]).select_related(
                "body"
            )
        ],
        "shared_messages": list(
            request.messages.filter(visibility=Visibility.SHARED).select_related("body")
        ),
        "answers": list(request.answers.select_related("body").prefetch_related("joint_bodies")),
    }


def today() -> datetime.date:
    return clocks.local_date(timezone.now())


def network_for_host(*, organization) -> Network | None:
    """The network whose public form a host shows: the one its organization hosts or
    belongs to as a body, else the only network (``None`` when there is none or several)."""
    if organization is not None:
        found = (
            Network.objects.filter(
                Q(organization=organization) | Q(bodies__organization=organization)
            )
            .order_by("pk")
            .first()
        )
        if found is not None:
            return found
    networks = list(Network.objects.order_by("pk")[:2])
    return networks[0] if len(networks) == 1 else None


def moderated_bodies(*, user) -> QuerySet[Body]:
    """The bodies of the networks ``user`` moderates (the board's filter)."""
    return Body.objects.filter(network__in=access.moderated_networks(user), active=True).order_by(
        "code"
    )


def intake_bodies(*, user) -> QuerySet[Body]:
    """The bodies for which ``user`` may enter a request (phone, counter, letter)."""
    return access.bodies_of(user, "frontdoor.request.create").select_related("network")


# --- e-mail, files and answer templates --------------------------------------------------


def network_for_inbox(*, addresses) -> Network | None:
    """The network receiving e-mail at one of ``addresses``: the one whose inbox it is, else
    the only network when the address is the site-wide inbox (``FRONTDOOR_INBOX_ADDRESS``)."""
    from email.utils import parseaddr

    from django.conf import settings

    wanted = [parseaddr(a)[1].strip().lower() for a in addresses if a]
    wanted = [a for a in wanted if a]
    if not wanted:
        return None
    found = Network.objects.filter(inbox_address__in=wanted).order_by("pk").first()
    if found is None:
        inbox_query = Q()
        for address in wanted:
            inbox_query |= Q(inbox_address__iexact=address)
        found = Network.objects.filter(inbox_query).order_by("pk").first()
    if found is not None:
        return found
    if settings.FRONTDOOR_INBOX_ADDRESS.lower() in wanted:
        networks = list(Network.objects.filter(inbox_address="").order_by("pk")[:2])
        return networks[0] if len(networks) == 1 else None
    return None


def _attachments_visible_q(user) -> Q:
    """Files of a message: as the message (a private note's stay with its body); the others
    as their request."""
    own = access.bodies_of(user)
    return (
        Q(message__isnull=True)
        | ~Q(message__visibility=Visibility.PRIVATE)
        | Q(message__body__in=own)
    )


def attachments_for(*, user, request: Request):
    """The files of ``request`` that ``user`` reads (the caller read the request through
    ``request_get``), oldest first."""
    from relais.frontdoor.models import Attachment

    return (
        Attachment.objects.filter(request=request)
        .filter(_attachments_visible_q(user))
        .select_related("message", "answer", "uploaded_by")
        .order_by("created_at", "id")
    )


def attachment_get(*, user, public_id):
    """A file ``user`` may download: one of a request they read (not a private note of
    another body), or a scanned letter they uploaded and have not entered yet."""
    from relais.frontdoor.models import Attachment

    public_id = parse_public_id(public_id)
    found = (
        Attachment.objects.filter(public_id=public_id)
        .select_related("request__network", "message")
        .first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound(_("Pièce jointe introuvable."))
    if found.request_id is None:
        if found.uploaded_by_id != getattr(user, "pk", None):
            raise NotFound(_("Pièce jointe introuvable."))
        return found
    if not access.can_read(user, found.request):
        raise NotFound(_("Pièce jointe introuvable."))
    if not Attachment.objects.filter(pk=found.pk).filter(_attachments_visible_q(user)).exists():
        raise NotFound(_("Pièce jointe introuvable."))
    return found


def pending_letter_get(*, user, public_id):
    """A scanned letter ``user`` uploaded that no request holds yet."""
    from relais.frontdoor.models import Attachment, AttachmentKind

    public_id = parse_public_id(public_id)
    found = (
        Attachment.objects.filter(
            public_id=public_id,
            request__isnull=True,
            kind=AttachmentKind.LETTER,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        ).first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound(_("Courrier introuvable."))
    return found


def mails_for(*, request: Request):
    """The e-mails received and sent for ``request`` (the caller read it), oldest first."""
    return request.mails.order_by("at", "id")


def answer_templates_for_request(*, user, request: Request):
    """The active answer templates of the bodies for which ``user`` answers ``request``."""
    from relais.frontdoor.models import AnswerTemplate

    return (
        AnswerTemplate.objects.filter(body__in=access.handling_bodies(user, request), active=True)
        .select_related("body")
        .order_by("body__code", "name")
    )


def answer_template_for_request(*, user, request: Request, public_id):
    found = (
        answer_templates_for_request(user=user, request=request)
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if found is None:
        raise NotFound(_("Modèle de réponse introuvable."))
    return found


def template_bodies(*, user) -> QuerySet[Body]:
    """The bodies whose answer templates ``user`` keeps (supervisors and moderators)."""
    return access.bodies_of(user, "frontdoor.answer_template.manage").order_by("code")


def answer_templates_managed(*, user):
    from relais.frontdoor.models import AnswerTemplate

    return (
        AnswerTemplate.objects.filter(body__in=template_bodies(user=user))
        .select_related("body", "updated_by")
        .order_by("body__code", "name")
    )


def answer_template_managed_get(*, user, public_id):
    found = answer_templates_managed(user=user).filter(public_id=parse_public_id(public_id)).first()
    if found is None:
        raise NotFound(_("Modèle de réponse introuvable."))
    return found


# --- joint answers (co-signed drafts) -------------------------------------------------------


def joint_answers_for(*, user, request: Request) -> QuerySet:
    """The joint answers of ``request`` that ``user`` reads: those their bodies drafted or
    co-sign, and all of them for a moderator of the network. A body seized of the request
    but not party to a joint answer does not read its draft nor the comments on it."""
    from relais.frontdoor.models import JointAnswer

    found = JointAnswer.objects.filter(request=request)
    if not access.can_moderate(user, request.network):
        own = access.bodies_of(user)
        found = found.filter(Q(body__in=own) | Q(cosignatures__body__in=own)).distinct()
    return found.select_related("body", "author", "request").prefetch_related(
        "cosignatures__body", "cosignatures__decided_by"
    )


@dataclass
class JointAnswerRow:
    """A joint answer as the request page shows it to one user, with what they may do."""

    joint: object
    signatures: list
    can_decide: bool
    can_edit: bool


def joint_answer_rows(*, user, request: Request) -> list[JointAnswerRow]:
    """``joint_answers_for`` with, for each draft, whether ``user`` decides for a
    co-signing body whose approval is awaited, or edits it for the drafting body."""
    from relais.frontdoor import permissions as perms
    from relais.frontdoor.models import CoSignatureDecision

    handling = set(access.bodies_of(user, perms.HANDLE).values_list("pk", flat=True))
    rows = []
    for joint in joint_answers_for(user=user, request=request):
        signatures = list(joint.cosignatures.all())
        draft = joint.is_draft and not request.closed_at
        rows.append(
            JointAnswerRow(
                joint=joint,
                signatures=signatures,
                can_decide=draft
                and any(
                    s.body_id in handling
                    and not (
                        s.decision == CoSignatureDecision.APPROVED and s.version == joint.version
                    )
                    for s in signatures
                ),
                can_edit=draft and joint.body_id in handling,
            )
        )
    return rows


# --- the requester's files on the tracking page ---------------------------------------------


def _requester_files_q() -> Q:
    """Files the requester sent (their e-mails' attachments, their scanned letter) or that
    were sent to them (the acknowledgement and answer letters, files of a message shared
    with them); never a file of an internal message nor of a body's private note."""
    from relais.frontdoor.models import AttachmentKind

    sent_by_them = Q(kind__in=[AttachmentKind.EMAIL, AttachmentKind.LETTER])
    sent_to_them = Q(kind__in=[AttachmentKind.ACKNOWLEDGEMENT, AttachmentKind.ANSWER_LETTER]) | Q(
        kind=AttachmentKind.UPLOAD, message__visibility=Visibility.SHARED
    )
    return sent_by_them | sent_to_them


def requester_attachments(*, request: Request) -> dict:
    """The files the tracking page lists for ``request`` (the caller proved the tracking
    code and e-mail): ``{"sent": [...], "received": [...]}``, oldest first."""
    from relais.frontdoor.models import Attachment, AttachmentKind

    files = list(
        Attachment.objects.filter(request=request)
        .filter(_requester_files_q())
        .order_by("created_at", "id")
    )
    mine = (AttachmentKind.EMAIL, AttachmentKind.LETTER)
    return {
        "sent": [f for f in files if f.kind in mine],
        "received": [f for f in files if f.kind not in mine],
    }


def requester_attachment_get(*, request: Request, public_id):
    """One file of ``requester_attachments`` by its id, else ``NotFound`` (another
    request's file, an internal one, an unknown id: the same answer)."""
    from relais.frontdoor.models import Attachment

    public_id = parse_public_id(public_id)
    found = (
        Attachment.objects.filter(request=request, public_id=public_id)
        .filter(_requester_files_q())
        .first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound(_("Pièce jointe introuvable."))
    return found
