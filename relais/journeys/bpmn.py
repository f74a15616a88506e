"""Exports of a designed journey: BPMN 2.0 XML (with its diagram), JSON and CSV.

The BPMN document is one collaboration with one participant (the journey) whose process has a
lane per actor (usager, agent, partenaire, système) holding that actor's tasks, a start event,
one task per step in chronological order, an end event and the sequence flows between them.
Its BPMNDI part places every shape and edge, so that a modeler (bpmn.io, Camunda Modeler,
Bizagi…) shows the map as drawn: lanes as horizontal bands, tasks in chronological columns.
Element order follows the BPMN 2.0 schema (documentation, then incoming/outgoing; laneSet
before flow elements; the process before the diagram).

Works on plain objects: a journey with ``phases.all()`` each with ``steps.all()`` (as
``selectors.journey_get`` loads it), so no query is run here.
"""

import json
import re
from xml.etree import ElementTree as ET

from relais.core.downloads import csv_content
from relais.journeys.models import Actor, Channel, DurationUnit

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TARGET_NS = "https://relais.example/parcours"

for _prefix, _uri in (
    ("bpmn", BPMN_NS),
    ("bpmndi", BPMNDI_NS),
    ("dc", DC_NS),
    ("di", DI_NS),
    ("xsi", XSI_NS),
):
    ET.register_namespace(_prefix, _uri)

# Layout (pixels): lanes are horizontal bands; each step takes one column.
POOL_X, POOL_Y = 150, 80
POOL_LABEL = 30
LANE_HEIGHT = 140
COLUMN = 160
TASK_W, TASK_H = 110, 80
EVENT = 36
FIRST_X = POOL_X + POOL_LABEL + 50


# Characters XML 1.0 cannot carry (control characters other than tab and line breaks).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text) -> str:
    """``text`` without the characters XML 1.0 forbids (ElementTree would write them as is)."""
    return _NOT_XML.sub("", str(text or ""))


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def ordered_steps(journey) -> list:
    """``(phase, step)`` for every step, phase order then step order."""
    return [(phase, step) for phase in journey.phases.all() for step in phase.steps.all()]


def _duration_text(step) -> str:
    if step.duration_value is None:
        return ""
    return f"{step.duration_value} {DurationUnit(step.duration_unit).label}"


def _documentation(phase, step) -> str:
    lines = [
        f"Phase : {phase.name}",
        f"Canal : {Channel(step.channel).label}",
        f"Acteur : {Actor(step.actor).label}",
    ]
    if step.activity:
        lines.append(f"Activité observée : {step.activity}")
    if step.duration_value is not None:
        lines.append(f"Durée prévue : {_duration_text(step)}")
    lines.append(f"Ressenti : {step.emotion:+d}")
    for label, items in (
        ("Documents", step.document_list),
        ("Irritants", step.pain_point_list),
        ("Pistes", step.opportunity_list),
    ):
        if items:
            lines.append(f"{label} : " + " ; ".join(items))
    return "\n".join(lines)


LANE_KINDS = {"actor": (Actor, "actor"), "channel": (Channel, "channel")}


def journey_bpmn(journey, *, lanes: str = "actor") -> bytes:
    """The journey as a BPMN 2.0 document (UTF-8 bytes, with its XML declaration), with a lane
    per actor (``lanes="actor"``) or per channel (``lanes="channel"``)."""
    choices, attribute = LANE_KINDS[lanes]
    steps = ordered_steps(journey)

    def lane_key(step) -> str:
        return getattr(step, attribute)

    # Lanes: the values present, in the catalogue's order (the customer, the web on top).
    actors = [a for a in choices.values if any(lane_key(step) == a for _p, step in steps)]
    if not actors:
        actors = [choices.values[0]]
    lane_of = {actor: index for index, actor in enumerate(actors)}

    definitions = ET.Element(
        _b("definitions"),
        {
            "id": "Definitions_1",
            "targetNamespace": TARGET_NS,
            "exporter": "Relais",
            "exporterVersion": "1",
        },
    )
    collaboration = ET.SubElement(definitions, _b("collaboration"), {"id": "Collaboration_1"})
    ET.SubElement(
        collaboration,
        _b("participant"),
        {"id": "Participant_1", "name": _x(journey.title), "processRef": "Process_1"},
    )
    process = ET.SubElement(
        definitions,
        _b("process"),
        {"id": "Process_1", "name": _x(journey.title), "isExecutable": "false"},
    )
    if journey.description:
        ET.SubElement(process, _b("documentation")).text = _x(journey.description)
    lane_set = ET.SubElement(process, _b("laneSet"), {"id": "LaneSet_1"})
    lanes = {
        actor: ET.SubElement(
            lane_set, _b("lane"), {"id": f"Lane_{index + 1}", "name": str(choices(actor).label)}
        )
        for index, actor in enumerate(actors)
    }

    # Nodes: (id, tag, name, actor, documentation); the events sit in the lane of their
    # neighbouring step.
    first_actor = lane_key(steps[0][1]) if steps else actors[0]
    last_actor = lane_key(steps[-1][1]) if steps else actors[0]
    nodes = [("StartEvent_1", "startEvent", "Début", first_actor, None)]
    for index, (phase, step) in enumerate(steps, start=1):
        nodes.append(
            (f"Task_{index}", "task", step.name, lane_key(step), _documentation(phase, step))
        )
    nodes.append(("EndEvent_1", "endEvent", "Fin", last_actor, None))
    flows = [
        (f"Flow_{index}", nodes[index - 1][0], nodes[index][0]) for index in range(1, len(nodes))
    ]
    incoming = {target: flow_id for flow_id, _source, target in flows}
    outgoing = {source: flow_id for flow_id, source, _target in flows}

    for node_id, tag, name, actor, documentation in nodes:
        ET.SubElement(lanes[actor], _b("flowNodeRef")).text = node_id
        element = ET.SubElement(process, _b(tag), {"id": node_id, "name": _x(name)})
        if documentation:
            ET.SubElement(element, _b("documentation")).text = _x(documentation)
        if node_id in incoming:
            ET.SubElement(element, _b("incoming")).text = incoming[node_id]
        if node_id in outgoing:
            ET.SubElement(element, _b("outgoing")).text = outgoing[node_id]
    for flow_id, source, target in flows:
        ET.SubElement(
            process, _b("sequenceFlow"), {"id": flow_id, "sourceRef": source, "targetRef": target}
        )

    _diagram(definitions, actors, lane_of, nodes, flows)
    ET.indent(definitions)
    return ET.tostring(definitions, encoding="utf-8", xml_declaration=True)


def _diagram(definitions, actors, lane_of, nodes, flows) -> None:
    """The BPMNDI part: bounds of the pool, the lanes and every node; waypoints of every flow."""
    width = POOL_LABEL + 50 + COLUMN * len(nodes) + 20
    diagram = ET.SubElement(definitions, f"{{{BPMNDI_NS}}}BPMNDiagram", {"id": "BPMNDiagram_1"})
    plane = ET.SubElement(
        diagram,
        f"{{{BPMNDI_NS}}}BPMNPlane",
        {"id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"},
    )

    def shape(element_id, x, y, w, h, horizontal=None):
        attributes = {"id": f"{element_id}_di", "bpmnElement": element_id}
        if horizontal is not None:
            attributes["isHorizontal"] = "true"
        node = ET.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape", attributes)
        ET.SubElement(
            node,
            f"{{{DC_NS}}}Bounds",
            {"x": str(x), "y": str(y), "width": str(w), "height": str(h)},
        )

    shape("Participant_1", POOL_X, POOL_Y, width, LANE_HEIGHT * len(actors), horizontal=True)
    for index in range(len(actors)):
        shape(
            f"Lane_{index + 1}",
            POOL_X + POOL_LABEL,
            POOL_Y + index * LANE_HEIGHT,
            width - POOL_LABEL,
            LANE_HEIGHT,
            horizontal=True,
        )
    boxes = {}
    for column, (node_id, tag, _name, actor, _doc) in enumerate(nodes):
        lane_top = POOL_Y + lane_of[actor] * LANE_HEIGHT
        if tag == "task":
            w, h = TASK_W, TASK_H
        else:
            w, h = EVENT, EVENT
        x = FIRST_X + column * COLUMN + (TASK_W - w) // 2
        y = lane_top + (LANE_HEIGHT - h) // 2
        boxes[node_id] = (x, y, w, h)
        shape(node_id, x, y, w, h)
    for flow_id, source, target in flows:
        sx, sy, sw, sh = boxes[source]
        tx, ty, _tw, th = boxes[target]
        start = (sx + sw, sy + sh // 2)
        end = (tx, ty + th // 2)
        points = [start]
        if start[1] != end[1]:  # change of lane: an orthogonal route
            middle = (start[0] + end[0]) // 2
            points += [(middle, start[1]), (middle, end[1])]
        points.append(end)
        edge = ET.SubElement(
            plane,
            f"{{{BPMNDI_NS}}}BPMNEdge",
            {"id": f"{flow_id}_di", "bpmnElement": flow_id},
        )
        for x, y in points:
            ET.SubElement(edge, f"{{{DI_NS}}}waypoint", {"x": str(x), "y": str(y)})


# JSON and CSV -----------------------------------------------------------------------------


def journey_data(journey) -> dict:
    """The journey as plain data (the JSON export, and what the map and comparison read)."""
    return {
        "id": str(journey.public_id),
        "title": journey.title,
        "public": journey.public,
        "procedure": journey.procedure,
        "description": journey.description,
        "phases": [
            {
                "order": phase.order,
                "name": phase.name,
                "steps": [
                    {
                        "order": step.order,
                        "name": step.name,
                        "activity": step.matched_activity,
                        "channel": step.channel,
                        "actor": step.actor,
                        "duration_value": step.duration_value,
                        "duration_unit": step.duration_unit,
                        "duration_minutes": step.duration_minutes,
                        "documents": step.document_list,
                        "pain_points": step.pain_point_list,
                        "opportunities": step.opportunity_list,
                        "emotion": step.emotion,
                    }
                    for step in phase.steps.all()
                ],
            }
            for phase in journey.phases.all()
        ],
    }


def journey_json(journey) -> bytes:
    return json.dumps(journey_data(journey), ensure_ascii=False, indent=2).encode("utf-8")


CSV_HEADER = [
    "n° phase",
    "phase",
    "n° étape",
    "étape",
    "activité observée",
    "canal",
    "acteur",
    "durée prévue",
    "unité",
    "durée en minutes",
    "documents",
    "irritants",
    "pistes d'amélioration",
    "ressenti",
]


def journey_csv(journey) -> bytes:
    """One line per step, chronological (semicolon CSV for French Excel, formula-safe)."""
    rows = [CSV_HEADER]
    for phase, step in ordered_steps(journey):
        rows.append(
            [
                phase.order,
                phase.name,
                step.order,
                step.name,
                step.matched_activity,
                str(Channel(step.channel).label),
                str(Actor(step.actor).label),
                step.duration_value if step.duration_value is not None else "",
                str(DurationUnit(step.duration_unit).label),
                step.duration_minutes if step.duration_minutes is not None else "",
                " | ".join(step.document_list),
                " | ".join(step.pain_point_list),
                " | ".join(step.opportunity_list),
                step.emotion,
            ]
        )
    return csv_content(rows)
