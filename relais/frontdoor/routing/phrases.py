"""Editable French phrases matched the way employers write: without accents, in capitals, with
inflections and a typo.

A phrase is written in plain French in a data file (``"attestation de vigilance"``); it is
compiled once into a sequence of word matchers. A text is folded (``relais.core.text.fold_words``)
and cut into words, each with its Snowball French stem. A phrase matches when its words occur in
order, at most ``gap`` other words apart (two by default). A phrase word matches a text word
when:

* their stems agree (``cotisations`` / ``cotisation``, ``mortelle`` / ``mortel``);
* the phrase word's stem, five letters or more, begins the text word (``decede`` / ``decedee``);
* the phrase word ends with ``*`` and begins the text word (``licenci*``);
* one letter differs (insertion, deletion or substitution) for phrase words of six letters or
  more, two for nine or more (``vigilence``, ``judicaire``, ``huisier``).

Other syntax: ``a|b`` alternatives for one word, ``..`` allows up to six words before the next
one, and ``&`` between parts makes them an unordered set within eight words
(``salaire & impaye``); ``=word`` matches that word only (or one typo away), not its stem
(``=tuer`` is not "tue"); ``^word`` must follow the previous word directly. Short function words inside a phrase ("de", "la", "les"…) are dropped,
so "mort de rire" is matched as ``mort`` then ``rire``; at its edges they are kept ("en finir").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from relais.core.text import fold, fold_words

DEFAULT_GAP = 2
WIDE_GAP = 6
UNORDERED_WINDOW = 8
STEM_PREFIX_MIN = 5
FUZZY_ONE_FROM = 6
FUZZY_TWO_FROM = 9
MAX_KNOWN_WORDS = 200_000

# Dropped from phrases (never from texts): they carry no meaning for routing and are often
# left out or misspelt ("d'en finir" / "den finir").
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ma",
        "mes",
        "mon",
        "ou",
        "par",
        "pour",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "tes",
        "ton",
        "un",
        "une",
        "y",
    ]
)

_STEMMER = snowballstemmer.stemmer("french")
_NOT_SYNTAX = re.compile(r"[^0-9a-z|*=_^]+")
_WIDE = "__gap__"


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball French stem of an already folded word."""
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """The folded words of ``text`` (accents, case and punctuation removed)."""
    return fold_words(text).split()


@dataclass(frozen=True)
class WordMatcher:
    """One word of a phrase, with its alternatives; ``id`` is its place in the word index."""

    forms: tuple[str, ...]  # folded forms, with their "*" or "=" marks
    stems: tuple[str, ...]
    id: int = field(default=-1, compare=False)

    def matches(self, word: str, word_stem: str) -> bool:
        return _word_matches(self.forms, self.stems, word, word_stem)


def _word_matches(
    forms: tuple[str, ...], stems: tuple[str, ...], word: str, word_stem: str
) -> bool:
    for form, form_stem in zip(forms, stems, strict=True):
        if form.endswith("*"):
            if word.startswith(form[:-1]):
                return True
            continue
        if form.startswith("="):
            if word == form[1:] or _close(form[1:], word):
                return True
            continue
        if form_stem == word_stem or word == form:
            return True
        if len(form_stem) >= STEM_PREFIX_MIN and word.startswith(form_stem):
            return True
        if _close(form, word):
            return True
    return False


def _close(form: str, word: str) -> bool:
    """One letter apart for a word of six letters or more, two from nine."""
    if len(form) < FUZZY_ONE_FROM:
        return False
    allowed = 2 if len(form) >= FUZZY_TWO_FROM else 1
    return abs(len(form) - len(word)) <= allowed and (
        Levenshtein.distance(form, word, score_cutoff=allowed) <= allowed
    )


class _WordIndex:
    """Every phrase word compiled so far, and for each text word met, the ids of the phrase
    words it matches (computed once per word: a network's vocabulary is small)."""

    def __init__(self) -> None:
        self.matchers: dict[tuple[tuple[str, ...], tuple[str, ...]], WordMatcher] = {}
        self.by_stem: dict[str, set[int]] = {}
        self.by_word: dict[str, set[int]] = {}
        self.by_stem_prefix: dict[str, set[int]] = {}
        self.prefixes: list[tuple[str, int]] = []
        self.fuzzy: dict[str, set[int]] = {}
        self.known: dict[str, frozenset[int]] = {}

    def register(self, forms: tuple[str, ...], stems: tuple[str, ...]) -> WordMatcher:
        key = (forms, stems)
        if key in self.matchers:
            return self.matchers[key]
        matcher = WordMatcher(forms=forms, stems=stems, id=len(self.matchers))
        self.matchers[key] = matcher
        for form, form_stem in zip(forms, stems, strict=True):
            if form.endswith("*"):
                self.prefixes.append((form[:-1], matcher.id))
                continue
            exact = form.lstrip("=")
            self.by_word.setdefault(exact, set()).add(matcher.id)
            if not form.startswith("="):
                self.by_stem.setdefault(form_stem, set()).add(matcher.id)
                if len(form_stem) >= STEM_PREFIX_MIN:
                    self.by_stem_prefix.setdefault(form_stem, set()).add(matcher.id)
            if len(exact) >= FUZZY_ONE_FROM:
                self.fuzzy.setdefault(exact, set()).add(matcher.id)
        self.known.clear()  # new phrase words: every text word is looked at again
        return matcher

    def ids(self, word: str, word_stem: str) -> frozenset[int]:
        found = self.known.get(word)
        if found is not None:
            return found
        ids: set[int] = set()
        ids |= self.by_word.get(word, set())
        ids |= self.by_stem.get(word_stem, set())
        for end in range(STEM_PREFIX_MIN, len(word) + 1):
            ids |= self.by_stem_prefix.get(word[:end], set())
        ids.update(i for prefix, i in self.prefixes if word.startswith(prefix))
        if len(word) >= FUZZY_ONE_FROM - 1:
            for form, _score, _index in process.extract(
                word, list(self.fuzzy), scorer=Levenshtein.distance, score_cutoff=2, limit=None
            ):
                if _close(form, word):
                    ids |= self.fuzzy[form]
        found = frozenset(ids)
        if len(self.known) >= MAX_KNOWN_WORDS:
            self.known.clear()  # bounded memory in a long-running server fed with typos
        self.known[word] = found
        return found


_INDEX = _WordIndex()


@dataclass(frozen=True)
class Phrase:
    """A compiled phrase: ordered word matchers with the gap allowed before each one, or an
    unordered set of parts."""

    source: str
    steps: tuple[tuple[WordMatcher, int], ...] = ()
    unordered: tuple[Phrase, ...] = ()


def _matcher(token: str) -> WordMatcher:
    forms = tuple(part for part in token.split("|") if part)
    return _INDEX.register(forms, tuple(stem(f.strip("*=")) for f in forms))


def compile_phrase(source: str) -> Phrase:
    """Compile the phrase ``source`` (see the module's docstring for the syntax)."""
    if "&" in source:
        parts = tuple(compile_phrase(part) for part in source.split("&") if part.strip())
        return Phrase(source=source, unordered=parts)
    # Fold, keeping the syntax characters: "|" alternatives, "*" prefix, ".." wide gap.
    cleaned = _NOT_SYNTAX.sub(" ", fold(source).replace("..", f" {_WIDE} "))
    tokens = [t.strip("|") for t in cleaned.split() if t.strip("|")]
    # Function words inside a phrase are dropped; at its edges they are kept ("en finir",
    # "tue par"), so that the phrase never shrinks to one common word.
    real = [i for i, t in enumerate(tokens) if t != _WIDE]
    edges = {real[0], real[-1]} if real else set()
    meaningful = [t for i, t in enumerate(tokens) if t not in STOP_WORDS or i in edges]
    steps: list[tuple[WordMatcher, int]] = []
    gap = DEFAULT_GAP
    for token in meaningful:
        if token == _WIDE:
            gap = WIDE_GAP
            continue
        if token.startswith("^"):
            token, gap = token.lstrip("^"), 0
        steps.append((_matcher(token), gap))
        gap = DEFAULT_GAP
    if not steps:
        raise ValueError(f"phrase vide : {source!r}")
    return Phrase(source=source, steps=tuple(steps))


@dataclass
class Text:
    """A text ready for matching: its folded words, their stems, and for each word the ids of
    the phrase words it matches."""

    words: list[str]
    stems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Text:
        found = words(text)
        return cls(words=found, stems=[stem(w) for w in found])

    def __post_init__(self) -> None:
        self._matched = [_INDEX.ids(w, s) for w, s in zip(self.words, self.stems, strict=True)]
        self._positions: dict[int, list[int]] = {}
        for position, ids in enumerate(self._matched):
            for matcher_id in ids:
                self._positions.setdefault(matcher_id, []).append(position)

    def positions(self, matcher: WordMatcher) -> list[int]:
        """Where ``matcher`` matches, in order."""
        return self._positions.get(matcher.id, [])

    def has(self, position: int, matcher: WordMatcher) -> bool:
        return matcher.id in self._matched[position]


def find(phrase: Phrase, text: Text, masked: frozenset[int] = frozenset()) -> tuple[int, ...]:
    """Positions of the words of ``text`` matching ``phrase`` (first match), or ``()``.

    Words at ``masked`` positions never match (they belong to a look-alike)."""
    return next(find_all(phrase, text, masked), ())


def find_all(phrase: Phrase, text: Text, masked: frozenset[int] = frozenset()):
    """Every match of ``phrase`` in ``text``, by starting position (see ``find``)."""
    if phrase.unordered:
        yield from _find_unordered(phrase, text, masked)
        return
    count = len(text.words)
    first = phrase.steps[0][0]
    for start in text.positions(first):
        if start in masked:
            continue
        found = [start]
        for matcher, gap in phrase.steps[1:]:
            previous = found[-1]
            hit = next(
                (
                    p
                    for p in range(previous + 1, min(count, previous + gap + 2))
                    if p not in masked and text.has(p, matcher)
                ),
                None,
            )
            if hit is None:
                break
            found.append(hit)
        else:
            yield tuple(found)


def _find_unordered(phrase: Phrase, text: Text, masked: frozenset[int]):
    # Each part anywhere, the parts' occurrences nearest to an occurrence of the first part.
    occurrences = [list(find_all(part, text, masked)) for part in phrase.unordered]
    if not all(occurrences):
        return
    for anchor in occurrences[0]:
        chosen = [anchor]
        for others in occurrences[1:]:
            chosen.append(min(others, key=lambda span: abs(span[0] - anchor[0])))
        positions = sorted({p for span in chosen for p in span})
        if positions[-1] - positions[0] <= UNORDERED_WINDOW + len(positions):
            yield tuple(positions)


def quote(text: Text, positions: tuple[int, ...]) -> str:
    """The words of ``text`` at ``positions``, as they were written (folded)."""
    return " ".join(text.words[p] for p in positions)
