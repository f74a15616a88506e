"""E-mail intake through Relais's own SMTP server (aiosmtpd on a free loopback port), the
messages sent with smtplib: a new request and its acknowledgement, a threaded reply,
attachments kept and refused, a bounce, an auto-reply, and what the server refuses."""

import smtplib

import pytest

from relais.core.interactions.models import Interaction
from relais.core.notifications.models import Notification
from relais.frontdoor.models import (
    Attachment,
    AttachmentKind,
    MailDirection,
    MailKind,
    MailMessage,
    Message,
    Request,
    RequestChannel,
    Visibility,
)
from relais.frontdoor.services import request_assign
from tests.frontdoor.mailkit import (
    INBOX,
    delivery_status_notification,
    mail,
    pdf_with_text,
)

pytestmark = pytest.mark.django_db(transaction=True)

PDF = pdf_with_text("Attestation de vigilance", "Maçonnerie Garonne")


def _new_request(inbox, sink, **overrides):
    inbox.send(mail(**overrides))
    [acknowledgement] = sink.wait(1)
    return Request.objects.get(), acknowledgement


def test_a_new_email_becomes_a_request_acknowledged_in_its_thread(inbox, sink):
    refused = inbox.send(mail(files=[("attestation.pdf", "application", "pdf", PDF)]))
    assert refused == {}
    request = Request.objects.get()
    assert request.channel == RequestChannel.EMAIL
    assert request.subject == "Embauche d'un apprenti"
    assert "apprenti maçon" in request.text
    assert (request.person.first_name, request.person.last_name) == ("Léa", "Durand")
    assert request.person.email == "lea@maconnerie.fr"
    assert request.acknowledged_at is not None
    # The attachment is kept under MEDIA_ROOT with its name and type.
    [attachment] = Attachment.objects.filter(request=request)
    assert (attachment.filename, attachment.content_type, attachment.kind) == (
        "attestation.pdf",
        "application/pdf",
        AttachmentKind.EMAIL,
    )
    assert attachment.file.open("rb").read() == PDF
    # The acknowledgement of receipt answers the e-mail, with the legal mentions and the code.
    [acknowledgement] = sink.wait(1)
    assert acknowledgement["To"] == "lea@maconnerie.fr"
    assert request.tracking_code in acknowledgement["Subject"]
    assert acknowledgement["In-Reply-To"] == "<demande-1@maconnerie.fr>"
    assert acknowledgement["Reply-To"] == INBOX
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    body = acknowledgement.get_content()
    assert request.tracking_code in body
    assert "L114-2" in body and "recours" in body
    assert "répondez simplement à ce message" in body
    sent = MailMessage.objects.get(request=request, direction=MailDirection.OUTBOUND)
    assert sent.message_id == acknowledgement["Message-ID"]
    # Every step is in the interaction log under the tracking code.
    codes = set(
        Interaction.objects.filter(case_key=request.tracking_code).values_list(
            "event_code", flat=True
        )
    )
    assert {"frontdoor.request.received", "frontdoor.request.acknowledged"} <= codes
    received = Interaction.objects.get(
        case_key=request.tracking_code, event_code="frontdoor.request.received"
    )
    assert received.channel == "email"


def test_a_reply_is_threaded_into_its_request_and_wakes_the_referents(inbox, sink, net):
    request, acknowledgement = _new_request(inbox, sink)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]])
    Notification.objects.all().delete()
    reply = mail(
        subject=f"Re: {acknowledgement['Subject']}",
        text=(
            "Voici le contrat d'apprentissage.\n\n"
            "Le 15 juin 2025, Guichet unique a écrit :\n> Votre demande a bien été reçue"
        ),
        message_id="<reponse-1@maconnerie.fr>",
        in_reply_to=acknowledgement["Message-ID"],
        files=[("contrat.pdf", "application", "pdf", PDF)],
    )
    inbox.send(reply)
    assert Request.objects.count() == 1
    [message] = Message.objects.filter(request=request)
    assert message.visibility == Visibility.SHARED
    assert message.text == "Voici le contrat d'apprentissage."
    assert Attachment.objects.get(message=message).filename == "contrat.pdf"
    assert MailMessage.objects.get(message_id="<reponse-1@maconnerie.fr>").kind == MailKind.REPLY
    assert Interaction.objects.filter(
        case_key=request.tracking_code, event_code="frontdoor.mail.received"
    ).exists()
    assert Notification.objects.filter(recipient=net.referents["URSSAF"]).exists()
    assert not Notification.objects.filter(recipient=net.referents["CAF"]).exists()


def test_the_tracking_code_threads_a_reply_only_from_the_requester(inbox, sink):
    request, _ack = _new_request(inbox, sink)
    inbox.send(
        mail(
            subject=f"Complément {request.tracking_code}",
            text="J'ajoute le SIRET : 732 829 320 00074",
            message_id="<complement@maconnerie.fr>",
        )
    )
    assert Request.objects.count() == 1
    assert Message.objects.get(request=request).text.startswith("J'ajoute le SIRET")
    # A stranger quoting the code opens a request of their own, never writes into this one.
    inbox.send(
        mail(
            subject=f"Au sujet de {request.tracking_code}",
            sender="Inconnu <curieux@exemple.com>",
            message_id="<intrus@exemple.com>",
        )
    )
    assert Request.objects.count() == 2
    assert Message.objects.filter(request=request).count() == 1


def test_attachments_over_the_limits_are_refused_and_the_requester_told(inbox, sink, settings):
    settings.FRONTDOOR_ATTACHMENT_MAX_BYTES = 2000
    big = b"%PDF-1.4\n" + b"0" * 3000
    inbox.send(
        mail(
            files=[
                ("attestation.pdf", "application", "pdf", PDF[:1900] if len(PDF) > 2000 else PDF),
                ("programme.exe", "application", "octet-stream", b"MZ\x90\x00"),
                ("faux.pdf", "application", "pdf", b"MZ this is no PDF"),
                ("gros.pdf", "application", "pdf", big),
            ]
        )
    )
    request = Request.objects.get()
    kept = list(Attachment.objects.filter(request=request).values_list("filename", flat=True))
    assert "programme.exe" not in kept and "faux.pdf" not in kept and "gros.pdf" not in kept
    refused = request.events.get(code="attachment.refused").label
    assert "« programme.exe » : ce type de fichier n'est pas accepté" in refused
    assert "« faux.pdf » n'est pas un fichier PDF valide" in refused
    assert "« gros.pdf » pèse" in refused
    messages = sink.wait(2)
    notice = next(m for m in messages if "non conservées" in m["Subject"])
    assert "programme.exe" in notice.get_content()


def test_a_message_over_the_size_limit_is_refused_by_the_server(inbox, sink, settings):
    settings.FRONTDOOR_SMTP_MAX_MESSAGE_BYTES = 50_000
    # The server reads its limit when it starts: a second inbox with the lower limit.
    from relais.frontdoor.mail.smtp import inbox_controller
    from tests.frontdoor.mailkit import Inbox, free_port

    port = free_port()
    controller = inbox_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(smtplib.SMTPException) as refused:
            Inbox(port).send(mail(files=[("scan.pdf", "application", "pdf", PDF + b"0" * 80_000)]))
        assert "552" in str(refused.value) or "Too much" in str(refused.value)
    finally:
        controller.stop()
    assert not Request.objects.exists()


def test_a_bounce_marks_the_address_undeliverable_and_never_opens_a_request(inbox, sink, net):
    request, acknowledgement = _new_request(inbox, sink)
    Notification.objects.all().delete()
    bounce = delivery_status_notification(
        original_id=acknowledgement["Message-ID"], recipient="lea@maconnerie.fr"
    )
    inbox.send(bounce, mail_from="")
    assert Request.objects.count() == 1
    request.refresh_from_db()
    assert request.email_undeliverable_at is not None
    assert MailMessage.objects.get(kind=MailKind.BOUNCE).request == request
    assert request.events.filter(code="mail.bounced").exists()
    assert Interaction.objects.filter(
        case_key=request.tracking_code, event_code="frontdoor.mail.bounced"
    ).exists()
    # Unassigned yet: the dispatcher on duty is told to reach the requester otherwise.
    assert Notification.objects.filter(recipient=net.dispatcher).exists()
    # A bounce from the null sender without a report is recognised too, and quoted by code.
    inbox.send(
        mail(
            subject=f"Mail delivery failed {request.tracking_code}",
            sender="Mail Delivery System <mailer-daemon@mx.exemple.fr>",
            message_id="<bounce-2@mx.exemple.fr>",
        ),
        mail_from="",
    )
    assert Request.objects.count() == 1
    assert MailMessage.objects.filter(kind=MailKind.BOUNCE).count() == 2


def test_an_auto_reply_is_recorded_and_never_answered(inbox, sink):
    request, acknowledgement = _new_request(inbox, sink)
    out_of_office = mail(
        subject=f"Absence : {acknowledgement['Subject']}",
        text="Je suis absente jusqu'au 30 juin.",
        message_id="<absence-1@maconnerie.fr>",
        in_reply_to=acknowledgement["Message-ID"],
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    inbox.send(out_of_office)
    assert Request.objects.count() == 1
    assert not Message.objects.filter(request=request).exists()
    assert MailMessage.objects.get(message_id="<absence-1@maconnerie.fr>").kind == (
        MailKind.AUTO_REPLY
    )
    assert request.events.filter(code="mail.auto_reply").exists()
    # An auto-reply outside any thread opens nothing either; nothing goes back out.
    inbox.send(
        mail(
            subject="Réponse automatique",
            message_id="<absence-2@exemple.com>",
            sender="robot@exemple.com",
            headers={"Auto-Submitted": "auto-generated"},
        )
    )
    assert Request.objects.count() == 1
    assert len(sink.wait(2, timeout=1)) == 1  # the acknowledgement only
    assert MailMessage.objects.filter(direction=MailDirection.OUTBOUND).count() == 1


def test_the_server_refuses_unknown_addresses_and_takes_a_retry_in_once(inbox, sink):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        inbox.send(mail(), to=["quelquun@ailleurs.fr"])
    assert not Request.objects.exists()
    inbox.send(mail())
    inbox.send(mail())  # the same Message-ID again: a retry after a lost "250"
    assert Request.objects.count() == 1
    code, text = inbox.transaction(
        mail(message_id="<autre@maconnerie.fr>"), mail_from="lea@maconnerie.fr"
    )
    assert code == 250
    assert Request.objects.order_by("-id").first().tracking_code in text.decode()


def test_the_inbox_command_refuses_a_bad_port_in_french():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--port attend un nombre entier, pas « vingt-cinq »"):
        call_command("run_smtp_intake", "--port", "vingt-cinq")
    with pytest.raises(CommandError, match="entre 1 et 65535"):
        call_command("run_smtp_intake", "--port", "70000")
