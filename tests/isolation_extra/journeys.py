"""Designed journeys (organization records) for the isolation and no-write-on-GET sweeps: a
journey built from a template, one of its phases and one of its steps."""

from relais.journeys.services import journey_from_template


def _values(organization, title):
    journey = journey_from_template("affiliation", organization)
    journey.title = title
    journey.save(update_fields=["title"])
    phase = journey.phases.order_by("order").first()
    return {
        "journey_id": journey.public_id,
        "phase_id": phase.public_id,
        "step_id": phase.steps.order_by("order").first().public_id,
    }


def foreign_records(workspace, agent) -> dict:
    return _values(workspace.organization, "Parcours étrangerb")


def own_records(workspace, user) -> dict:
    return _values(workspace.organization, "Parcours d'essai")
