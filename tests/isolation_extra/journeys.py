"""Journeys records (organization records) for the isolation and no-write-on-GET sweeps: a
designed journey built from a template with one of its phases and steps, a kept event log,
a recorded sample contact, and the log's recommendations with the key of the first one."""

from datetime import UTC, datetime

from relais.journeys.models import SampleContact
from relais.journeys.services import journey_from_template
from relais.journeys.services_logs import log_store_frame
from relais.journeys.services_recommendations import recommendation_set_compute
from tests.journeys.reco_logs import reco_frame


def _values(organization, title):
    journey = journey_from_template("affiliation", organization)
    journey.title = title
    journey.save(update_fields=["title"])
    phase = journey.phases.order_by("order").first()
    log = log_store_frame(
        actor=None, organization=organization, name=title, source="file", frame=reco_frame()
    )
    contact = SampleContact.objects.create(
        organization=organization,
        contacted_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        channel="phone",
        reason=f"{title} : où en est mon dossier ?",
        demand="failure",
        failure_kind="chasing",
    )
    ranked = recommendation_set_compute(actor=None, organization=organization, event_log=log)
    return {
        "journey_id": journey.public_id,
        "phase_id": phase.public_id,
        "step_id": phase.steps.order_by("order").first().public_id,
        "log_id": log.public_id,
        "sample_id": contact.public_id,
        "set_id": ranked.public_id,
        "key": ranked.recommendations[0]["key"],
    }


def foreign_records(workspace, agent) -> dict:
    return _values(workspace.organization, "Parcours étrangerb")


def own_records(workspace, user) -> dict:
    return _values(workspace.organization, "Parcours d'essai")
