"""The referents' shared space: mentions that notify, joint answers, similar past requests,
the library of offers and brochures, the satisfaction survey, what the requester sees."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.notifications.models import Notification
from relais.frontdoor.models import RequestOffer, SatisfactionSurvey, Visibility
from relais.frontdoor.services import (
    answer_send,
    joint_answer_decide,
    joint_answer_propose,
    message_post,
    offer_create,
    offer_link,
    offer_update,
    request_assign,
    request_close,
    survey_answer,
)
from relais.frontdoor.services.space import mentioned_usernames
from relais.frontdoor.space_selectors import similar_requests
from tests.frontdoor.builders import submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _held_by(net, *codes, **overrides):
    request = submit(net.network, **overrides)
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies[code] for code in codes]
    )
    return request


def _mentions(user):
    return Notification.objects.filter(recipient=user, category="frontdoor.mention")


# --- mentions -----------------------------------------------------------------------------


def test_mention_names_are_read_from_the_text_not_from_email_addresses():
    text = "@caf et @cpam, voyez lea@maconnerie.fr (et @caf encore)."
    assert mentioned_usernames(text) == ["caf", "cpam"]


def test_a_mention_notifies_a_referent_who_reads_the_request(net):
    request = _held_by(net, "URSSAF", "CAF")
    message_post(
        actor=net.referents["URSSAF"],
        request=request,
        text="@caf pouvez-vous regarder l'aide à l'apprentissage ?",
        visibility=Visibility.INTERNAL,
    )
    notice = _mentions(net.referents["CAF"]).get()
    assert request.tracking_code in notice.title
    assert notice.url == reverse("frontdoor:request-detail", args=[request.public_id])
    event = request.events.get(code="message.internal")
    assert event.data["mentions"] == ["caf"]


def test_a_mention_of_someone_who_may_not_read_the_request_notifies_nobody(net):
    request = _held_by(net, "URSSAF")
    message_post(
        actor=net.referents["URSSAF"],
        request=request,
        text="@carsat est-ce pour vous ?",
        visibility=Visibility.INTERNAL,
    )
    assert not _mentions(net.referents["CARSAT"]).exists()
    assert request.events.get(code="message.internal").data["mentions"] == []


def test_a_mention_never_carries_a_private_note_out_of_its_body(net):
    request = _held_by(net, "URSSAF", "CAF")
    message_post(
        actor=net.referents["URSSAF"],
        request=request,
        text="@caf @repartiteur note interne à l'Urssaf",
        visibility=Visibility.PRIVATE,
    )
    # The CAF referent reads the request but not URSSAF's private notes; the dispatcher is
    # an URSSAF referent: notified.
    assert not _mentions(net.referents["CAF"]).exists()
    assert _mentions(net.dispatcher).count() == 1


# --- joint answers ------------------------------------------------------------------------


def test_a_joint_answer_tells_the_joint_body_and_the_requester_sees_both_names(client, net):
    request = _held_by(net, "CAF", "CPAM")
    draft = joint_answer_propose(
        actor=net.referents["CAF"],
        request=request,
        text="Réponse commune.",
        body=net.bodies["CAF"],
        co_bodies=[net.bodies["CPAM"]],
    )
    joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    notice = Notification.objects.get(
        recipient=net.referents["CPAM"], title__startswith="Réponse commune"
    )
    assert request.tracking_code in notice.title
    assert request.events.get(code="answered").data["joint"] == ["CPAM"]
    page = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": request.tracking_code, "email": "lea@maconnerie.fr"},
    ).content.decode()
    assert "Caf Haute-Garonne, Cpam Haute-Garonne" in page


# --- similar requests ("par analogie") ----------------------------------------------------


def test_similar_past_requests_are_those_the_user_may_read_most_similar_first(net):
    accident = "Accident du travail sur le chantier : comment déclarer l'accident de mon ouvrier ?"
    seen = _held_by(net, "CPAM", subject="Déclaration d'accident du travail", text=accident)
    answer_send(actor=net.referents["CPAM"], request=seen, text="Déclarez sous 48 h.")
    unrelated = _held_by(
        net, "CPAM", subject="Attestation de vigilance", text="Il me faut une attestation."
    )
    answer_send(actor=net.referents["CPAM"], request=unrelated, text="Sur votre espace.")
    hidden = _held_by(net, "CARSAT", subject="Déclarer un accident du travail", text=accident)
    answer_send(actor=net.referents["CARSAT"], request=hidden, text="Prévention.")
    current = _held_by(
        net,
        "CPAM",
        subject="Accident sur un chantier",
        text="Un ouvrier a eu un accident du travail hier sur le chantier, que déclarer ?",
    )
    found = similar_requests(user=net.referents["CPAM"], request=current)
    assert [item.request for item in found][:1] == [seen]
    assert hidden not in [item.request for item in found]
    assert all(0 < item.similarity <= 1 for item in found)
    # The CARSAT referent sees their own past request, never CPAM's.
    theirs = similar_requests(user=net.referents["CARSAT"], request=hidden)
    assert seen not in [item.request for item in theirs]


def test_the_request_page_shows_similar_requests(client, net):
    past = _held_by(net, "CAF", subject="Aide à l'embauche d'un apprenti")
    answer_send(actor=net.referents["CAF"], request=past, text="Voici les aides.")
    current = _held_by(net, "CAF")
    client.force_login(net.referents["CAF"])
    page = client.get(reverse("frontdoor:request-detail", args=[current.public_id]))
    assert "Demandes semblables déjà traitées" in page.content.decode()
    assert past.tracking_code in page.content.decode()


# --- the library of offers ----------------------------------------------------------------


def test_a_referent_manages_their_bodys_offers_and_not_another_bodys(net):
    offer = offer_create(
        actor=net.referents["CARSAT"],
        body=net.bodies["CARSAT"],
        title="Subvention Prévention TPE",
        summary="Aide financière pour l'achat d'équipements de prévention.",
        brochure=SimpleUploadedFile("prevention.pdf", PDF, content_type="application/pdf"),
    )
    assert offer.brochure.name.endswith(".pdf")
    with pytest.raises(AccessDenied):
        offer_create(actor=net.referents["CAF"], body=net.bodies["CARSAT"], title="x", summary="y")
    with pytest.raises(AccessDenied):
        offer_update(actor=net.referents["CAF"], offer=offer, title="Piraté")
    offer.refresh_from_db()
    assert offer.title == "Subvention Prévention TPE"
    assert AuditEntry.objects.filter(action="frontdoor.offer.create").count() == 1


def test_a_brochure_must_be_a_pdf(net):
    with pytest.raises(ValidationError) as error:
        offer_create(
            actor=net.referents["CARSAT"],
            body=net.bodies["CARSAT"],
            title="Brochure",
            summary="Une brochure.",
            brochure=SimpleUploadedFile("brochure.pdf", b"<script>alert(1)</script>"),
        )
    assert "PDF" in str(error.value)


def test_the_offer_pages_and_the_brochure(client, net):
    offer = offer_create(
        actor=net.referents["CARSAT"],
        body=net.bodies["CARSAT"],
        title="Subvention Prévention TPE",
        summary="Aide à l'achat d'échafaudages.",
        brochure=SimpleUploadedFile("prevention.pdf", PDF),
    )
    client.force_login(net.referents["CAF"])
    listing = client.get(reverse("frontdoor:offer-list"), {"q": "échafaudages"})
    assert "Subvention Prévention TPE" in listing.content.decode()
    assert reverse("frontdoor:offer-update", args=[offer.public_id]) not in (
        listing.content.decode()
    )
    brochure = client.get(reverse("frontdoor:offer-brochure", args=[offer.public_id]))
    assert brochure.status_code == 200
    assert b"".join(brochure.streaming_content).startswith(b"%PDF-")
    assert (
        client.post(
            reverse("frontdoor:offer-update", args=[offer.public_id]),
            {"body": "CARSAT", "title": "Piraté", "summary": "x"},
        ).status_code
        == 404
    )


def test_a_referent_adds_an_offer_through_the_page_with_french_errors(client, net):
    client.force_login(net.referents["CARSAT"])
    url = reverse("frontdoor:offer-create")
    refused = client.post(
        url,
        {
            "body": "CARSAT",
            "title": "Brochure",
            "summary": "Texte",
            "url": "pas une adresse",
            "brochure": SimpleUploadedFile("b.pdf", b"GIF89a"),
        },
    )
    assert refused.status_code == 422
    assert "Saisissez une adresse web complète" in refused.content.decode()
    assert not net.bodies["CARSAT"].offers.exists()
    saved = client.post(
        url,
        {
            "body": "CARSAT",
            "title": "Prévention des chutes",
            "summary": "Formation et aide.",
            "active": "on",
            "brochure": SimpleUploadedFile("b.pdf", PDF),
        },
    )
    assert saved.status_code == 302
    assert net.bodies["CARSAT"].offers.get().title == "Prévention des chutes"


def test_an_offer_is_linked_from_a_request_by_a_body_holding_it(client, net):
    offer = offer_create(
        actor=net.referents["CARSAT"],
        body=net.bodies["CARSAT"],
        title="Subvention Prévention TPE",
        summary="Aide.",
    )
    request = _held_by(net, "CAF")
    with pytest.raises(NotFound):
        offer_link(actor=net.referents["CARSAT"], request=request, offer=offer)
    client.force_login(net.referents["CAF"])
    response = client.post(
        reverse("frontdoor:request-offer-link", args=[request.public_id]),
        {"offer-offer": str(offer.public_id)},
    )
    assert response.status_code == 302
    assert RequestOffer.objects.filter(request=request, offer=offer).exists()
    page = client.get(reverse("frontdoor:request-detail", args=[request.public_id]))
    assert "Subvention Prévention TPE" in page.content.decode()
    assert request.events.filter(code="offer.linked").exists()
    with pytest.raises(ValidationError):
        offer_link(actor=net.referents["CAF"], request=request, offer=offer)


# --- closing and the satisfaction survey --------------------------------------------------


def test_no_request_closes_without_a_recorded_answer_on_any_path(client, net):
    request = _held_by(net, "CAF")
    for actor in (net.referents["CAF"], net.moderator):
        with pytest.raises(ValidationError):
            request_close(actor=actor, request=request)
    client.force_login(net.moderator)
    response = client.post(
        reverse("frontdoor:request-close", args=[request.public_id]), {"close-note": "Fin"}
    )
    assert response.status_code == 422
    assert "sans réponse" in response.content.decode()
    request.refresh_from_db()
    assert request.closed_at is None
    assert not SatisfactionSurvey.objects.exists()


def test_closing_sends_the_survey_answered_once(client, net, django_capture_on_commit_callbacks):
    request = _held_by(net, "CAF")
    answer_send(actor=net.referents["CAF"], request=request, text="Réponse.")
    with django_capture_on_commit_callbacks(execute=True):
        request_close(actor=net.referents["CAF"], request=request)
    survey = SatisfactionSurvey.objects.get(request=request)
    url = reverse("frontdoor:survey", args=[survey.token])
    assert url in mail.outbox[-1].body
    assert len(survey.token) >= 40
    page = client.get(url)
    assert page.status_code == 200
    refused = client.post(url, {"score": "9", "comment": "<script>x</script>"})
    assert refused.status_code == 422
    assert "Sélectionnez un choix valide" in refused.content.decode() or (
        "de 1 à 5" in refused.content.decode()
    )
    done = client.post(url, {"score": "4", "comment": "<b>Rapide</b>, merci"})
    assert "Merci : votre avis est enregistré." in done.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "<b>Rapide</b>, merci")
    with pytest.raises(ValidationError):
        survey_answer(token=survey.token, score=1)
    again = client.post(url, {"score": "1"})
    assert "déjà répondu" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 4
    assert client.get(reverse("frontdoor:survey", args=["inconnu"])).status_code == 404

    client.force_login(net.moderator)
    board = client.get(reverse("frontdoor:board")).content.decode()
    assert "Satisfaction des demandeurs" in board
    assert "note moyenne 4,0/5" in board or "note moyenne 4.0/5" in board
    assert "&lt;b&gt;Rapide&lt;/b&gt;, merci" in board


# --- what the requester sees ---------------------------------------------------------------


def test_the_requester_sees_the_history_and_their_other_requests_never_private_steps(client, net):
    first = _held_by(net, "CAF")
    message_post(
        actor=net.referents["CAF"],
        request=first,
        text="Note privée CAF",
        visibility=Visibility.PRIVATE,
    )
    message_post(
        actor=net.referents["CAF"],
        request=first,
        text="Échange interne entre organismes",
        visibility=Visibility.INTERNAL,
    )
    second = submit(net.network, subject="Seconde question sur la DSN")
    stranger = submit(
        net.network,
        subject="Question d'un autre employeur",
        person={"last_name": "Autre", "email": "autre@exemple.fr"},
    )
    response = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": first.tracking_code, "email": "LEA@maconnerie.fr"},
    )
    page = response.content.decode()
    assert "Historique" in page
    assert "Demande reçue" in page
    assert "Note privée" not in page and "Message entre organismes" not in page
    assert "Échange interne" not in page
    assert second.tracking_code in page
    assert stranger.tracking_code not in page
    entry = AuditEntry.objects.get(action="frontdoor.personal_data.requester_view")
    assert entry.target_id == str(first.public_id)


# --- critical events: every relevant body alerted at once ------------------------------------


def test_a_fatal_accident_seizes_and_alerts_every_relevant_body_at_once(net):
    request = submit(
        net.network,
        subject="Urgent chantier",
        text="mon ouvrier est mort ce matin sur le chantier, tombe de l echafaudage",
    )
    assert request.critical
    seized = set(request.assignments.values_list("body__code", flat=True))
    assert seized == {"CPAM", "CARSAT"}
    assert request.routing["alerted"] == ["CPAM", "CARSAT"]
    for code in ("CPAM", "CARSAT"):
        titles = Notification.objects.filter(recipient=net.referents[code]).values_list(
            "title", flat=True
        )
        assert any(t.startswith("Événement critique pour") for t in titles), code
    for user in (net.dispatcher, net.moderator):
        assert any(
            request.tracking_code in t and "critique" in t
            for t in Notification.objects.filter(recipient=user).values_list("title", flat=True)
        )
    assert not Notification.objects.filter(recipient=net.referents["CAF"]).exists()
