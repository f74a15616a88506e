"""The referents' pages end to end through the HTTP client: intake by phone, the request
page's actions with French errors, the list's filters, the board and its CSV export."""

import csv
import io

from django.urls import reverse

from relais.frontdoor.models import Request, RequestState
from relais.frontdoor.services import request_assign
from tests.frontdoor.builders import submit


def _detail(request):
    return reverse("frontdoor:request-detail", args=[request.public_id])


def test_an_agent_enters_a_phone_request(client, net):
    client.force_login(net.referents["CPAM"])
    form = client.get(reverse("frontdoor:request-create"))
    assert form.status_code == 200
    response = client.post(
        reverse("frontdoor:request-create"),
        {
            "channel": "phone",
            "body": "CPAM",
            "priority": "high",
            "requester_role": "employer",
            "legal_name": "Plâtrerie de Muret",
            "siret": "",
            "naf_code": "43.31Z",
            "last_name": "Ferrer",
            "first_name": "",
            "email": "",
            "phone": "06 12 34 56 78",
            "subject": "Arrêt de travail",
            "text": "Un plâtrier en arrêt, attestation de salaire ?",
        },
    )
    request = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(request)
    assert request.channel == "phone"
    assert request.first_body == net.bodies["CPAM"]
    assert request.entered_by == net.referents["CPAM"]
    assert request.person.phone_mobile
    # The body that received the call keeps reading the request it entered.
    assert client.get(response["Location"]).status_code == 200
    other = net.referents["CAF"]
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404


def test_a_referent_cannot_enter_for_another_body(client, net):
    client.force_login(net.referents["CPAM"])
    response = client.post(reverse("frontdoor:request-create"), {"body": "CAF", "channel": "phone"})
    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Request.objects.exists()


def test_refusing_without_a_reason_is_explained_in_french(client, net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    client.force_login(net.referents["CAF"])
    response = client.post(
        reverse("frontdoor:request-refuse", args=[request.public_id]),
        {"refuse-body": "CAF", "refuse-reason": ""},
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.content.decode()
    assert request.assignments.get().state == "pending"


def test_accept_transfer_and_the_clocks_on_the_page(client, net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]])
    client.force_login(net.referents["URSSAF"])
    page = client.get(_detail(request)).content.decode()
    assert "Je prends en charge" in page
    assert "L114-3" in page
    assert "jours ouvrés" in page
    response = client.post(
        reverse("frontdoor:request-transfer", args=[request.public_id]),
        {"transfer-body": "URSSAF", "transfer-to_body": "CARSAT", "transfer-reason": "Retraite"},
    )
    assert response.status_code == 302
    assert request.assignments.get(body__code="CARSAT").state == "pending"
    carsat = client
    carsat.force_login(net.referents["CARSAT"])
    response = carsat.post(
        reverse("frontdoor:request-accept", args=[request.public_id]), {"accept-body": "CARSAT"}
    )
    assert response.status_code == 302
    page = carsat.get(_detail(request)).content.decode()
    assert "Délai d&#x27;acceptation implicite" in page or "Délai d'acceptation implicite" in page
    assert "Retraite" in page  # the transfer's reason is in the history


def test_closing_without_an_answer_is_refused_on_the_page(client, net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    client.force_login(net.referents["CAF"])
    close = reverse("frontdoor:request-close", args=[request.public_id])
    refused = client.post(close, {"close-note": ""})
    assert refused.status_code == 422
    assert "ne se clôture pas sans réponse" in refused.content.decode()
    client.post(
        reverse("frontdoor:request-answer", args=[request.public_id]),
        {"answer-body": "CAF", "answer-text": "Voici la réponse.", "answer-channel": "email"},
    )
    assert client.post(close, {"close-note": ""}).status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED


def test_waiting_for_the_requester_toggles(client, net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    client.force_login(net.referents["CAF"])
    url = reverse("frontdoor:request-waiting", args=[request.public_id])
    client.post(url, {"waiting-waiting": "True"})
    request.refresh_from_db()
    assert request.state == RequestState.WAITING
    client.post(url, {"waiting-waiting": "False"})
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_the_list_filters(client, net):
    first = submit(net.network, subject="Chômage intempéries")
    second = submit(net.network, subject="Taux accident du travail")
    request_assign(actor=net.dispatcher, request=first, bodies=[net.bodies["URSSAF"]])
    client.force_login(net.dispatcher)
    body = client.get(reverse("frontdoor:request-list"), {"q": "intempéries"}).content.decode()
    assert first.tracking_code in body and second.tracking_code not in body
    body = client.get(reverse("frontdoor:request-list"), {"etat": "to_dispatch"}).content.decode()
    assert second.tracking_code in body and first.tracking_code not in body


def test_the_board_exports_csv(client, net):
    request = submit(net.network, critical=True)
    client.force_login(net.moderator)
    page = client.get(reverse("frontdoor:board"), {"etat": "unassigned"})
    assert request.tracking_code in page.content.decode()
    export = client.get(reverse("frontdoor:board"), {"format": "csv", "etat": "unassigned"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "code"
    assert rows[1][0] == request.tracking_code
    assert rows[1][4] == "1"


def test_the_embeddable_button(client, net):
    client.force_login(net.referents["CAF"])
    page = client.get(reverse("frontdoor:embed")).content.decode()
    assert "referrerpolicy=&quot;origin&quot;" in page  # the snippet, escaped in the textarea
    assert "http://testserver/guichet/" in page


def test_the_board_filters_by_body(client, net):
    caf = submit(net.network, subject="Pour la CAF")
    cpam = submit(net.network, subject="Pour la CPAM")
    request_assign(actor=net.dispatcher, request=caf, bodies=[net.bodies["CAF"]])
    request_assign(actor=net.dispatcher, request=cpam, bodies=[net.bodies["CPAM"]])
    client.force_login(net.moderator)
    body = client.get(reverse("frontdoor:board"), {"vue": "CAF"}).content.decode()
    assert caf.tracking_code in body and cpam.tracking_code not in body
    unknown = client.get(reverse("frontdoor:board"), {"vue": "INCONNU"})
    assert unknown.status_code == 200  # an unknown body is ignored, never an error


def test_an_acknowledgement_given_by_phone_is_recorded(client, net):
    from relais.frontdoor.services import request_submit

    request = request_submit(
        network=net.network,
        channel="phone",
        subject="Question au téléphone",
        text="Sans adresse e-mail.",
        person={"last_name": "Sans-Courriel"},
        first_body=net.bodies["CPAM"],
        actor=net.referents["CPAM"],
    )
    assert request.acknowledged_at is None
    client.force_login(net.referents["CAF"])  # not seized: no such request
    url = reverse("frontdoor:request-acknowledge", args=[request.public_id])
    assert client.post(url).status_code == 404
    client.force_login(net.referents["CPAM"])
    assert "Accusé de réception remis" in client.get(_detail(request)).content.decode()
    assert client.post(url).status_code == 302
    request.refresh_from_db()
    assert request.acknowledged_at is not None
    assert request.events.filter(code="acknowledged").exists()
