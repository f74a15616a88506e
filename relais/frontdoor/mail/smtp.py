"""The network's inbox: an SMTP server (aiosmtpd, Apache-2.0) that Relais runs itself.

Point the MX record (or the organisation's mail relay) of the inbox's domain at it. It
accepts mail only for the networks' inbox addresses (``RCPT TO`` of any other address is
refused with 550, so it is no open relay), refuses messages over
``FRONTDOOR_SMTP_MAX_MESSAGE_BYTES`` (552) and answers ``250`` only once the message is
stored: a request, a reply threaded into one, a bounce or an auto-reply recorded
(``services.mail_intake.mail_receive``). A failure it cannot blame on the message answers
``451`` so the sending server tries again later.

The handler runs the Django work on one thread of its own: the ORM is synchronous, and one
writer at a time suits SQLite (PostgreSQL would take more; one thread already takes in
hundreds of messages a second, see ``bench/frontdoor_mail.py``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _ascii(text: str) -> str:
    """SMTP replies are ASCII (no SMTPUTF8 for replies): French without its accents."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) < 128).replace("\r", " ").replace("\n", " ")


class InboxHandler:
    """aiosmtpd handler: ``RCPT`` checks the address, ``DATA`` takes the message in."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relais-inbox")

    def _known(self, address: str) -> bool:
        from relais.frontdoor.selectors import network_for_inbox

        close_old_connections()
        return network_for_inbox(addresses=[address]) is not None

    def _take_in(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> str:
        from relais.frontdoor.services.mail_intake import mail_receive

        close_old_connections()
        try:
            outcome = mail_receive(raw=content, envelope_sender=mail_from, recipients=rcpt_tos)
        except ValidationError as error:
            logger.info("Inbox refused a message from %r: %s", mail_from, error.messages)
            return "550 5.6.0 " + _ascii(" ".join(error.messages))[:400]
        except Exception:
            logger.exception("Inbox could not take in a message from %r", mail_from)
            return "451 4.3.0 Erreur temporaire du guichet unique, reessayez plus tard"
        finally:
            close_old_connections()
        code = outcome.request.tracking_code if outcome.request is not None else ""
        return f"250 2.0.0 Message recu {code}".rstrip()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        known = await loop.run_in_executor(self.executor, self._known, address)
        if not known:
            return "550 5.1.1 Adresse inconnue de ce guichet unique"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        return await loop.run_in_executor(
            self.executor,
            self._take_in,
            envelope.mail_from or "",
            list(envelope.rcpt_tos),
            content,
        )


def inbox_controller(*, host: str, port: int):
    """An aiosmtpd ``Controller`` serving the inbox on ``host:port`` (not started)."""
    from aiosmtpd.controller import Controller

    return Controller(
        InboxHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.FRONTDOOR_SMTP_MAX_MESSAGE_BYTES,
        enable_SMTPUTF8=True,
        ident="Relais guichet unique",
    )
