"""Real SMTP for the front door's e-mail tests: the inbox (Relais's own SMTP server, started
on a free loopback port), a sink standing for the requesters' mail servers (where Django's
SMTP backend delivers what Relais sends), e-mails and PDFs built in the test."""

from __future__ import annotations

import smtplib
import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from fpdf import FPDF

from relais.core.userkit import FONT, FONT_DIR
from tests.conftest import FIXED_NOW

INBOX = "guichet@btp31.exemple.fr"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """What the requesters' mail servers received."""

    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def wait(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [message for _rcpt, message in self.messages]


@pytest.fixture
def sink(settings):
    """Django's mail backend delivers over SMTP to a local server."""
    from aiosmtpd.controller import Controller

    received = Sink()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Guichet unique <ne-pas-repondre@btp31.exemple.fr>"
    try:
        yield received
    finally:
        controller.stop()


class Inbox:
    def __init__(self, port: int):
        self.port = port

    def send(self, message, *, mail_from: str | None = None, to=(INBOX,)) -> dict:
        """Deliver ``message`` (or raw bytes) over SMTP; the refused recipients."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            if isinstance(message, bytes):
                return client.sendmail(mail_from or "", list(to), message)
            return client.send_message(
                message,
                from_addr=message["From"] if mail_from is None else mail_from,
                to_addrs=list(to),
            )

    def transaction(self, message: EmailMessage, *, mail_from: str, to=(INBOX,)):
        """The server's reply to DATA (code, text), for the tests reading it."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            client.ehlo()
            client.mail(mail_from)
            for address in to:
                client.rcpt(address)
            return client.data(message.as_bytes())


@pytest.fixture
def inbox(transactional_db, settings, net, sink):
    """Relais's inbox on a free port, for the network ``net`` (its address ``INBOX``)."""
    from relais.frontdoor.mail.smtp import inbox_controller

    net.network.inbox_address = INBOX
    net.network.save()
    port = free_port()
    controller = inbox_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        yield Inbox(port)
    finally:
        controller.stop()


def mail(
    *,
    subject="Embauche d'un apprenti",
    text="Bonjour,\nquelles aides pour embaucher un apprenti maçon ?\nLéa Durand",
    sender="Léa Durand <lea@maconnerie.fr>",
    message_id="<demande-1@maconnerie.fr>",
    in_reply_to="",
    files=(),
    headers=None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = INBOX
    message["Subject"] = subject
    message["Date"] = format_datetime(FIXED_NOW)
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    for filename, maintype, subtype, data in files:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def delivery_status_notification(*, original_id: str, recipient: str) -> bytes:
    """An RFC 3464 bounce as a mail server writes it, quoting the lost message's headers."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.maconnerie.fr>\r\n"
        f"To: {INBOX}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.maconnerie.fr>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        "\r\n"
        "--B1\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system: your message could not be delivered.\r\n"
        "--B1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.maconnerie.fr\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nTo: {recipient}\r\n"
        "Subject: =?utf-8?q?Accus=C3=A9_de_r=C3=A9ception?=\r\n\r\n"
        "--B1--\r\n"
    ).encode()


def pdf_with_text(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font(FONT, "", 12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_without_text() -> bytes:
    """A scan: one page holding a picture and no text layer."""
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(picture, format="PNG")
    picture.seek(0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
