"""Answers through the requester's channel: an e-mail in the thread of theirs, a PDF letter
read back, a logged call; the acknowledgement of a postal request as a letter; answer
templates with merge fields, their errors and who keeps them."""

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.core.exceptions import AccessDenied
from relais.core.interactions.models import Interaction
from relais.frontdoor.models import (
    AnswerTemplate,
    Attachment,
    AttachmentKind,
    RequestChannel,
)
from relais.frontdoor.services import answer_send, request_assign, request_submit
from relais.frontdoor.services.answer_templates import answer_template_save, template_merge
from relais.frontdoor.services.mail_intake import mail_receive
from tests.factories import UserFactory
from tests.frontdoor.mailkit import INBOX, mail, pdf_text


@pytest.fixture
def emailed(net, django_capture_on_commit_callbacks):
    """A request received by e-mail (through the intake service), held by the URSSAF."""
    net.network.inbox_address = INBOX
    net.network.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_receive(
            raw=mail().as_bytes(), envelope_sender="lea@maconnerie.fr", recipients=[INBOX]
        )
    request = outcome.request
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]])
    django_mail.outbox.clear()
    return request


def _letter_request(net, **overrides):
    values = {
        "network": net.network,
        "channel": RequestChannel.LETTER,
        "subject": "Cotisations d'un apprenti",
        "text": "Courrier : quelles cotisations pour mon apprenti ?",
        "company": {
            "legal_name": "Maçonnerie Garonne",
            "siret": "73282932000074",
            "street": "12 rue des Tuiliers",
            "postal_code": "31000",
            "city": "Toulouse",
        },
        "person": {"last_name": "Durand", "first_name": "Léa"},
        "first_body": net.bodies["URSSAF"],
        "actor": net.referents["URSSAF"],
    }
    values.update(overrides)
    return request_submit(**values)


def test_an_answer_by_email_is_threaded_with_the_requesters_mail(
    net, emailed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer_send(
            actor=net.referents["URSSAF"],
            request=emailed,
            text="Le contrat d'apprentissage ouvre droit à l'aide à l'embauche.",
            channel=RequestChannel.EMAIL,
        )
    [sent] = django_mail.outbox
    message = sent.message()
    assert sent.to == ["lea@maconnerie.fr"]
    assert message["In-Reply-To"] == "<demande-1@maconnerie.fr>"
    assert "<demande-1@maconnerie.fr>" in message["References"]
    assert message["Auto-Submitted"] == "no"  # a referent wrote it: auto-responders may answer
    assert sent.reply_to == [INBOX]
    assert emailed.tracking_code in sent.subject
    assert "aide à l'embauche" in sent.body
    log = Interaction.objects.get(
        case_key=emailed.tracking_code, event_code="frontdoor.answer.sent"
    )
    assert (log.channel, log.direction) == ("email", "out")


def test_an_answer_by_letter_is_a_pdf_read_back(net, django_capture_on_commit_callbacks):
    request = _letter_request(net)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]])
    with django_capture_on_commit_callbacks(execute=True):
        answer = answer_send(
            actor=net.referents["URSSAF"],
            request=request,
            text="Les cotisations de l'apprenti sont réduites : réduction générale renforcée.",
            channel=RequestChannel.LETTER,
        )
    assert django_mail.outbox == []
    letter = Attachment.objects.get(answer=answer, kind=AttachmentKind.ANSWER_LETTER)
    assert letter.content_type == "application/pdf"
    text = pdf_text(letter.file.open("rb").read())
    assert f"Réponse à votre demande {request.tracking_code}" in text
    assert "réduction générale renforcée" in text
    assert "Maçonnerie Garonne" in text and "31000 Toulouse" in text
    assert "Urssaf Haute-Garonne" in text
    event = request.events.get(code="answered")
    assert "PDF à imprimer" in event.label
    assert Interaction.objects.get(
        case_key=request.tracking_code, event_code="frontdoor.answer.sent"
    ).channel == ("letter")


def test_an_answer_by_phone_is_a_logged_call(net, emailed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer_send(
            actor=net.referents["URSSAF"],
            request=emailed,
            text="Appel : aide expliquée, formulaire envoyé par l'employeur.",
            channel=RequestChannel.PHONE,
        )
    assert django_mail.outbox == []
    assert not Attachment.objects.filter(kind=AttachmentKind.ANSWER_LETTER).exists()
    log = Interaction.objects.get(
        case_key=emailed.tracking_code, event_code="frontdoor.answer.sent"
    )
    assert log.channel == "phone"
    assert "appel téléphonique consigné" in emailed.events.get(code="answered").label


def test_no_email_answer_to_an_undeliverable_address(net, emailed):
    emailed.email_undeliverable_at = timezone.now()
    emailed.save()
    with pytest.raises(ValidationError) as refused:
        answer_send(
            actor=net.referents["URSSAF"],
            request=emailed,
            text="Réponse",
            channel=RequestChannel.EMAIL,
        )
    assert "répondez par courrier ou par téléphone" in str(refused.value)
    assert not emailed.answers.exists()


def test_a_postal_request_gets_its_acknowledgement_as_a_letter(net):
    request = _letter_request(net)
    assert request.acknowledged_at is not None
    letter = Attachment.objects.get(request=request, kind=AttachmentKind.ACKNOWLEDGEMENT)
    text = pdf_text(letter.file.open("rb").read())
    assert request.tracking_code in text
    assert "L114-2" in text and "recours" in text
    assert "Maçonnerie Garonne" in text
    assert "courrier" in request.events.get(code="acknowledged").label
    assert django_mail.outbox == []


# --- templates ------------------------------------------------------------------------


@pytest.fixture
def supervisor(net):
    """A supervisor of the URSSAF's organization: keeps its answer templates."""
    user = UserFactory(username="chef-urssaf", role=None)
    OrganizationMembership.objects.create(
        user=user, organization=net.bodies["URSSAF"].organization, role=Role.SUPERVISOR
    )
    return user


def test_a_template_merges_the_requests_fields(net, emailed, supervisor):
    template = answer_template_save(
        actor=supervisor,
        body=net.bodies["URSSAF"],
        name="Apprentissage",
        text=(
            "{{ civilite_contact }},\nVotre demande {{code_suivi}} reçue le {{ date_reception }} "
            "({{ objet }}) : {{ organisme }} vous répond.\n{{ referent }}"
        ),
    )
    merged = template_merge(
        template.text,
        request=emailed,
        body=net.bodies["URSSAF"],
        author=net.referents["URSSAF"],
    )
    assert merged.startswith("Madame, Monsieur,\nVotre demande " + emailed.tracking_code)
    assert "reçue le 15 juin 2025 (Embauche d'un apprenti)" in merged
    assert "Urssaf Haute-Garonne vous répond." in merged
    assert "{{" not in merged


def test_unknown_merge_fields_are_clear_french_errors(net, supervisor):
    with pytest.raises(ValidationError) as refused:
        answer_template_save(
            actor=supervisor,
            body=net.bodies["URSSAF"],
            name="Faux",
            text="Bonjour {{ nom_du_gerant }}, {{ entreprise }} {{ oups",
        )
    messages = refused.value.message_dict["text"]
    assert messages[0].startswith("Champ de fusion inconnu : « {{ nom_du_gerant }} »")
    assert "entreprise" in messages[0]  # the fields available are listed
    assert "n'est pas refermée" in messages[1]
    assert not AnswerTemplate.objects.exists()


def test_only_the_bodys_supervisors_keep_its_templates(net, supervisor):
    with pytest.raises(AccessDenied):
        answer_template_save(
            actor=net.referents["URSSAF"], body=net.bodies["URSSAF"], name="A", text="Texte"
        )
    with pytest.raises(AccessDenied):
        answer_template_save(actor=supervisor, body=net.bodies["CAF"], name="A", text="Texte")
    assert not AnswerTemplate.objects.exists()


def test_the_referent_starts_an_answer_from_a_template(client, net, emailed, supervisor):
    template = answer_template_save(
        actor=supervisor,
        body=net.bodies["URSSAF"],
        name="Accusé",
        text="Bonjour {{ contact }}, {{ organisme }} traite la demande {{ code_suivi }}.",
    )
    client.force_login(net.referents["URSSAF"])
    url = reverse("frontdoor:request-detail", args=[emailed.public_id])
    page = client.get(url, {"modele": str(template.public_id)}).content.decode()
    assert (
        f"Bonjour Léa Durand, Urssaf Haute-Garonne traite la demande {emailed.tracking_code}."
        in (page)
    )
    # Another body's referent does not get the URSSAF's template.
    client.force_login(net.referents["CAF"])
    assert client.get(url, {"modele": str(template.public_id)}).status_code == 404


def test_the_templates_page_for_supervisors_only(client, net, supervisor):
    client.force_login(supervisor)
    url = reverse("frontdoor:answer-templates")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"body": "URSSAF", "name": "Relance", "text": "{{ inconnu }}", "active": "on"}
    )
    assert response.status_code == 422
    assert "Champ de fusion inconnu : « {{ inconnu }} »" in response.content.decode()
    response = client.post(
        url, {"body": "URSSAF", "name": "Relance", "text": "Bonjour {{ contact }}", "active": "on"}
    )
    assert response.status_code == 302
    template = AnswerTemplate.objects.get()
    edit = reverse("frontdoor:answer-template-edit", args=[template.public_id])
    assert client.get(edit).status_code == 200
    client.force_login(net.referents["URSSAF"])
    assert client.get(url).status_code == 404
    assert client.get(edit).status_code == 404
