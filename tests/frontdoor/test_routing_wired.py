"""The routing engine wired into intake (``request_route``): a proposal stored with every
request, automatic orientation when the network asks for it and the engine is sure, the
dispatcher otherwise, critical events detected from the text."""

from relais.frontdoor.models import AssignmentState, RequestState
from relais.frontdoor.services import assignment_refuse
from tests.frontdoor.builders import submit

PENSION = {
    "subject": "Retraite d'un compagnon",
    "text": "Mon chef de chantier part à la retraite l'an prochain : comment vérifier ses "
    "trimestres et son relevé de carrière ?",
}


def test_without_automatic_orientation_the_dispatcher_sees_the_engine_proposal(net):
    request = submit(net.network, **PENSION)
    assert request.state == RequestState.TO_DISPATCH
    assert request.routing["mode"] == "dispatcher"
    suggestion = request.routing["suggestion"]
    assert suggestion["bodies"][0][0] == "CARSAT"
    assert "Carsat" in suggestion["explanation"]
    assert suggestion["model_version"].startswith("routing-")
    assert not request.assignments.exists()


def test_automatic_orientation_sends_a_sure_request_to_the_proposed_body(net):
    net.network.auto_route = True
    net.network.save()
    request = submit(net.network, **PENSION)
    assert request.routing["mode"] == "automatic"
    assert request.state == RequestState.PENDING
    (assignment,) = request.assignments.all()
    assert assignment.body.code == "CARSAT"
    assert assignment.assigned_by is None


def test_a_body_that_refused_is_not_proposed_again_and_the_dispatcher_decides(net):
    net.network.auto_route = True
    net.network.save()
    request = submit(net.network, **PENSION)
    (assignment,) = request.assignments.all()
    assignment_refuse(actor=net.referents["CARSAT"], assignment=assignment, reason="Pas nous.")
    request.refresh_from_db()
    assert request.state == RequestState.TO_DISPATCH
    assert request.routing["reason"] == "refused"
    assert request.assignments.get().state == AssignmentState.REFUSED


def test_a_critical_event_in_the_text_makes_the_request_critical(net):
    request = submit(
        net.network,
        subject="Urgent",
        text="un de mes gars a fait une chute mortelle sur le chantier ce matin, que faire",
    )
    assert request.critical
    assert request.routing["suggestion"]["critical"]


def test_an_ordinary_request_stays_ordinary(net):
    request = submit(net.network)
    assert not request.critical
    assert request.routing["suggestion"]["critical"] == []


def test_the_request_page_and_the_queue_show_the_proposal(net, client):
    from django.urls import reverse

    request = submit(net.network, **PENSION)
    client.force_login(net.dispatcher)
    queue = client.get(reverse("frontdoor:dispatch-queue")).content.decode()
    assert "CARSAT (" in queue
    page = client.get(reverse("frontdoor:request-detail", args=[request.public_id]))
    assert "Orientation proposée" in page.content.decode()
    assert "Proposition du moteur, à confirmer par le répartiteur." in page.content.decode()
