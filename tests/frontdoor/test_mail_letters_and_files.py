"""Scanned letters (the PDF's text read, a scan without text said so in French, the PDF
kept), files in the shared space with the e-mail limits, and who downloads a file."""

import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.frontdoor.letters import extract_text
from relais.frontdoor.models import Attachment, AttachmentKind, Message, Request
from relais.frontdoor.services import request_assign
from relais.frontdoor.services.attachments import message_post_with_files
from tests.frontdoor.builders import submit
from tests.frontdoor.mailkit import pdf_with_text, pdf_without_text

LETTER = pdf_with_text(
    "Maçonnerie Garonne, 12 rue des Tuiliers, 31000 Toulouse",
    "Madame, Monsieur,",
    "Notre salarié a fait une chute mortelle sur le chantier ce matin.",
    "Que devons-nous déclarer et à qui ?",
)


def _upload(client, data, name="courrier.pdf"):
    return client.post(
        reverse("frontdoor:letter-upload"),
        {"pdf": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_the_text_of_a_pdf_letter_is_read(db):
    extracted = extract_text(LETTER)
    assert extracted.has_text_layer
    assert extracted.pages == 1
    assert "chute mortelle sur le chantier" in extracted.text
    assert "Maçonnerie Garonne" in extracted.text


def test_damaged_and_foreign_files_are_refused_in_french(db):
    with pytest.raises(ValidationError, match="n'est pas un PDF"):
        extract_text(b"GIF89a not a pdf")
    with pytest.raises(ValidationError, match="endommagé ou illisible"):
        extract_text(b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>> endobj\ntrailer <<>>\n")


def test_an_agent_enters_a_scanned_letter_from_its_text(client, net):
    agent = net.referents["CPAM"]
    client.force_login(agent)
    assert client.get(reverse("frontdoor:letter-upload")).status_code == 200
    response = _upload(client, LETTER)
    assert response.status_code == 302
    letter = Attachment.objects.get()
    assert (letter.kind, letter.request, letter.uploaded_by) == (
        AttachmentKind.LETTER,
        None,
        agent,
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "chute mortelle sur le chantier" in page.content.decode()
    # The agent checks and edits the text, then enters the request.
    response = client.post(
        response["Location"],
        {
            "body": "CPAM",
            "priority": "normal",
            "requester_role": "employer",
            "legal_name": "Maçonnerie Garonne",
            "last_name": "Durand",
            "subject": "Accident mortel sur un chantier",
            "text": "Chute mortelle d'un salarié ce matin : déclaration et démarches ?",
        },
    )
    request = Request.objects.get()
    assert response.status_code == 302
    assert request.channel == "letter"
    assert request.text == "Chute mortelle d'un salarié ce matin : déclaration et démarches ?"
    assert request.critical  # detected from the text
    letter.refresh_from_db()
    assert letter.request == request
    assert letter.file.open("rb").read() == LETTER
    # Without an e-mail address, the acknowledgement is a letter to print.
    assert request.attachments.filter(kind=AttachmentKind.ACKNOWLEDGEMENT).exists()
    # The letter cannot be entered twice, nor by another agent.
    assert client.get(response["Location"]).status_code == 200
    again = reverse("frontdoor:letter-intake", args=[letter.public_id])
    assert client.get(again).status_code == 404


def test_a_scan_without_text_is_said_so_and_no_ocr_is_pretended(client, net):
    client.force_login(net.referents["CPAM"])
    response = _upload(client, pdf_without_text(), name="scan.pdf")
    page = client.get(response["Location"]).content.decode()
    assert "ne contient pas de texte lisible" in page
    assert "saisissez ou résumez le courrier" in page
    ocr_line = "La reconnaissance de caractères (OCR) n&#x27;est pas installée"
    assert (ocr_line in page) == (shutil.which("tesseract") is None)


def test_only_pdf_letters_within_the_limits(client, net, settings):
    client.force_login(net.referents["CPAM"])
    response = _upload(client, b"MZ\x90\x00", name="virus.exe")
    assert response.status_code == 422
    assert "ce type de fichier n&#x27;est pas accepté" in response.content.decode()
    response = _upload(client, b"MZ\x90\x00", name="faux.pdf")
    assert "n&#x27;est pas un fichier PDF valide" in response.content.decode()
    settings.FRONTDOOR_ATTACHMENT_MAX_BYTES = 1000
    response = _upload(client, LETTER)
    assert "au plus par fichier" in response.content.decode()
    assert not Attachment.objects.exists()
    # Someone who enters no request for any body has no letter page.
    client.force_login(net.moderator)
    assert client.get(reverse("frontdoor:letter-upload")).status_code == 404


# --- files in the shared space and who downloads them --------------------------------------


@pytest.fixture
def shared(net):
    request = submit(net.network)
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"], net.bodies["CAF"]]
    )
    return request


def _download(client, attachment):
    return client.post(reverse("frontdoor:attachment-download", args=[attachment.public_id]))


def test_a_referent_posts_files_in_the_thread(client, net, shared):
    client.force_login(net.referents["URSSAF"])
    url = reverse("frontdoor:request-message", args=[shared.public_id])
    response = client.post(
        url,
        {
            "message-text": "Le barème joint.",
            "message-visibility": "internal",
            "message-files": [
                SimpleUploadedFile("bareme.pdf", LETTER, content_type="application/pdf"),
                SimpleUploadedFile("notes.txt", b"Taux 2025", content_type="text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert sorted(message.attachments.values_list("filename", flat=True)) == [
        "bareme.pdf",
        "notes.txt",
    ]
    # A file of a type not accepted refuses the whole post, in French.
    response = client.post(
        url,
        {
            "message-text": "Script",
            "message-visibility": "internal",
            "message-files": [SimpleUploadedFile("outil.js", b"alert(1)")],
        },
    )
    assert response.status_code == 422
    assert "« outil.js » : ce type de fichier n&#x27;est pas accepté" in response.content.decode()
    assert Message.objects.count() == 1


def test_files_are_downloaded_by_the_bodies_involved_only(client, net, shared):
    message = message_post_with_files(
        actor=net.referents["URSSAF"],
        request=shared,
        text="",
        visibility="internal",
        files=[("bareme.pdf", LETTER)],
    )
    assert message.text == "Pièce jointe : bareme.pdf"
    attachment = message.attachments.get()
    client.force_login(net.referents["CAF"])
    response = _download(client, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == LETTER
    assert 'filename="bareme.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(
        action="frontdoor.attachment.download", actor=net.referents["CAF"]
    ).exists()
    # A referent of a body not involved cannot download it, nor can a GET.
    client.force_login(net.referents["CPAM"])
    assert _download(client, attachment).status_code == 404
    client.force_login(net.referents["CAF"])
    assert (
        client.get(
            reverse("frontdoor:attachment-download", args=[attachment.public_id])
        ).status_code
        == 405
    )


def test_a_private_notes_files_stay_with_its_body(client, net, shared):
    message = message_post_with_files(
        actor=net.referents["URSSAF"],
        request=shared,
        text="Note interne à l'Urssaf",
        visibility="private",
        files=[("controle.pdf", LETTER)],
    )
    attachment = message.attachments.get()
    client.force_login(net.referents["URSSAF"])
    assert _download(client, attachment).status_code == 200
    client.force_login(net.referents["CAF"])
    assert _download(client, attachment).status_code == 404
    page = client.get(reverse("frontdoor:request-detail", args=[shared.public_id]))
    assert "controle.pdf" not in page.content.decode()
    # An agent's letter not entered yet is theirs alone.
    client.force_login(net.referents["CPAM"])
    _upload(client, LETTER)
    pending = Attachment.objects.get(kind=AttachmentKind.LETTER)
    client.force_login(net.referents["CAF"])
    assert _download(client, pending).status_code == 404
    assert (
        client.get(reverse("frontdoor:letter-intake", args=[pending.public_id])).status_code == 404
    )
