"""Screening a text before it is published: the community's banned words and the personal-data
detectors (NIR, IBAN, phone numbers, e-mail addresses), through the pure engine of
``relais.community.moderation`` (``check_text``), fed with the community's ``BannedWord`` list.

The engine lives in its own package, merged from another branch: until it is present, every
text is allowed as written (``ENGINE_AVAILABLE`` says which). The compiled list is kept per
process and rebuilt when the community's list changes.
"""

import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Max

from relais.community.models import BannedWord, Community

ALLOW, CENSOR, FLAG, REQUIRE_APPROVAL, BLOCK = (
    "allow",
    "censor",
    "flag",
    "require_approval",
    "block",
)
RANK = {ALLOW: 0, CENSOR: 1, FLAG: 2, REQUIRE_APPROVAL: 3, BLOCK: 4}
ENGINE_AVAILABLE = importlib.util.find_spec("relais.community.moderation") is not None


@dataclass(frozen=True)
class Screening:
    """The engine's verdict: ``action``, the ``text`` to publish (censored, replaced, linked)
    and the French ``reasons`` told to the author and the moderators."""

    action: str = ALLOW
    text: str = ""
    reasons: list[str] = field(default_factory=list)


def _spec(word: BannedWord) -> str:
    return f"{word.action}:{word.replacement}" if word.replacement else word.action


@lru_cache(maxsize=32)
def _compiled(community_id: int, version: tuple):
    from relais.community.moderation.textcheck import BannedWords
    from relais.community.moderation.words import entries_from_pairs

    words = BannedWord.objects.filter(community_id=community_id).order_by("id")
    return BannedWords(entries_from_pairs((w.word, _spec(w)) for w in words))


def screen_text(*, community: Community, text: str) -> Screening:
    """The verdict on ``text`` in ``community`` (``allow`` as written without the engine)."""
    if not ENGINE_AVAILABLE or not text:
        return Screening(ALLOW, text, [])
    from relais.community.moderation.textcheck import check_text

    state = BannedWord.objects.filter(community=community).aggregate(
        n=Count("id"), changed=Max("updated_at")
    )
    banned = _compiled(community.pk, (state["n"], state["changed"]))
    verdict = check_text(text, banned)
    return Screening(verdict.action, verdict.text, list(verdict.reasons))
