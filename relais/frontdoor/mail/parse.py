"""Reading an e-mail received by the inbox (stdlib ``email``, ``policy.default``): who sent
it, its text, its files, what it replies to, and whether it is a bounce or an auto-reply.

Pure functions, no database: ``relais.frontdoor.services.mail_intake`` decides what to do.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from relais.core.text import without_control_characters

# GU-XXXX-XXXX (``services._common.new_tracking_code``), wherever it is in a subject.
TRACKING_CODE = re.compile(r"\bGU-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# The line a mail client writes above the quoted message it answers.
_QUOTE_HEADER = re.compile(
    r"^\s*(Le .{0,200} a écrit\s*:|On .{0,200} wrote\s*:|-{2,}\s*(Message d'origine|"
    r"Original Message)\s*-{2,}|De\s*:.*|From\s*:.*)\s*$",
    re.IGNORECASE,
)
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass
class MailFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    """What the intake needs of one received e-mail."""

    message: EmailMessage
    envelope_sender: str
    sender: str
    sender_name: str
    subject: str
    text: str
    message_id: str
    in_reply_to: str
    references: list[str]
    files: list[MailFile] = field(default_factory=list)
    is_bounce: bool = False
    is_auto_reply: bool = False
    bounced_message_ids: list[str] = field(default_factory=list)
    bounced_recipients: list[str] = field(default_factory=list)
    bounce_status: str = ""
    tracking_codes: list[str] = field(default_factory=list)


def parse(raw: bytes, *, envelope_sender: str = "") -> ParsedMail:
    """Parse ``raw`` (the DATA of an SMTP transaction). Never raises on a malformed message:
    what cannot be read is left empty (the caller refuses a message without sender)."""
    message = message_from_bytes(raw, policy=policy.default)
    sender_name, sender = _address(message, "From")
    if not sender:
        sender = (envelope_sender or "").strip().lower()
    subject = _header(message, "Subject")
    message_id = _first_id(_header(message, "Message-ID"))
    in_reply_to = _first_id(_header(message, "In-Reply-To"))
    references = MESSAGE_ID.findall(_header(message, "References"))
    parsed = ParsedMail(
        message=message,
        envelope_sender=(envelope_sender or "").strip(),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        text="",
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
    )
    parsed.is_bounce = _is_bounce(message, parsed.envelope_sender)
    parsed.is_auto_reply = not parsed.is_bounce and _is_auto_reply(message)
    if parsed.is_bounce:
        _read_bounce(message, parsed)
    else:
        parsed.text = _body_text(message)
        parsed.files = list(_files(message))
    parsed.tracking_codes = list(
        dict.fromkeys(TRACKING_CODE.findall(f"{subject}\n{parsed.text}".upper()))
    )
    return parsed


def _header(message, name: str) -> str:
    try:
        value = message.get(name, "")
    except (ValueError, IndexError, TypeError):  # a header the parser cannot decode
        return ""
    return without_control_characters(str(value or ""), " ").strip()


def _first_id(value: str) -> str:
    found = MESSAGE_ID.search(value or "")
    return found.group(0) if found else ""


def _address(message, name: str) -> tuple[str, str]:
    try:
        values = message.get_all(name) or []
    except (ValueError, IndexError, TypeError):
        return "", ""
    addresses = getaddresses([str(v) for v in values])
    for display, address in addresses:
        if "@" in address:
            return display.strip(), address.strip().lower()
    return "", ""


# --- bounces and auto-replies --------------------------------------------------------------


def _is_bounce(message, envelope_sender: str) -> bool:
    """A delivery status notification (RFC 3464: multipart/report with report-type
    delivery-status), or a message from the null sender ``<>`` that is not an auto-reply
    (RFC 5321 sends non-delivery reports from the null reverse-path)."""
    if message.get_content_type() == "multipart/report":
        report_type = (message.get_param("report-type") or "").lower()
        if report_type == "delivery-status":
            return True
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            return True
    null_sender = envelope_sender in ("", "<>")
    return null_sender and not _is_auto_reply(message)


def _is_auto_reply(message) -> bool:
    """RFC 3834 ``Auto-Submitted`` other than ``no``, or the headers the common
    auto-responders add (out-of-office, vacation): such a message never gets an answer."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk", "list"):
        return True
    if _header(message, "X-Auto-Response-Suppress").lower() in ("all", "oof", "autoreply"):
        return True
    return bool(_header(message, "List-Id") or _header(message, "List-Unsubscribe"))


def _read_bounce(message, parsed: ParsedMail) -> None:
    """The Message-IDs and recipients the bounce reports on, from its delivery-status part
    and the returned headers (``text/rfc822-headers`` or ``message/rfc822``)."""
    ids: list[str] = []
    recipients: list[str] = []
    texts: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            for block in part.get_payload() or []:
                final = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
                if ";" in final:
                    recipients.append(final.split(";", 1)[1].strip().lower())
                status = str(block.get("Status", "") or "")
                if status and not parsed.bounce_status:
                    parsed.bounce_status = status.strip()
        elif content_type in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            returned = payload[0] if isinstance(payload, list) and payload else None
            if returned is not None:
                ids.append(_first_id(_header(returned, "Message-ID")))
                texts.append(_header(returned, "Subject"))
        elif content_type == "text/rfc822-headers":
            headers = message_from_bytes(_bytes(part), policy=policy.default)
            ids.append(_first_id(_header(headers, "Message-ID")))
            texts.append(_header(headers, "Subject"))
        elif content_type == "text/plain":
            texts.append(_text_of(part))
    parsed.bounced_message_ids = [i for i in dict.fromkeys(ids) if i]
    parsed.bounced_recipients = list(dict.fromkeys(r for r in recipients if "@" in r))
    parsed.text = "\n".join(t for t in texts if t)[:5000]


# --- text and files ----------------------------------------------------------------------


def _bytes(part) -> bytes:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            return payload.encode("utf-8", "replace")
        return b""
    return payload


def _text_of(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, KeyError, AssertionError):
        content = _bytes(part).decode("utf-8", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return without_control_characters(
        content.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "), " "
    ).strip()


def html_to_text(value: str) -> str:
    """A readable text of an HTML mail body: no script, no tag, entities decoded."""
    value = _HIDDEN.sub("", value)
    value = _BLOCK_TAGS.sub("\n", value)
    value = _TAGS.sub("", value)
    lines = (line.strip() for line in html.unescape(value).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body_text(message) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, TypeError, ValueError):
        body = None
    if body is None:
        if message.get_content_maintype() == "text":
            body = message
        else:
            return ""
    return _text_of(body)


def _files(message):
    if not message.is_multipart():
        return
    try:
        parts = list(message.iter_attachments())
    except (KeyError, TypeError, ValueError):
        return
    for part in parts:
        if part.is_multipart():
            continue
        filename = part.get_filename() or ""
        if part.get_content_type() in ("message/rfc822",):
            filename = filename or "message.eml"
            data = part.as_bytes()
        else:
            data = _bytes(part)
        yield MailFile(
            filename=filename or "piece-jointe", content_type=part.get_content_type(), data=data
        )


def without_quoted_reply(text: str) -> str:
    """The new text of a reply: what comes before the quoted message it answers."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def sender_names(parsed: ParsedMail) -> tuple[str, str]:
    """(first name, last name) from the From display name, else the address's local part."""
    display = parsed.sender_name or parseaddr(parsed.sender)[1].split("@", 1)[0]
    words = display.replace('"', "").split()
    if not words:
        return "", parsed.sender.split("@", 1)[0][:100] or "?"
    if len(words) == 1:
        return "", words[0][:100]
    return " ".join(words[:-1])[:100], words[-1][:100]
