"""Searches without results: noted during the GET (in the cache, a GET never writes), written
to the kernel's interaction log by a periodic job (``community.search.empty``), read by the
back office's indicators."""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from relais.community.models import Community
from relais.community.moderation import pii
from relais.community.permissions import Event
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record_many

CACHE_KEY = "community:search-empty:{pk}"
# A flood of searches (a robot) cannot grow the buffer without bound between two flushes.
BUFFER_LIMIT = 2000
QUERY_LENGTH = 120
VISITOR_KEY = "community-search"
MASKED = "[donnée personnelle masquée]"


def clean_query(query: str) -> str:
    """The query as logged: white space collapsed, cut, personal data (NIR, IBAN, phone,
    e-mail address) masked: the log is read by staff and kept."""
    text = " ".join((query or "").split())[:QUERY_LENGTH]
    for finding in sorted(pii.find(text), key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + MASKED + text[finding.end :]
    return text


def search_empty_note(*, community: Community, query: str, now=None) -> None:
    """Remember that ``query`` found nothing (no database write: see ``search_empty_flush``)."""
    text = clean_query(query)
    if not text:
        return
    key = CACHE_KEY.format(pk=community.pk)
    pending = cache.get(key) or []
    if len(pending) >= BUFFER_LIMIT:
        return
    pending.append((text, (now or timezone.now()).isoformat()))
    cache.set(key, pending, timeout=None)


@transaction.atomic
def search_empty_flush(*, community: Community) -> int:
    """Write the searches noted since the last flush to the interaction log; returns how many."""
    key = CACHE_KEY.format(pk=community.pk)
    pending = cache.get(key) or []
    if not pending:
        return 0
    cache.delete(key)
    record_many(
        workspace=community.workspace,
        entries=[
            {
                "event_code": Event.SEARCH_EMPTY,
                "channel": Channel.FORUM,
                "direction": Direction.INBOUND,
                "topic": text,
                "visitor_key": VISITOR_KEY,
                "started_at": datetime.datetime.fromisoformat(at),
            }
            for text, at in pending
        ],
    )
    return len(pending)
