"""Reads of designed journeys, checked against who is asking.

The organization is the current workspace's; a journey, phase or step of another organization
(or a malformed id) is not found.
"""

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.journeys.access import ensure_journey_permission
from relais.journeys.models import Journey, Phase, Step
from relais.journeys.permissions import Permission


def journey_list(*, user, organization, deleted: bool = False) -> QuerySet[Journey]:
    """The organization's journeys (or those in its bin), with their phase and step counts."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    journeys = Journey.objects.filter(organization=organization)
    journeys = journeys.deleted() if deleted else journeys.alive()
    return journeys.annotate(
        phase_count=Count("phases", distinct=True), step_count=Count("phases__steps")
    ).order_by("title", "id")


def journey_get(*, user, organization, public_id, deleted: bool = False) -> Journey:
    """One journey of the organization with its phases and steps, in order."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    key = public_id_or_not_found(public_id, _("Parcours introuvable."))
    journeys = Journey.objects.filter(organization=organization, public_id=key)
    journeys = journeys.deleted() if deleted else journeys.alive()
    journey = (
        journeys.select_related("organization")
        .prefetch_related(
            Prefetch(
                "phases",
                queryset=Phase.objects.order_by("order").prefetch_related(
                    Prefetch("steps", queryset=Step.objects.order_by("order"))
                ),
            )
        )
        .first()
    )
    if journey is None:
        raise NotFound(_("Parcours introuvable."))
    return journey


def phase_get(*, user, organization, journey_id, phase_id) -> Phase:
    journey = journey_get(user=user, organization=organization, public_id=journey_id)
    key = public_id_or_not_found(phase_id, _("Phase introuvable."))
    phase = Phase.objects.filter(journey=journey, public_id=key).select_related("journey").first()
    if phase is None:
        raise NotFound(_("Phase introuvable."))
    return phase


def step_get(*, user, organization, journey_id, step_id) -> Step:
    journey = journey_get(user=user, organization=organization, public_id=journey_id)
    key = public_id_or_not_found(step_id, _("Étape introuvable."))
    step = (
        Step.objects.filter(phase__journey=journey, public_id=key)
        .select_related("phase", "phase__journey")
        .first()
    )
    if step is None:
        raise NotFound(_("Étape introuvable."))
    return step


def journey_steps(journey: Journey) -> list[Step]:
    """Every step of the journey in chronological order (phase order, then step order)."""
    return [step for phase in journey.phases.all() for step in phase.steps.all()]
