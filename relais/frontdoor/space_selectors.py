"""Reads of the referents' shared space, access checked like ``selectors``: similar past
requests ("par analogie"), the library of offers, the survey results, the routing models,
and what a requester sees of their own requests."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import organizations_with_permission
from relais.core.exceptions import NotFound, parse_public_id
from relais.frontdoor import access
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import (
    Body,
    Network,
    Request,
    RequestEvent,
    RoutingModel,
    SatisfactionSurvey,
    ServiceOffer,
)
from relais.frontdoor.selectors import requests_visible

# Past requests compared with the one shown: the most recent answered ones the user may see.
ANALOGY_CANDIDATES = 500
ANALOGY_MIN_SIMILARITY = 0.15
# A request's subject and text never change: their stems are kept per process (bounded), so
# the request page stems only the requests it has not met yet.
_STEMS_MAX = 50_000
_STEMS: dict = {}


def _stems(request: Request) -> str:
    from relais.frontdoor.routing import stems_of

    # Keyed by the public id: a primary key may name another row in another database.
    found = _STEMS.get(request.public_id)
    if found is None:
        if len(_STEMS) >= _STEMS_MAX:
            _STEMS.clear()
        found = _STEMS[request.public_id] = stems_of(f"{request.subject}\n{request.text}")
    return found


@dataclass(frozen=True)
class Analogy:
    request: Request
    similarity: float

    @property
    def percent(self) -> int:
        return round(100 * self.similarity)


def similar_requests(*, user, request: Request, limit: int = 5) -> list[Analogy]:
    """Past requests like ``request`` that ``user`` may read and that got an answer, most
    similar first: cosine of the routing model's TF-IDF word vectors (stems), the same
    vocabulary the routing reads; nothing leaves the user's visibility."""
    from relais.frontdoor.routing import default_model

    candidates = list(
        requests_visible(user=user)
        .filter(answers__isnull=False)
        .exclude(pk=request.pk)
        .distinct()
        .order_by("-received_at", "-id")
        .only("pk", "public_id", "tracking_code", "subject", "text", "state", "received_at")[
            :ANALOGY_CANDIDATES
        ]
    )
    if not candidates:
        return []
    model = default_model()
    vectors = model.word_vectors([_stems(r) for r in [request, *candidates]], stemmed=True)
    if vectors is None:
        return []
    similarities = (vectors[1:] @ vectors[0].T).toarray().ravel()
    ranked = sorted(
        (
            (float(score), index)
            for index, score in enumerate(similarities)
            if score >= ANALOGY_MIN_SIMILARITY
        ),
        key=lambda item: (-item[0], item[1]),
    )[:limit]
    return [Analogy(candidates[index], score) for score, index in ranked]


# --- the library of offers ----------------------------------------------------------------


def library_networks(user) -> QuerySet[Network]:
    """The networks whose library ``user`` reads: those of their bodies, and moderated ones."""
    return Network.objects.filter(
        Q(pk__in=access.bodies_of(user).values("network_id"))
        | Q(pk__in=access.moderated_networks(user).values("pk"))
    )


def library_bodies(user) -> QuerySet[Body]:
    return Body.objects.filter(network__in=library_networks(user), active=True).order_by("code")


def offers_visible(*, user, q: str = "", body_code: str = "") -> QuerySet[ServiceOffer]:
    """The active offers of the libraries ``user`` reads, filtered by words and body."""
    offers = ServiceOffer.objects.filter(
        body__network__in=library_networks(user), active=True
    ).select_related("body")
    if q:
        q = q.strip()[:100]
        offers = offers.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(audience__icontains=q)
        )
    if body_code:
        offers = offers.filter(body__code=body_code)
    return offers.order_by("body__code", "title", "id")


def offers_managed(*, user) -> QuerySet[ServiceOffer]:
    """Every offer (withdrawn ones included) of the bodies ``user`` manages."""
    return ServiceOffer.objects.filter(
        body__in=access.bodies_of(user, perms.HANDLE)
    ).select_related("body")


def offer_get(*, user, public_id, manage: bool = False) -> ServiceOffer:
    """The offer ``public_id`` if ``user`` reads it (``manage``: may change it)."""
    public_id = parse_public_id(public_id)
    source = offers_managed(user=user) if manage else offers_visible(user=user)
    found = source.filter(public_id=public_id).first() if public_id else None
    if found is None and not manage:
        # A withdrawn offer stays readable from the requests it was linked to.
        found = offers_managed(user=user).filter(public_id=public_id).first() if public_id else None
    if found is None:
        raise NotFound(_("Offre introuvable."))
    return found


def offers_for_request(*, request: Request) -> list:
    """The offers linked from ``request`` (the caller checked that the user reads it)."""
    return list(request.offer_links.select_related("offer__body", "linked_by"))


def offers_to_link(*, request: Request) -> QuerySet[ServiceOffer]:
    """The active offers of the request's network not linked yet."""
    return (
        ServiceOffer.objects.filter(body__network=request.network, active=True)
        .exclude(request_links__request=request)
        .select_related("body")
        .order_by("body__code", "title")
    )


# --- survey results and routing models --------------------------------------------------


def survey_results(*, user) -> dict:
    """The satisfaction surveys of the networks ``user`` moderates: sent, answered, the
    average score, the count per score and the latest comments."""
    surveys = SatisfactionSurvey.objects.filter(
        request__network__in=access.moderated_networks(user)
    )
    answered = surveys.filter(answered_at__isnull=False)
    summary = surveys.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        average=Avg("score"),
    )
    by_score = dict(answered.values_list("score").annotate(n=Count("pk")).order_by())
    summary["scores"] = [(score, by_score.get(score, 0)) for score in range(5, 0, -1)]
    summary["comments"] = list(
        answered.exclude(comment="").select_related("request").order_by("-answered_at", "-id")[:5]
    )
    return summary


def retrainable_networks(*, user) -> QuerySet[Network]:
    """The networks whose routing model ``user`` may retrain (administrators of the host)."""
    return Network.objects.filter(
        organization__in=organizations_with_permission(user, perms.TRAIN)
    ).order_by("name")


def routing_models(*, network: Network) -> QuerySet[RoutingModel]:
    return network.routing_models.select_related("trained_by").order_by("-created_at", "-id")


# --- what the requester sees ------------------------------------------------------------

# The steps a requester is told about (never a private note, an internal message or who
# refused): receipt, acknowledgement, who handles it, transfers, answers, closing.
PUBLIC_EVENT_CODES = (
    "received",
    "acknowledged",
    "accepted",
    "transferred",
    "answered",
    "message.shared",
    "waiting",
    "resumed",
    "closed",
    "survey.answered",
)


def public_history(*, request: Request) -> list[RequestEvent]:
    return list(
        request.events.filter(code__in=PUBLIC_EVENT_CODES, private_to__isnull=True).order_by(
            "at", "id"
        )
    )


def requester_requests(*, request: Request) -> list[Request]:
    """The other requests of the same requester (same e-mail address), newest first: who
    proved they hold the address with one code sees all their requests."""
    email = ""
    if request.person_id and request.person.email:
        email = request.person.email
    elif request.company_id and request.company.email:
        email = request.company.email
    if not email:
        return []
    return list(
        Request.objects.filter(network=request.network)
        .filter(Q(person__email__iexact=email) | Q(company__email__iexact=email))
        .exclude(pk=request.pk)
        .order_by("-received_at", "-id")[:50]
    )


def survey_by_token(*, token: str) -> SatisfactionSurvey:
    found = (
        SatisfactionSurvey.objects.filter(token=(token or "")[:64])
        .select_related("request__network")
        .first()
        if token
        else None
    )
    if found is None:
        raise NotFound(_("Ce lien d'enquête n'est pas valable."))
    return found
