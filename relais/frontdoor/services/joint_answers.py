"""Joint answers: drafted by one body, co-signed by the others, then sent.

An answer in the name of several bodies used to leave at once, written by one of them.
Now it is a draft (``JointAnswer``) that each co-signing body's referents read in the
shared space and approve, or send back with a comment asking for a change; it goes to the
requester through their channel when every co-signing body approved the current version.
The drafting body may edit it (a new version: every approval is reset) or withdraw it.
Every step is in the request's history and in the interaction log (never the text of the
answer or of a comment there: only who did what); the co-signing bodies are notified.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied, NotFound
from relais.frontdoor import access
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Body,
    CoSignature,
    CoSignatureDecision,
    JointAnswer,
    JointAnswerState,
    Request,
)
from relais.frontdoor.services._common import (
    locked_request,
    log_event,
    log_interaction,
    notify_body,
    request_url,
)
from relais.frontdoor.services._common import now as _now
from relais.frontdoor.services.handling import (
    answer_channel,
    answer_checked,
    answer_record,
)

COMMENT_MAX = 2000


def _log(joint: JointAnswer, code: str, label: str, *, actor, body: Body, **data) -> None:
    log_event(joint.request, f"joint.{code}", label, actor=actor, body=body, **data)
    log_interaction(
        joint.request, f"frontdoor.answer.joint_{code}", label, direction="internal", actor=actor
    )


def _co_bodies(joint: JointAnswer) -> list[Body]:
    return [c.body for c in joint.cosignatures.select_related("body")]


def _notify(bodies: Iterable[Body], *, title: str, joint: JointAnswer, actor) -> None:
    for body in bodies:
        notify_body(body, title=title, url=request_url(joint.request), exclude=actor)


@transaction.atomic
def joint_answer_propose(
    *,
    actor,
    request: Request,
    text: str,
    co_bodies: Iterable[Body],
    body: Body | None = None,
    channel: str | None = None,
) -> JointAnswer:
    """Propose an answer in the name of ``body`` (a body ``actor`` holds the request for)
    and of ``co_bodies`` (bodies seized of the request); nothing is sent yet: each
    co-signing body approves it first (``joint_answer_decide``)."""
    request, body, text = answer_checked(actor=actor, request=request, text=text, body=body)
    request = locked_request(request)
    if request.closed_at:
        raise ValidationError(_("Cette demande est clôturée."))
    co_bodies = [b for b in dict.fromkeys(co_bodies) if b.pk != body.pk]
    if not co_bodies:
        raise ValidationError({"co_bodies": _("Choisissez au moins un organisme co-signataire.")})
    held = set(
        request.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list(
            "body_id", flat=True
        )
    )
    if any(b.pk not in held for b in co_bodies):
        raise ValidationError(
            {"co_bodies": _("Une réponse commune réunit des organismes saisis de la demande.")}
        )
    if request.joint_answers.filter(state=JointAnswerState.DRAFT).exists():
        raise ValidationError(
            _("Un projet de réponse commune attend déjà ses co-signatures : modifiez-le.")
        )
    channel = answer_channel(request, channel)
    joint = JointAnswer.objects.create(
        request=request, body=body, author=actor, text=text, channel=channel
    )
    CoSignature.objects.bulk_create(CoSignature(joint_answer=joint, body=b) for b in co_bodies)
    names = ", ".join(b.name for b in co_bodies)
    _log(
        joint,
        "proposed",
        _("Projet de réponse commune de %(body)s soumis à %(bodies)s")
        % {"body": body.name, "bodies": names},
        actor=actor,
        body=body,
        co_bodies=[b.code for b in co_bodies],
    )
    audit_log(actor=actor, action="frontdoor.joint_answer.propose", target=joint)
    _notify(
        co_bodies,
        title=_("Réponse commune à co-signer : %(code)s") % {"code": request.tracking_code},
        joint=joint,
        actor=actor,
    )
    return joint


def joint_answer_get(*, user, public_id) -> JointAnswer:
    """The joint answer ``public_id`` if ``user`` acts for its drafting body or one of its
    co-signing bodies (or moderates the network), else ``NotFound``."""
    from relais.frontdoor.selectors import joint_answers_for, parse_public_id

    public_id = parse_public_id(public_id)
    found = (
        JointAnswer.objects.filter(public_id=public_id)
        .select_related("request__network", "body")
        .first()
        if public_id
        else None
    )
    if found is None or found not in joint_answers_for(user=user, request=found.request):
        raise NotFound(_("Réponse commune introuvable."))
    return found


def _locked(actor, joint: JointAnswer) -> JointAnswer:
    joint = joint_answer_get(user=actor, public_id=joint.public_id)
    locked_request(joint.request)
    joint = (
        JointAnswer.objects.select_for_update()
        .select_related("request__network", "body")
        .get(pk=joint.pk)
    )
    if not joint.is_draft:
        raise ValidationError(_("Cette réponse commune n'est plus en projet."))
    if joint.request.closed_at:
        raise ValidationError(_("Cette demande est clôturée."))
    return joint


def _ensure_drafter(actor, joint: JointAnswer) -> None:
    if not access.bodies_of(actor, perms.HANDLE).filter(pk=joint.body_id).exists():
        raise AccessDenied(_("Seul l'organisme rédacteur modifie ou retire ce projet."))


@transaction.atomic
def joint_answer_decide(
    *, actor, joint_answer: JointAnswer, approve: bool, comment: str = "", body: Body | None = None
) -> JointAnswer:
    """A co-signing body approves the joint answer, or asks for a change (``approve`` false,
    ``comment`` required). ``body``: the co-signing body ``actor`` decides for (by default
    the first one they act for whose decision is awaited). When the last co-signing body
    approves, the answer is sent through the requester's channel (``answer_record``)."""
    joint = _locked(actor, joint_answer)
    mine = access.bodies_of(actor, perms.HANDLE)
    signatures = list(joint.cosignatures.select_related("body").filter(body__in=mine))
    if body is not None:
        signatures = [s for s in signatures if s.body_id == body.pk]
    elif len(signatures) > 1:
        waiting = [s for s in signatures if s.decision != CoSignatureDecision.APPROVED]
        signatures = waiting or signatures
    if not signatures:
        raise AccessDenied(_("Votre organisme n'est pas co-signataire de cette réponse."))
    signature = signatures[0]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("Le commentaire dépasse 2 000 caractères.")})
    if not approve and not comment:
        raise ValidationError({"comment": _("Dites quelle modification vous demandez.")})
    signature.decision = CoSignatureDecision.APPROVED if approve else CoSignatureDecision.CHANGES
    signature.comment = comment
    signature.decided_by = actor
    signature.decided_at = _now()
    signature.version = joint.version
    signature.save()
    request = joint.request
    if approve:
        label = _("%(body)s approuve le projet de réponse commune (version %(version)s)") % {
            "body": signature.body.name,
            "version": joint.version,
        }
        _log(joint, "approved", label, actor=actor, body=signature.body, version=joint.version)
    else:
        label = _(
            "%(body)s demande une modification du projet de réponse commune (version %(version)s)"
        ) % {"body": signature.body.name, "version": joint.version}
        _log(joint, "changes", label, actor=actor, body=signature.body, version=joint.version)
        _notify(
            [joint.body],
            title=_("Modification demandée par %(body)s sur la réponse commune : %(code)s")
            % {"body": signature.body.code, "code": request.tracking_code},
            joint=joint,
            actor=actor,
        )
    audit_log(
        actor=actor,
        action="frontdoor.joint_answer.approve" if approve else "frontdoor.joint_answer.changes",
        target=joint,
        after={"body": signature.body.code, "version": joint.version},
    )
    if (
        approve
        and not joint.cosignatures.exclude(
            decision=CoSignatureDecision.APPROVED, version=joint.version
        ).exists()
    ):
        _send(actor, joint)
    return joint


def _send(actor, joint: JointAnswer) -> None:
    """Every co-signing body approved this version: it leaves, in all their names."""
    request = joint.request
    co_bodies = _co_bodies(joint)
    held = set(
        request.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list(
            "body_id", flat=True
        )
    )
    if joint.body_id not in held or any(b.pk not in held for b in co_bodies):
        raise ValidationError(
            _("Un organisme de cette réponse commune n'est plus saisi de la demande.")
        )
    channel = answer_channel(request, joint.channel)
    answer = answer_record(
        request=request,
        body=joint.body,
        joint=co_bodies,
        text=joint.text,
        channel=channel,
        author=joint.author,
        actor=actor,
    )
    joint.state = JointAnswerState.SENT
    joint.answer = answer
    joint.save(update_fields=["state", "answer", "updated_at"])
    _notify(
        [joint.body],
        title=_("Réponse commune co-signée et envoyée : %(code)s")
        % {"code": request.tracking_code},
        joint=joint,
        actor=actor,
    )


@transaction.atomic
def joint_answer_edit(
    *, actor, joint_answer: JointAnswer, text: str, channel: str | None = None
) -> JointAnswer:
    """The drafting body changes the draft's text (and channel): a new version, every
    co-signing body's approval reset (they read it again)."""
    joint = _locked(actor, joint_answer)
    _ensure_drafter(actor, joint)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("La réponse est vide.")})
    joint.text = text
    joint.channel = answer_channel(joint.request, channel or joint.channel)
    joint.version += 1
    joint.save(update_fields=["text", "channel", "version", "updated_at"])
    joint.cosignatures.update(
        decision=CoSignatureDecision.PENDING, decided_at=None, decided_by=None, updated_at=_now()
    )
    co_bodies = _co_bodies(joint)
    _log(
        joint,
        "edited",
        _(
            "Projet de réponse commune modifié par %(body)s (version %(version)s) : co-signatures à "
            "renouveler"
        )
        % {"body": joint.body.name, "version": joint.version},
        actor=actor,
        body=joint.body,
        version=joint.version,
    )
    audit_log(
        actor=actor,
        action="frontdoor.joint_answer.edit",
        target=joint,
        after={"version": joint.version},
    )
    _notify(
        co_bodies,
        title=_("Réponse commune modifiée, à co-signer de nouveau : %(code)s")
        % {"code": joint.request.tracking_code},
        joint=joint,
        actor=actor,
    )
    return joint


@transaction.atomic
def joint_answer_withdraw(*, actor, joint_answer: JointAnswer) -> JointAnswer:
    """The drafting body withdraws its draft: nothing is sent."""
    joint = _locked(actor, joint_answer)
    _ensure_drafter(actor, joint)
    joint.state = JointAnswerState.WITHDRAWN
    joint.save(update_fields=["state", "updated_at"])
    _log(
        joint,
        "withdrawn",
        _("Projet de réponse commune retiré par %(body)s") % {"body": joint.body.name},
        actor=actor,
        body=joint.body,
    )
    audit_log(actor=actor, action="frontdoor.joint_answer.withdraw", target=joint)
    _notify(
        _co_bodies(joint),
        title=_("Projet de réponse commune retiré : %(code)s")
        % {"code": joint.request.tracking_code},
        joint=joint,
        actor=actor,
    )
    return joint
