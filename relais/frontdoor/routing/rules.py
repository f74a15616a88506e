"""The network's editable routing rules and critical-event catalogue, loaded from ``data/``.

``rules.toml`` holds, per body, its French name and the phrases that point to it (strong ones
weigh 2, weak ones 1); ``critical_events.toml`` the critical events with their triggers,
look-alikes, bodies to alert, call-back deadline and checklist of legal steps. Both are
compiled once (``load_rules``, ``load_catalogue``) and matched on a ``phrases.Text``.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .phrases import Phrase, Text, compile_phrase, find, quote

DATA_DIR = Path(__file__).resolve().parent / "data"
RULES_PATH = DATA_DIR / "rules.toml"
CATALOGUE_PATH = DATA_DIR / "critical_events.toml"
STRONG_WEIGHT = 2.0
WEAK_WEIGHT = 1.0


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Body:
    code: str
    name: str
    description: str
    phrases: tuple[tuple[Phrase, float], ...]


@dataclass(frozen=True)
class RuleMatch:
    body: str
    phrase: str  # as written in the rules
    words: str  # the words of the text that matched
    weight: float


@dataclass(frozen=True)
class RuleSet:
    bodies: tuple[Body, ...]
    digest: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(body.code for body in self.bodies)

    def name(self, code: str) -> str:
        return next((b.name for b in self.bodies if b.code == code), code)

    def match(self, text: Text) -> list[RuleMatch]:
        """Every phrase of every body found in ``text``, in the order of the rules."""
        found = []
        for body in self.bodies:
            for phrase, weight in body.phrases:
                # Most phrases' first word is not in the text: skip them without a generator.
                if not phrase.unordered and not text.positions(phrase.steps[0][0]):
                    continue
                positions = find(phrase, text)
                if positions:
                    found.append(
                        RuleMatch(body.code, phrase.source, quote(text, positions), weight)
                    )
        return found

    def scores(self, matches: list[RuleMatch]) -> dict[str, float]:
        """Summed weights per body (0 for a body without a match)."""
        totals = dict.fromkeys(self.codes, 0.0)
        for match in matches:
            totals[match.body] += match.weight
        return totals


def parse_rules(data: dict, digest: str = "") -> RuleSet:
    bodies = []
    for code, table in data.items():
        phrases = [(compile_phrase(p), STRONG_WEIGHT) for p in table.get("strong", [])]
        phrases += [(compile_phrase(p), WEAK_WEIGHT) for p in table.get("weak", [])]
        bodies.append(
            Body(
                code=code,
                name=table.get("name", code),
                description=table.get("description", ""),
                phrases=tuple(phrases),
            )
        )
    return RuleSet(bodies=tuple(bodies), digest=digest)


@lru_cache(maxsize=4)
def _load_rules(path: str, digest: str) -> RuleSet:
    with open(path, "rb") as handle:
        return parse_rules(tomllib.load(handle), digest)


def load_rules(path: Path = RULES_PATH) -> RuleSet:
    """The rules in ``path``, compiled once per content."""
    return _load_rules(str(path), file_digest(path))


# --- critical events ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistStep:
    step: str
    hours: int | None  # deadline from receipt; None: no legal deadline
    basis: str


@dataclass(frozen=True)
class CriticalEvent:
    code: str
    label: str
    bodies: tuple[str, ...]
    callback_hours: int
    checklist: tuple[ChecklistStep, ...]
    triggers: tuple[Phrase, ...]
    excludes: tuple[Phrase, ...]
    supersedes: tuple[str, ...]


@dataclass(frozen=True)
class CriticalMatch:
    code: str
    phrase: str
    words: str


@dataclass(frozen=True)
class Catalogue:
    events: tuple[CriticalEvent, ...]
    digest: str

    def get(self, code: str) -> CriticalEvent:
        for event in self.events:
            if event.code == code:
                return event
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(event.code for event in self.events)

    def look_alikes(self, text: Text) -> list[str]:
        """The look-alike phrases (``excludes``) found in ``text``: its author said such words
        are not critical, so the classifier's safety net keeps quiet."""
        return [
            exclude.source
            for event in self.events
            for exclude in event.excludes
            if find(exclude, text)
        ]

    def detect(self, text: Text) -> list[CriticalMatch]:
        """The first trigger found for each event in ``text``, look-alikes set aside; an event
        superseded by another one found (a serious accident by a fatal one) is dropped."""
        found: dict[str, CriticalMatch] = {}
        for event in self.events:
            masked = frozenset(p for exclude in event.excludes for p in find(exclude, text))
            for trigger in event.triggers:
                positions = find(trigger, text, masked)
                if positions:
                    found[event.code] = CriticalMatch(
                        event.code, trigger.source, quote(text, positions)
                    )
                    break
        dropped = {code for c in found for code in self.get(c).supersedes}
        return [match for code, match in found.items() if code not in dropped]


def parse_catalogue(data: dict, digest: str = "") -> Catalogue:
    events = []
    for code, table in data.items():
        events.append(
            CriticalEvent(
                code=code,
                label=table["label"],
                bodies=tuple(table.get("bodies", [])),
                callback_hours=int(table["callback_hours"]),
                checklist=tuple(
                    ChecklistStep(item["step"], item.get("hours"), item.get("basis", ""))
                    for item in table.get("checklist", [])
                ),
                triggers=tuple(compile_phrase(p) for p in table.get("triggers", [])),
                excludes=tuple(compile_phrase(p) for p in table.get("excludes", [])),
                supersedes=tuple(table.get("supersedes", [])),
            )
        )
    return Catalogue(events=tuple(events), digest=digest)


@lru_cache(maxsize=4)
def _load_catalogue(path: str, digest: str) -> Catalogue:
    with open(path, "rb") as handle:
        return parse_catalogue(tomllib.load(handle), digest)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The critical-event catalogue in ``path``, compiled once per content."""
    return _load_catalogue(str(path), file_digest(path))
