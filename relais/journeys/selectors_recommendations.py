"""Reads of recommendation sets, checked against who is asking: the organization is the
current workspace's; a set, log or journey of another organization (or a malformed id) is not
found."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.journeys.access import ensure_journey_permission
from relais.journeys.models import EventLog, Journey, RecommendationSet
from relais.journeys.permissions import Permission


def recommendation_set_list(*, user, organization) -> QuerySet[RecommendationSet]:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return (
        RecommendationSet.objects.filter(organization=organization)
        .select_related("event_log", "journey", "job")
        .order_by("-created_at", "-id")
    )


def recommendation_set_get(*, user, organization, public_id) -> RecommendationSet:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    key = public_id_or_not_found(public_id, _("Recommandations introuvables."))
    found = (
        RecommendationSet.objects.filter(organization=organization, public_id=key)
        .select_related("organization", "event_log", "journey", "job")
        .first()
    )
    if found is None:
        raise NotFound(_("Recommandations introuvables."))
    return found


def recommendation_get(recommendation_set: RecommendationSet, key: str) -> dict:
    """One recommendation of a set (read with :func:`recommendation_set_get`) by its key."""
    for row in recommendation_set.recommendations:
        if row["key"] == key:
            return row
    raise NotFound(_("Recommandation introuvable."))


def ready_event_logs(*, user, organization) -> QuerySet[EventLog]:
    """The organization's logs whose events are kept (what a set or a report can read)."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return EventLog.objects.ready().filter(organization=organization).order_by("name", "id")


def event_log_get(*, user, organization, public_id) -> EventLog:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    key = public_id_or_not_found(public_id, _("Journal d'événements introuvable."))
    log = ready_event_logs(user=user, organization=organization).filter(public_id=key).first()
    if log is None:
        raise NotFound(_("Journal d'événements introuvable."))
    return log


def designed_journeys(*, user, organization) -> QuerySet[Journey]:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return Journey.objects.filter(organization=organization).alive().order_by("title", "id")


def recommendation_set_for_user(*, user, public_id) -> RecommendationSet:
    """A set by its id alone (the API has no current workspace): found only when ``user`` may
    read its organization's journeys; otherwise not found, as on the pages."""
    key = public_id_or_not_found(public_id, _("Recommandations introuvables."))
    found = (
        RecommendationSet.objects.filter(public_id=key)
        .select_related("organization", "event_log", "journey", "job")
        .first()
    )
    if found is None:
        raise NotFound(_("Recommandations introuvables."))
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, found.organization)
    return found
