"""BPMN 2.0, JSON and CSV exports of a designed journey.

No BPMN XSD ships with an installed package (checked: none in the venv), so the document is
checked structurally against the schema's rules that modelers rely on: the namespaces, unique
ids, every reference resolving, element order, one shape per node and one edge per flow.
"""

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest

from relais.journeys import services
from relais.journeys.bpmn import journey_bpmn, journey_csv, journey_json
from relais.journeys.selectors import journey_get

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}


@pytest.fixture
def journey(organization, supervisor):
    made = services.journey_from_template("affiliation", organization)
    return journey_get(user=supervisor, organization=organization, public_id=made.public_id)


def _parse(content: bytes):
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(content)  # noqa: S314 (our own export, not untrusted input)


def test_bpmn_document_structure(journey):
    root = _parse(journey_bpmn(journey))
    assert root.tag == f"{{{NS['bpmn']}}}definitions"
    assert root.get("targetNamespace")
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique"
    known = set(ids)

    process = root.find("bpmn:process", NS)
    steps = [step for phase in journey.phases.all() for step in phase.steps.all()]
    tasks = process.findall("bpmn:task", NS)
    assert [task.get("name") for task in tasks] == [step.name for step in steps]
    assert len(process.findall("bpmn:startEvent", NS)) == 1
    assert len(process.findall("bpmn:endEvent", NS)) == 1

    flows = process.findall("bpmn:sequenceFlow", NS)
    assert len(flows) == len(tasks) + 1
    for flow in flows:
        assert flow.get("sourceRef") in known and flow.get("targetRef") in known
    # The flows chain start → tasks in order → end.
    chain = [process.find("bpmn:startEvent", NS).get("id")]
    following = {flow.get("sourceRef"): flow.get("targetRef") for flow in flows}
    while chain[-1] in following:
        chain.append(following[chain[-1]])
    assert chain[1:-1] == [task.get("id") for task in tasks]
    assert chain[-1] == process.find("bpmn:endEvent", NS).get("id")
    # incoming/outgoing name existing flows and agree with them.
    flow_ids = {flow.get("id"): flow for flow in flows}
    for node in [*tasks, *process.findall("bpmn:startEvent", NS)]:
        for out in node.findall("bpmn:outgoing", NS):
            assert flow_ids[out.text].get("sourceRef") == node.get("id")
    # Schema order inside a task: documentation before incoming/outgoing.
    children = [child.tag.split("}")[1] for child in tasks[0]]
    assert children == ["documentation", "incoming", "outgoing"]
    # Schema order inside the process: laneSet before the flow elements.
    assert [c.tag.split("}")[1] for c in process][:2] == ["documentation", "laneSet"]

    # One lane per actor present; every node in exactly one lane.
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert {lane.get("name") for lane in lanes} == {"Usager", "Agent de l'organisme", "Système"}
    referenced = [ref.text for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)]
    nodes = [
        n.get("id") for n in process if n.tag.split("}")[1] in ("task", "startEvent", "endEvent")
    ]
    assert sorted(referenced) == sorted(nodes)
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == process.get("id")


def test_bpmn_diagram_places_every_element(journey):
    root = _parse(journey_bpmn(journey))
    process = root.find("bpmn:process", NS)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    known = {element.get("id") for element in root.iter() if element.get("id")}
    assert plane.get("bpmnElement") in known
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    for node in process:
        kind = node.tag.split("}")[1]
        if kind in ("task", "startEvent", "endEvent"):
            bounds = shapes[node.get("id")].find("dc:Bounds", NS)
            assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
        elif kind == "sequenceFlow":
            points = edges[node.get("id")].findall("di:waypoint", NS)
            assert len(points) >= 2
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        assert shapes[lane.get("id")].get("isHorizontal") == "true"
    # Tasks are laid out left to right in chronological order, inside their lane's band.
    xs = [
        float(shapes[t.get("id")].find("dc:Bounds", NS).get("x"))
        for t in process.findall("bpmn:task", NS)
    ]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        band = shapes[lane.get("id")].find("dc:Bounds", NS)
        top, bottom = float(band.get("y")), float(band.get("y")) + float(band.get("height"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            box = shapes[ref.text].find("dc:Bounds", NS)
            assert (
                top <= float(box.get("y"))
                and float(box.get("y")) + float(box.get("height")) <= bottom
            )


def test_hostile_text_stays_well_formed(organization, supervisor):
    made = services.journey_create(
        actor=supervisor, organization=organization, title='<script>alert("x")</script> & co'
    )
    phase = services.phase_add(actor=supervisor, journey=made, name="Phase ]]> \x01")
    services.step_add(
        actor=supervisor,
        phase=phase,
        fields={"name": "Étape <b>\x07</b>", "channel": "web", "pain_points": "a & b"},
    )
    journey = journey_get(user=supervisor, organization=organization, public_id=made.public_id)
    root = _parse(journey_bpmn(journey))
    process = root.find("bpmn:process", NS)
    assert process.get("name") == '<script>alert("x")</script> & co'
    assert process.find("bpmn:task", NS).get("name") == "Étape <b></b>"


def test_an_empty_journey_is_start_then_end(organization, supervisor):
    made = services.journey_create(actor=supervisor, organization=organization, title="Vide")
    journey = journey_get(user=supervisor, organization=organization, public_id=made.public_id)
    process = _parse(journey_bpmn(journey)).find("bpmn:process", NS)
    (flow,) = process.findall("bpmn:sequenceFlow", NS)
    assert (flow.get("sourceRef"), flow.get("targetRef")) == ("StartEvent_1", "EndEvent_1")


def test_json_and_csv_exports(journey):
    data = json.loads(journey_json(journey))
    assert data["title"] == journey.title
    assert [p["name"] for p in data["phases"]] == [p.name for p in journey.phases.all()]
    first = data["phases"][0]["steps"][0]
    assert first["channel"] == "web" and first["duration_minutes"] == 15
    assert first["pain_points"][0].startswith("Vocabulaire juridique")

    text = journey_csv(journey).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["n° phase", "phase", "n° étape", "étape"]
    steps = [step for phase in journey.phases.all() for step in phase.steps.all()]
    assert [row[3] for row in rows[1:]] == [step.name for step in steps]
    days = next(row for row in rows[1:] if row[8] == "jours")
    assert int(days[9]) == int(days[7]) * 24 * 60


def test_csv_neutralises_formulas(organization, supervisor):
    made = services.journey_create(actor=supervisor, organization=organization, title="F")
    phase = services.phase_add(actor=supervisor, journey=made, name="=HYPERLINK(1)")
    services.step_add(actor=supervisor, phase=phase, fields={"name": "@SUM(A1)", "channel": "web"})
    journey = journey_get(user=supervisor, organization=organization, public_id=made.public_id)
    rows = list(csv.reader(io.StringIO(journey_csv(journey).decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][3] == "'@SUM(A1)"


def test_lanes_may_be_channels(journey):
    root = _parse(journey_bpmn(journey, lanes="channel"))
    process = root.find("bpmn:process", NS)
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    steps = [step for phase in journey.phases.all() for step in phase.steps.all()]
    assert [lane.get("name") for lane in lanes] == [
        "Site internet",
        "Téléphone",
        "Courriel",
        "Courrier",
        "Traitement interne",
    ]
    tasks = {t.get("id"): t.get("name") for t in process.findall("bpmn:task", NS)}
    phone = next(lane for lane in lanes if lane.get("name") == "Téléphone")
    in_phone = [
        tasks[ref.text] for ref in phone.findall("bpmn:flowNodeRef", NS) if ref.text in tasks
    ]
    assert in_phone == [step.name for step in steps if step.channel == "phone"]
