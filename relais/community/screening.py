"""Screening a text before it is published: the community's banned words and the personal-data
detectors (NIR, IBAN, phone numbers, e-mail addresses), through the pure engine of
``relais.community.moderation`` (``check_text``), fed with the community's ``BannedWord`` list.

The compiled list is kept per process and rebuilt when the community's list changes.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Max

from relais.community.models import BannedWord, Community
from relais.community.moderation.textcheck import BannedWords, check_text
from relais.community.moderation.words import entries_from_pairs

ALLOW, CENSOR, FLAG, REQUIRE_APPROVAL, BLOCK = (
    "allow",
    "censor",
    "flag",
    "require_approval",
    "block",
)
RANK = {ALLOW: 0, CENSOR: 1, FLAG: 2, REQUIRE_APPROVAL: 3, BLOCK: 4}


@dataclass(frozen=True)
class Screening:
    """The engine's verdict: ``action``, the ``text`` to publish (censored, replaced, linked)
    and the French ``reasons`` told to the author and the moderators."""

    action: str = ALLOW
    text: str = ""
    reasons: list[str] = field(default_factory=list)


def _spec(word: BannedWord) -> str:
    return f"{word.action}:{word.replacement}" if word.replacement else word.action


def community_word_entries(community: Community) -> list:
    """The community's banned-word list as the engine's entries."""
    words = BannedWord.objects.filter(community=community).order_by("id")
    return entries_from_pairs((w.word, _spec(w)) for w in words)


@lru_cache(maxsize=32)
def _compiled(community_id: int, version: tuple) -> BannedWords:
    return BannedWords(community_word_entries(Community(pk=community_id)))


def screen_text(*, community: Community, text: str) -> Screening:
    """The verdict on ``text`` in ``community``."""
    if not text:
        return Screening(ALLOW, text, [])
    state = BannedWord.objects.filter(community=community).aggregate(
        n=Count("id"), changed=Max("updated_at")
    )
    banned = _compiled(community.pk, (state["n"], state["changed"]))
    verdict = check_text(text, banned)
    return Screening(verdict.action, verdict.text, list(verdict.reasons))
