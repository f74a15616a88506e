"""The referents' shared space: mentions in the thread, each body's library of service
offers and brochures and the offers linked from a request, the satisfaction survey."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from relais.core.accounts.models import User
from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.notifications.services import notify
from relais.frontdoor import access
from relais.frontdoor.models import (
    Body,
    Message,
    Request,
    RequestOffer,
    SatisfactionSurvey,
    ServiceOffer,
    Visibility,
)
from relais.frontdoor.services._common import (
    backfilling,
    log_event,
    log_interaction,
    mail_requester,
    request_url,
)
from relais.frontdoor.services._common import (
    now as _now,
)

# ``@name`` at the start of the text or after a space or a bracket: an e-mail address
# (``lea@maconnerie.fr``) is not a mention.
MENTION = re.compile(r"(?:^|(?<=[\s(\[]))@([\w.+-]{1,150})", re.UNICODE)
MENTIONS_MAX = 10


def mentioned_usernames(text: str) -> list[str]:
    """The user names mentioned in ``text`` (``@name``), in order, without repeats."""
    names = [match.rstrip(".") for match in MENTION.findall(text or "")]
    return list(dict.fromkeys(name for name in names if name))[:MENTIONS_MAX]


def mentions_notify(*, message: Message, actor) -> list[User]:
    """Notify the users ``message`` mentions who may read it: anyone reading the request
    for a shared or internal post; for a private note, only the members of the note's body
    (a mention never carries a private note out of its body). Others are skipped, silently:
    the author learns from the history who was notified."""
    names = mentioned_usernames(message.text)
    if not names:
        return []
    request = message.request
    notified = []
    url = request_url(request)
    for user in User.objects.filter(username__in=names, is_active=True).order_by("username"):
        if user.pk == getattr(actor, "pk", None) or not access.can_read(user, request):
            continue
        if message.visibility == Visibility.PRIVATE and not (
            access.bodies_of(user).filter(pk=message.body_id).exists()
        ):
            continue
        notified.append(user)
        if not backfilling():
            notify(
                recipient=user,
                title=_("%(author)s vous mentionne sur la demande %(code)s")
                % {"author": actor.display_name, "code": request.tracking_code},
                body=message.text[:300],
                url=url,
                category="frontdoor.mention",
            )
    return notified


# --- the library of service offers ------------------------------------------------------

OFFER_FIELDS = ("title", "summary", "audience", "url", "brochure", "active")


def _offer_body(actor, body: Body) -> Body:
    if not access.bodies_of(actor, "frontdoor.request.handle").filter(pk=body.pk).exists():
        raise AccessDenied(
            _("Seuls les référents de %(body)s gèrent ses offres.") % {"body": body.name}
        )
    return body


@transaction.atomic
def offer_create(
    *,
    actor,
    body: Body,
    title: str,
    summary: str,
    audience: str = "",
    url: str = "",
    brochure=None,
    active: bool = True,
) -> ServiceOffer:
    """Add an offer (and its PDF brochure) to ``body``'s library: its referents manage it,
    every referent of the network reads it."""
    _offer_body(actor, body)
    offer = ServiceOffer(
        body=body,
        title=(title or "").strip(),
        summary=(summary or "").strip(),
        audience=(audience or "").strip(),
        url=(url or "").strip(),
        active=active,
        created_by=actor,
    )
    if brochure:
        offer.brochure = brochure
    offer.full_clean()
    offer.save()
    audit_log(
        actor=actor,
        action="frontdoor.offer.create",
        target=offer,
        after={"body": body.code, "title": offer.title},
        workspace=body.network.workspace,
    )
    return offer


@transaction.atomic
def offer_update(*, actor, offer: ServiceOffer, **changes) -> ServiceOffer:
    """Change an offer of one's own body (``OFFER_FIELDS``; a new brochure replaces the old
    one, ``active=False`` withdraws it from the links' choices, links already made stay)."""
    _offer_body(actor, offer.body)
    unknown = set(changes) - set(OFFER_FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu : %(fields)s") % {"fields": ", ".join(unknown)})
    before = {"title": offer.title, "active": offer.active}
    old_brochure = offer.brochure.name if offer.brochure else ""
    for name, value in changes.items():
        if name == "brochure" and not value:
            continue
        setattr(offer, name, value.strip() if isinstance(value, str) else value)
    offer.full_clean()
    offer.save()
    if old_brochure and offer.brochure.name != old_brochure:
        offer.brochure.storage.delete(old_brochure)
    audit_log(
        actor=actor,
        action="frontdoor.offer.update",
        target=offer,
        before=before,
        after={"title": offer.title, "active": offer.active},
        workspace=offer.body.network.workspace,
    )
    return offer


@transaction.atomic
def offer_link(*, actor, request: Request, offer: ServiceOffer) -> RequestOffer:
    """Point the request to an offer of the network's library: a referent of a body holding
    the request, or the dispatcher, does it; the history says so."""
    from relais.frontdoor.selectors import request_get

    request = request_get(user=actor, public_id=request.public_id)
    if not access.handling_bodies(actor, request) and not access.can_dispatch(
        actor, request.network
    ):
        raise AccessDenied(_("Vous n'intervenez pas sur cette demande."))
    if offer.body.network_id != request.network_id or not offer.active:
        raise NotFound(_("Offre introuvable dans ce réseau."))
    if request.offer_links.filter(offer=offer).exists():
        raise ValidationError({"offer": _("Cette offre est déjà liée à la demande.")})
    link = RequestOffer.objects.create(request=request, offer=offer, linked_by=actor)
    log_event(
        request,
        "offer.linked",
        _("Offre liée : %(title)s (%(body)s)") % {"title": offer.title, "body": offer.body.code},
        actor=actor,
        offer=str(offer.public_id),
    )
    return link


# --- the satisfaction survey ------------------------------------------------------------


def survey_url(survey: SatisfactionSurvey) -> str:
    return reverse("frontdoor:survey", args=[survey.token])


def survey_open(*, request: Request) -> SatisfactionSurvey:
    """The survey of a request that has just closed (one per request), e-mailed to the
    requester with its secret link when an address is known; the tracking page offers it
    too. Called by ``request_close``."""
    survey, created = SatisfactionSurvey.objects.get_or_create(
        request=request, defaults={"token": secrets.token_urlsafe(32)}
    )
    if created:
        mail_requester(
            request,
            "frontdoor/email/survey.txt",
            {"survey_path": survey_url(survey), "site_url": settings.RELAIS_SITE_URL.rstrip("/")},
            _("Votre avis sur le traitement de votre demande %(code)s")
            % {"code": request.tracking_code},
        )
    return survey


@transaction.atomic
def survey_answer(*, token: str, score, comment: str = "") -> SatisfactionSurvey:
    """Record the requester's answer: a score from 1 to 5 and an optional comment, once."""
    survey = (
        SatisfactionSurvey.objects.select_for_update()
        .select_related("request")
        .filter(token=(token or "")[:64])
        .first()
        if token
        else None
    )
    if survey is None:
        raise NotFound(_("Ce lien d'enquête n'est pas valable."))
    if survey.answered_at is not None:
        raise ValidationError(_("Vous avez déjà répondu à cette enquête : merci !"))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choisissez une note de 1 à 5.")})
    survey.score = score
    survey.comment = (comment or "").strip()
    survey.answered_at = _now()
    survey.full_clean()
    survey.save()
    request = survey.request
    log_event(
        request,
        "survey.answered",
        _("Avis du demandeur : %(score)s/5") % {"score": score},
    )
    log_interaction(
        request,
        "frontdoor.survey.answered",
        _("Avis sur la demande %(code)s : %(score)s/5")
        % {"code": request.tracking_code, "score": score},
        direction="in",
        channel="web",
        outcome=str(score),
    )
    return survey


@transaction.atomic
def request_tracking_consult(*, request: Request) -> Request:
    """The requester opened their request on the tracking page (code and e-mail proved):
    the access to the request's personal data is written in the audit log like a
    referent's."""
    audit_log(
        actor=None,
        action="frontdoor.personal_data.requester_view",
        target=request,
        after={"via": "tracking"},
    )
    return request


@transaction.atomic
def request_tracking_download(*, request: Request, attachment) -> None:
    """The requester downloaded one of their files from the tracking page (code and e-mail
    proved again with the download): written in the audit log like the page itself."""
    audit_log(
        actor=None,
        action="frontdoor.personal_data.requester_download",
        target=request,
        after={
            "via": "tracking",
            "attachment": str(attachment.public_id),
            "filename": attachment.filename,
        },
    )
