"""The verdict on a text: banned words of a list (French-aware) and personal data.

``BannedWords(entries)`` compiles a list once; ``check(text)`` then reads a message in one pass:

1. the text is folded character for character (``normalize.fold_text``: same offsets) and cut
   into words;
2. each word is looked up, as it is and with its obfuscation undone (``normalize.word_keys``,
   ``squeeze``), in one dictionary of every inflected form of every word of the list
   (``forms.inflections``), which gives the list's *lemmas* that word can be;
3. entries are sequences of lemmas in a trie (a one-word entry is a sequence of one), walked
   from each word that is a lemma, so that phrases cost no more than words; trailing-star
   entries are looked up by the word's prefixes; spaced-out letters (``c.o.n``) are joined
   and looked up as one word.

Whole words only: "con" never hits "contrat", "conseil" or "Mâcon", "cul" never "calcul".
The strongest action wins (``words.VERDICT_ACTIONS``); censor, replace and link transform the
text, in the original (accents and capitals kept around the masked words).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from relais.community.moderation import pii
from relais.community.moderation.forms import inflections
from relais.community.moderation.normalize import (
    fold_text,
    has_triple,
    may_be_obfuscated,
    plain_words,
    prepare,
    spaced_runs,
    squeeze,
    word_keys,
    words,
)
from relais.community.moderation.words import (
    ALLOW,
    BLOCK,
    CENSOR,
    FLAG,
    LINK,
    REPLACE,
    REQUIRE_APPROVAL,
    TRANSFORM_RANK,
    VERDICT_RANK,
    Entry,
)


@dataclass(frozen=True)
class Hit:
    """An entry found in a text: ``text[start:end]`` is what the member wrote."""

    start: int
    end: int
    entry: Entry


@dataclass(frozen=True)
class Verdict:
    """What to do with a text: ``action`` (allow, censor, flag, require_approval, block), the
    French ``reasons`` to show its author and the moderators, and the ``text`` as it would be
    published (censored, replaced, linked). ``hits`` and ``findings`` locate the causes."""

    action: str
    reasons: list[str]
    text: str
    hits: tuple[Hit, ...] = ()
    findings: tuple[pii.Finding, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"action": self.action, "reasons": list(self.reasons), "text": self.text}


class _Node:
    __slots__ = ("children", "entries")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.entries: list[Entry] = []


class BannedWords:
    """A banned-word list compiled for fast checking; build it once, check many texts."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = tuple(entries)
        lemma_ids: dict[str, int] = {}
        forms: dict[str, set[int]] = {}
        prefixes: dict[str, set[int]] = {}
        self._root = _Node()
        for entry in self.entries:
            node = self._root
            participles = entry.participles()
            for key in entry.lemmas():
                lemma = lemma_ids.setdefault(key, len(lemma_ids))
                if key.endswith("*"):
                    prefixes.setdefault(key[:-1], set()).add(lemma)
                else:
                    for form in inflections(key, participle=key in participles):
                        forms.setdefault(form, set()).add(lemma)
                node = node.children.setdefault(lemma, _Node())
            node.entries.append(entry)
        self._forms = {form: frozenset(ids) for form, ids in forms.items()}
        squeezed: dict[str, set[int]] = {}
        for form, ids in self._forms.items():
            squeezed.setdefault(squeeze(form), set()).update(ids)
        self._squeezed = {form: frozenset(ids) for form, ids in squeezed.items()}
        self._prefixes = {prefix: frozenset(ids) for prefix, ids in prefixes.items()}
        self._prefix_lengths = sorted({len(prefix) for prefix in prefixes})
        # The forms a match can start with: "de" of "fils de pute" alone sends nobody further.
        starts = self._root.children.keys()
        self._start_forms = frozenset(
            form for form, ids in self._forms.items() if not starts.isdisjoint(ids)
        )

    def __len__(self) -> int:
        return len(self.entries)

    def _lemmas(self, word: str) -> frozenset[int] | None:
        """The list's lemmas a folded word of the text can be, or None."""
        forms = self._forms
        found = forms.get(word)
        if found is not None and word.isalpha():
            return found
        keys = word_keys(word)
        lemmas: set[int] = set()
        for key in keys:
            hit = forms.get(key)
            if hit is None and has_triple(key):
                hit = self._squeezed.get(squeeze(key))
            if hit:
                lemmas |= hit
            if self._prefixes:
                for length in self._prefix_lengths:
                    if length > len(key):
                        break
                    hit = self._prefixes.get(key[:length])
                    if hit:
                        lemmas |= hit
        return frozenset(lemmas) if lemmas else None

    def hits(self, text: str) -> list[Hit]:
        """Every entry found in ``text`` (already ``prepare``-d), in the order of the text."""
        if not self.entries:
            return []
        folded = fold_text(text)
        found: list[Hit] = self._word_hits(folded) if self._may_hit(folded) else []
        found += self._spaced_hits(folded)
        found.sort(key=lambda hit: (hit.start, -hit.end))
        return found

    def _may_hit(self, folded: str) -> bool:
        """Whether a word of the text can be one of the list, cheaply (C-level set and regular
        expression operations): most messages are clean and stop here."""
        tokens = plain_words(folded)
        if not self._start_forms.isdisjoint(tokens) or may_be_obfuscated(folded):
            return True
        for length in self._prefix_lengths:
            if not self._prefixes.keys().isdisjoint([token[:length] for token in tokens]):
                return True
        return False

    def _word_hits(self, folded: str) -> list[Hit]:
        """Single words and phrases, walking the trie from each word that is one of the list's."""
        lemma_of = self._lemmas
        tokens = [(start, end, lemma_of(word)) for start, end, word in words(folded)]
        root = self._root
        found: list[Hit] = []
        count = len(tokens)
        for index, (start, _end, lemmas) in enumerate(tokens):
            if lemmas is None:
                continue
            nodes = [root]
            position = index
            while nodes and position < count:
                current = tokens[position][2]
                if current is None:
                    break
                following = []
                for node in nodes:
                    for lemma in current:
                        child = node.children.get(lemma)
                        if child is not None:
                            following.append(child)
                            end = tokens[position][1]
                            found.extend(Hit(start, end, entry) for entry in child.entries)
                nodes = following
                position += 1
        return found

    def _spaced_hits(self, folded: str) -> list[Hit]:
        """One-word entries spelt out letter by letter ("c.o.n", "c o n")."""
        lemma_of = self._lemmas
        root = self._root
        found: list[Hit] = []
        for parts in spaced_runs(folded):
            # The longest parts that are words: "c.o.n.n.a.r.d" is "connard", not "con".
            taken: list[tuple[int, int]] = []
            for start, end, joined in parts:
                if any(s <= start and end <= e for s, e in taken):
                    continue
                for lemma in lemma_of(joined) or ():
                    child = root.children.get(lemma)
                    if child is not None and child.entries:
                        found.extend(Hit(start, end, entry) for entry in child.entries)
                        taken.append((start, end))
        return found

    def check(self, text: str) -> "Verdict":
        """The verdict of the list alone on ``text`` (no personal-data detection)."""
        text = prepare(text)
        return _verdict(text, self.hits(text), ())


EMPTY = BannedWords(())


def check_text(
    text: str, banned: BannedWords | None = None, *, public: frozenset[str] = frozenset()
) -> Verdict:
    """The verdict on a member's text: the banned words of ``banned`` (if any) and the
    personal-data detectors (NIR, IBAN, phone, e-mail), the strongest action winning.

    ``public``: the organisation's public contacts (``pii.public_keys``), which members may
    quote without their message being held.
    """
    text = prepare(text)
    hits = (banned or EMPTY).hits(text)
    return _verdict(text, hits, tuple(pii.find(text, public=public)))


def _verdict(text: str, hits: list[Hit], findings: tuple) -> Verdict:
    action = ALLOW
    reasons: list[str] = []
    seen: set[tuple] = set()
    for hit in hits:
        if VERDICT_RANK[hit.entry.verdict] > VERDICT_RANK[action]:
            action = hit.entry.verdict
        written = text[hit.start : hit.end]
        key = (hit.entry, written.casefold())
        if key not in seen:
            seen.add(key)
            reasons.append(_reason(hit.entry, written))
    kinds = []
    for finding in findings:
        if VERDICT_RANK[REQUIRE_APPROVAL] > VERDICT_RANK[action]:
            action = REQUIRE_APPROVAL
        if finding.kind not in kinds:
            kinds.append(finding.kind)
            reasons.append(pii.reason(finding.kind))
    return Verdict(
        action=action,
        reasons=reasons,
        text=_transform(text, hits),
        hits=tuple(hits),
        findings=findings,
    )


def _transform(text: str, hits: list[Hit]) -> str:
    """``text`` with each censored, replaced or linked span rewritten; where spans overlap the
    leftmost, then the longest, then the strongest transformation is applied."""
    spans = [hit for hit in hits if hit.entry.action in TRANSFORM_RANK]
    if not spans:
        return text
    spans.sort(key=lambda hit: (hit.start, -hit.end, -TRANSFORM_RANK[hit.entry.action]))
    parts = []
    position = 0
    for hit in spans:
        if hit.start < position:
            continue
        written = text[hit.start : hit.end]
        parts.append(text[position : hit.start])
        if hit.entry.action == CENSOR:
            parts.append("*" * len(written))
        elif hit.entry.action == REPLACE:
            parts.append(_same_case(hit.entry.argument, written))
        else:
            # Parentheses would end the Markdown link early: percent-encoded, as browsers do.
            url = hit.entry.argument.replace("(", "%28").replace(")", "%29")
            parts.append(f"[{written}]({url})")
        position = hit.end
    parts.append(text[position:])
    return "".join(parts)


def _same_case(replacement: str, written: str) -> str:
    """The replacement in the case of the replaced word: 'zut', 'Zut' or 'ZUT'."""
    letters = [c for c in written if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if letters and letters[0].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _reason(entry: Entry, written: str) -> str:
    values = {"written": written, "word": entry.word, "argument": entry.argument}
    if entry.action == BLOCK:
        message = _(
            "« %(written)s » (liste : « %(word)s ») est interdit : le message ne peut pas être "
            "publié."
        )
    elif entry.action == REQUIRE_APPROVAL:
        message = _(
            "« %(written)s » (liste : « %(word)s ») demande une vérification : un modérateur "
            "relira le message avant sa publication."
        )
    elif entry.action == FLAG:
        message = _(
            "« %(written)s » (liste : « %(word)s ») est signalé aux modérateurs, qui reliront "
            "le message."
        )
    elif entry.action == CENSOR:
        message = _("« %(written)s » (liste : « %(word)s ») a été masqué.")
    elif entry.action == REPLACE:
        message = _("« %(written)s » (liste : « %(word)s ») a été remplacé par « %(argument)s ».")
    elif entry.action == LINK:
        message = _("« %(written)s » (liste : « %(word)s ») renvoie vers %(argument)s.")
    else:  # pragma: no cover - words.ENTRY_ACTIONS are all above
        raise ValueError(entry.action)
    return message % values


__all__ = ["EMPTY", "BannedWords", "Hit", "Verdict", "check_text"]
