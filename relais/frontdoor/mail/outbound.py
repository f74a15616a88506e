"""Headers of the e-mails sent to a requester: a Message-ID of the network's domain, the
reply address (the network's inbox) and the thread they answer, so that the requester's
reply comes back into the same request."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings


def inbox_address(network) -> str:
    """Where the requester's replies go: the network's inbox, else the site-wide one."""
    return network.inbox_address or settings.FRONTDOOR_INBOX_ADDRESS


def new_message_id(network) -> str:
    domain = inbox_address(network).rsplit("@", 1)[-1] or "localhost"
    return make_msgid(idstring="relais", domain=domain)


def thread_headers(request, *, message_id: str, automatic: bool) -> dict[str, str]:
    """The headers of an e-mail about ``request``: it answers the requester's last e-mail
    (``In-Reply-To``) within the thread started by their first (``References``). RFC 3834:
    what Relais writes on its own (acknowledgement, notices) says ``Auto-Submitted`` so that
    an auto-responder does not answer it; a referent's answer does not."""
    from relais.frontdoor.models import MailDirection

    received = list(
        request.mails.filter(direction=MailDirection.INBOUND)
        .exclude(message_id="")
        .order_by("at", "id")
        .values_list("message_id", flat=True)
    )
    headers = {"Message-ID": message_id, "Reply-To": inbox_address(request.network)}
    if received:
        headers["In-Reply-To"] = received[-1]
        headers["References"] = " ".join(dict.fromkeys([received[0], received[-1]]))
    headers["Auto-Submitted"] = "auto-replied" if automatic else "no"
    return headers
