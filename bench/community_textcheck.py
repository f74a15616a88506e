"""Banned words at 2,000 entries: Relais's one-pass matcher against one regular expression per word.

Data (seeded, in memory): a list of 2,000 entries — French-like invented words (syllables and
French endings: -ard, -asse, -eur, -on, -ette…), one in ten a two-word phrase, every action
represented — and ~20,000 forum messages in French (one to five sentences of social-protection
vocabulary and Faker's fr_FR prose words, like ``bench.knowledge``). One message in six carries
a banned word as listed ("plain"); one in twenty an inflected or obfuscated form (plural,
feminine, capitals, ``c0nn@rd``, ``connnnard``, ``c.o.n``); the rest are clean.

* **relais**: ``BannedWords(entries)`` compiled once, then ``check(text)`` per message (the full
  verdict: action, reasons, censored text); also ``check_text`` with the personal-data
  detectors, for information;
* **baseline**: the text folded (``relais.core.text.fold``), then one compiled
  ``\\b<word>\\b`` IGNORECASE expression per entry searched in turn, the strongest action kept.

The report gives messages per CPU second for both (process time, so that other work on a shared
machine does not skew them; wall time is printed too) and their ratio (target ≥ 10×), and checks that
the two agree where the baseline's semantics apply: on every message, each entry the baseline
finds is found by Relais, and on the messages with plain words only both find the same entries.
"""

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 10
BASELINE_LABEL = "baseline (one re \\b…\\b IGNORECASE per entry)"
ACTIONS = (
    ["block"] * 3 + ["require_approval"] * 2 + ["flag"] * 2 + ["censor"] * 3
    + ["replace:[supprimé]", "link:https://exemple.fr/charte"]
)  # fmt: skip
_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "j",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "br",
    "cr",
    "dr",
    "fr",
    "gr",
    "pl",
    "tr",
    "ch",
    "gn",
]
_VOWELS = ["a", "e", "i", "o", "u", "ou", "ai", "au", "eu", "an", "on", "in"]
_ENDINGS = [
    "ard",
    "asse",
    "eur",
    "euse",
    "on",
    "ette",
    "ier",
    "ot",
    "oche",
    "ouille",
    "ace",
    "ure",
    "iste",
    "ade",
    "aud",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.community_textcheck", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--entries", type=int, default=2000, help="entries of the list (2000)")
    parser.add_argument("--texts", type=int, default=20_000, help="messages (20000)")
    parser.add_argument("--seed", type=int, default=2025)
    args, _unknown = parser.parse_known_args(argv)
    if args.entries < 1 or args.texts < 1:
        parser.error("--entries and --texts must be at least 1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from relais.community.moderation.textcheck import BannedWords, check_text
    from relais.community.moderation.words import VERDICT_RANK, make_entry
    from relais.core.text import fold

    rng = random.Random(args.seed)
    vocabulary = _vocabulary()
    entries = [make_entry(word, action) for word, action in _entries(rng, args.entries, vocabulary)]
    texts = list(_texts(rng, args.texts, entries, vocabulary))
    plain_count = sum(1 for _text, kind in texts if kind == "plain")
    varied_count = sum(1 for _text, kind in texts if kind == "varied")
    print(
        f"{len(entries)} entries ({sum(' ' in e.word for e in entries)} phrases), "
        f"{len(texts)} messages ({plain_count} with plain banned words, {varied_count} with "
        f"inflected or obfuscated ones), {sum(len(t) for t, _k in texts) / len(texts):.0f} "
        "characters on average"
    )

    (banned,), compile_relais, _wall = _timed(lambda: [BannedWords(entries)])
    patterns, compile_baseline, _wall = _timed(
        lambda: [
            (re.compile(r"\b" + re.escape(fold(entry.word)) + r"\b", re.IGNORECASE), entry)
            for entry in entries
        ]
    )

    def baseline(text: str) -> tuple[str, set]:
        folded = fold(text)
        action, found = "allow", set()
        for pattern, entry in patterns:
            if pattern.search(folded):
                found.add(entry)
                if VERDICT_RANK[entry.verdict] > VERDICT_RANK[action]:
                    action = entry.verdict
        return action, found

    relais_results, relais_seconds, relais_wall = _timed(
        lambda: [banned.check(text) for text, _kind in texts]
    )
    full_results, full_seconds, full_wall = _timed(
        lambda: [check_text(text, banned) for text, _kind in texts]
    )
    baseline_results, baseline_seconds, baseline_wall = _timed(
        lambda: [baseline(text) for text, _kind in texts]
    )

    missed = disagree = inflected = 0
    examples = []
    for (text, kind), verdict, (_action, found) in zip(
        texts, relais_results, baseline_results, strict=True
    ):
        ours = {hit.entry for hit in verdict.hits}
        if found - ours:
            missed += 1
            if len(examples) < 3:
                examples.append((text, sorted(e.word for e in found - ours)))
        if kind in ("plain", "clean") and ours != found:
            # Relais finding more is right only when what it found is another form of the
            # entry (e.g. "rueuse", listed itself, is also the feminine of the entry "rueur").
            extra = [hit for hit in verdict.hits if hit.entry not in found]
            if all(fold(text[hit.start : hit.end]) != fold(hit.entry.word) for hit in extra):
                inflected += 1
            else:
                disagree += 1
    caught = {
        kind: sum(
            1 for (_t, k), v in zip(texts, relais_results, strict=True) if k == kind and v.hits
        )
        for kind in ("plain", "varied")
    }
    caught_baseline = {
        kind: sum(
            1 for (_t, k), r in zip(texts, baseline_results, strict=True) if k == kind and r[1]
        )
        for kind in ("plain", "varied")
    }
    held = sum(1 for verdict in full_results if verdict.findings)

    rate_relais = len(texts) / relais_seconds
    rate_full = len(texts) / full_seconds
    rate_baseline = len(texts) / baseline_seconds
    ratio = rate_relais / rate_baseline
    print()
    print(f"{'method':<48} {'messages/s':>11} {'CPU s':>7} {'wall s':>7} {'compile ms':>11}")
    print("-" * 88)
    print(
        f"{'relais (BannedWords.check, one pass)':<48} {rate_relais:>11,.0f} "
        f"{relais_seconds:>7.2f} {relais_wall:>7.2f} {compile_relais * 1000:>11.1f}"
    )
    print(
        f"{'relais + personal data (check_text)':<48} {rate_full:>11,.0f} "
        f"{full_seconds:>7.2f} {full_wall:>7.2f}"
    )
    print(
        f"{BASELINE_LABEL:<48} {rate_baseline:>11,.0f} "
        f"{baseline_seconds:>7.2f} {baseline_wall:>7.2f} {compile_baseline * 1000:>11.1f}"
    )
    print(f"{'ratio relais / baseline (CPU time)':<48} {ratio:>10.1f}×")
    print()
    print(
        f"agreement on plain words: entries found by the baseline and missed by relais: "
        f"{missed} message(s); plain or clean messages where relais finds a listed word the "
        f"baseline does not: {disagree}; where relais finds more because a word is also an "
        f"inflected form of another entry: {inflected}"
    )
    for text, words in examples:
        print(f"  missed {words} in: {text[:120]}")
    print(
        f"caught: plain {caught['plain']}/{plain_count} (baseline {caught_baseline['plain']}), "
        f"inflected or obfuscated {caught['varied']}/{varied_count} (baseline "
        f"{caught_baseline['varied']}); messages with personal data: {held}"
    )
    print(
        f"target: ≥ {TARGET_RATIO}× the baseline's throughput — {ratio:.0f}× "
        f"({'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    return 0 if not missed and not disagree else 1


def _timed(work):
    """``work()``, its CPU time (this process only: other load on a shared machine does not
    count) and its wall-clock time, in seconds."""
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    result = work()
    return result, time.process_time() - started_cpu, time.perf_counter() - started_wall


def _vocabulary() -> list[str]:
    from faker.providers.lorem.fr_FR import Provider

    from bench.knowledge import COMMON, TOPICS

    words = list(Provider.word_list) + COMMON + [form for forms in TOPICS for form in forms]
    return [word for word in words if word]


def _entries(rng: random.Random, count: int, vocabulary: list[str]):
    """``count`` (word, action) pairs: invented French-like words, one in ten a phrase made of
    an invented word and a real one; none of them a real word of the messages."""
    from relais.community.moderation.forms import inflections
    from relais.core.text import fold

    taken = set()
    for word in vocabulary:
        taken |= inflections(fold(word))
    seen: set[str] = set()
    made = 0
    while made < count:
        syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(1, 2))]
        word = "".join(syllables) + rng.choice(_ENDINGS)
        if word in seen or inflections(word) & taken:
            continue
        seen.add(word)
        if rng.random() < 0.1:
            word = f"{word} {rng.choice(('de', 'du', 'des', 'sale', 'gros', 'vieux'))}"
            if word in seen:
                continue
            seen.add(word)
        made += 1
        yield word, rng.choice(ACTIONS)


def _variant(rng: random.Random, word: str) -> str:
    """An inflected, capitalised or obfuscated form of a one-word entry."""
    choice = rng.randrange(6)
    if choice == 0:
        return word + "s"
    if choice == 1:
        return word.upper()
    if choice == 2:
        return word.replace("o", "0", 1).replace("a", "@", 1).replace("e", "3", 1)
    if choice == 3:
        index = rng.randrange(len(word))
        return word[:index] + word[index] * 4 + word[index + 1 :]
    if choice == 4:
        return ".".join(word)
    return word.capitalize()


def _texts(rng: random.Random, count: int, entries, vocabulary: list[str]):
    """``(text, kind)``: kind "plain" (banned words as listed), "varied" (an inflected or
    obfuscated form) or "clean"."""
    from bench.knowledge import QUESTION_STARTS

    singles = [entry.word for entry in entries if " " not in entry.word]
    listed = [entry.word for entry in entries]
    for index in range(count):
        sentences = []
        for _sentence in range(rng.randint(1, 5)):
            words = rng.choices(vocabulary, k=rng.randint(6, 16))
            if index % 7 == 0 and rng.random() < 0.2:
                words.append(
                    rng.choice(
                        ("06 12 34 56 78", "jean.dupont@exemple.fr", "2 53 07 2A 073 004 43")
                    )
                )
            sentences.append(words)
        kind = "clean"
        roll = rng.random()
        if roll < 1 / 6:
            kind = "plain"
            for _word in range(rng.randint(1, 2)):
                rng.choice(sentences).insert(rng.randint(0, 5), rng.choice(listed))
        elif roll < 1 / 6 + 1 / 20:
            kind = "varied"
            rng.choice(sentences).insert(rng.randint(0, 5), _variant(rng, rng.choice(singles)))
        parts = []
        for number, words in enumerate(sentences):
            if number == 0 and rng.random() < 0.4:
                parts.append(f"{rng.choice(QUESTION_STARTS)} {' '.join(words)} ?")
            else:
                parts.append(" ".join(words).capitalize() + ".")
        yield " ".join(parts), kind


if __name__ == "__main__":
    sys.exit(main())
