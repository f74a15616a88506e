"""Segments of a workspace, for the isolation tests and the accessibility sweep."""

from relais.crm.segments.services import segment_create

DEFINITION = {
    "match": "all",
    "conditions": [
        {"field": "customer.city", "op": "eq", "value": "Lyon"},
        {"field": "vehicle.age", "op": "gte", "value": 4},
    ],
    "sort": [{"field": "computed.revenue", "dir": "desc"}],
}


def _segment(workspace, user, name):
    return segment_create(actor=user, workspace=workspace, name=name, definition=DEFINITION)


def foreign_records(workspace, agent) -> dict:
    return {"segment_id": _segment(workspace, agent, "Segment étrangerb").public_id}


def own_records(workspace, user) -> dict:
    return {"segment_id": _segment(workspace, user, "Lyonnais au véhicule ancien").public_id}
