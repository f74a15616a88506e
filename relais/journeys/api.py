"""The journeys' part of the REST API (mounted at ``/api/journeys/``): read a set of
recommendations ranked by gain, and change its assumptions (the ranking is recomputed by a
background job: the answer is 202 with ``state: "computing"``; read the set again until its
``state`` is ``ready`` — or ``failed``, the previous ranking kept).

A set of an organization the user does not belong to is not found (404), as on the pages; a
member without the right to edit gets 403; refused assumptions give 422 with a French message
per field.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Router, Schema, Status

from relais.core.api import ERROR_RESPONSES
from relais.journeys.selectors_recommendations import recommendation_set_for_user
from relais.journeys.services_recommendations import recommendation_set_update_assumptions

router = Router(tags=["Parcours"])


class RecommendationSetOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    event_log: str
    computed_at: datetime | None
    state: str
    job: UUID | None = None
    assumptions: dict[str, Any]
    log: dict[str, Any]
    recommendations: list[dict[str, Any]]

    @staticmethod
    def resolve_event_log(obj) -> str:
        return obj.event_log.name

    @staticmethod
    def resolve_job(obj) -> UUID | None:
        return obj.job.public_id if obj.job_id else None

    @staticmethod
    def resolve_log(obj) -> dict:
        return (obj.ranking or {}).get("log", {})


class AssumptionsIn(Schema):
    assumptions: dict[str, Any]


@router.get(
    "recommendations/{uuid:set_id}",
    response={200: RecommendationSetOut, **ERROR_RESPONSES},
    summary="Recommandations classées par gain",
)
def get_recommendation_set(request, set_id: UUID):
    return recommendation_set_for_user(user=request.auth, public_id=set_id)


@router.put(
    "recommendations/{uuid:set_id}/assumptions",
    response={202: RecommendationSetOut, **ERROR_RESPONSES},
    summary="Modifier les hypothèses et recalculer le classement (en tâche de fond)",
)
def update_recommendation_assumptions(request, set_id: UUID, payload: AssumptionsIn):
    recommendation_set = recommendation_set_for_user(user=request.auth, public_id=set_id)
    return Status(
        202,
        recommendation_set_update_assumptions(
            actor=request.auth,
            recommendation_set=recommendation_set,
            assumptions=payload.assumptions,
        ),
    )
