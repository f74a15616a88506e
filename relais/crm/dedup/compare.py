"""Field-by-field comparison of two prepared records.

Each comparator returns a similarity in [0, 1], or ``None`` when either side is missing (a
missing field is evidence of nothing). The similarity is then cut into an agreement level —
``EXACT``, ``CLOSE``, ``FAIR`` or ``OTHER`` — which the Fellegi–Sunter weights of
``relais.crm.dedup.weights`` turn into a log-likelihood ratio.
"""

import re

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.fuzz import token_set_ratio

from relais.crm.dedup.normalize import initials, squeeze

EXACT, CLOSE, FAIR, OTHER = 0, 1, 2, 3
_DIGITS = re.compile(r"\d+")
LEVEL_NAMES = ("identique", "très proche", "proche", "différent")


def level(similarity: float) -> int:
    if similarity >= 0.999:
        return EXACT
    if similarity >= 0.9:
        return CLOSE
    if similarity >= 0.75:
        return FAIR
    return OTHER


def name_similarity(a: str, b: str) -> float:
    """Jaro–Winkler on the names without spaces; a compound name against one of its parts
    ("jean pierre" / "jean") or against its initials ("j p") counts as very close, not equal."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    sa, sb = squeeze(a), squeeze(b)
    if sa == sb:
        return 1.0
    if (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return 0.8  # an initial: consistent, but no more than that
    score = JaroWinkler.normalized_similarity(sa, sb)
    if " " in a or " " in b:
        if score < 0.92 and token_set_ratio(a, b) >= 99.9:
            score = 0.92
        if score < 0.92:
            short_a = all(len(w) == 1 for w in a.split())
            short_b = all(len(w) == 1 for w in b.split())
            if (short_a or short_b) and initials(a) == initials(b):
                score = 0.92
    return score


def names(first_a: str, last_a: str, first_b: str, last_b: str):
    """(first-name similarity, last-name similarity, swapped?): the first and last names are
    compared straight and crossed, and the better arrangement wins, so that a record with the
    names swapped still agrees."""
    if not (first_a or last_a) or not (first_b or last_b):
        return None, None, False
    if first_a == first_b and last_a == last_b:
        return (1.0 if first_a else None), (1.0 if last_a else None), False
    straight_f = name_similarity(first_a, first_b) if first_a and first_b else None
    straight_l = name_similarity(last_a, last_b) if last_a and last_b else None
    crossed_f = name_similarity(first_a, last_b) if first_a and last_b else None
    crossed_l = name_similarity(last_a, first_b) if last_a and first_b else None
    straight = (straight_f or 0.0) + (straight_l or 0.0)
    if straight >= 1.8:  # both names already agree: crossing cannot win by 0.15
        return straight_f, straight_l, False
    crossed = (crossed_f or 0.0) + (crossed_l or 0.0)
    if crossed > straight + 0.15 and crossed_f is not None and crossed_l is not None:
        # Which crossed name is the first name is unknown, and the score must not depend
        # on which record comes first. A surname is typed again more faithfully than a first
        # name (nicknames, initials, compound names): the closer pair is taken as surnames.
        return min(crossed_f, crossed_l), max(crossed_f, crossed_l), True
    return straight_f, straight_l, False


def birth_date(a: str, b: str) -> float | None:
    """Equal dates 1; a day and month swapped or one or two digits wrong, close; else 0."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    if len(a) == len(b) == 8 and a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return 0.92
    distance = OSA.distance(a, b)  # two neighbouring digits swapped count as one typo
    if distance == 1:
        return 0.92
    if distance == 2 and a[:4] == b[:4]:
        return 0.8  # two typos in the day and month; in the year, that is another person
    return 0.0


def email(a: str, b: str) -> float | None:
    """Levenshtein similarity; but two addresses whose names differ only by their digits
    ("jean.martin@…", "jean.martin45@…") are two mailboxes, namesakes' habit, not a typo."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    similarity = Levenshtein.normalized_similarity(a, b)
    if similarity >= 0.75 and _DIGITS.sub("", a) == _DIGITS.sub("", b):
        return 0.7
    return similarity


def phones(a: tuple, b: tuple) -> float | None:
    """Best agreement between any phone of one and any phone of the other: a mobile typed in
    the landline field still agrees. One digit wrong is close."""
    if not a or not b:
        return None
    best = 0.0
    for x in a:
        for y in b:
            if x == y:
                return 1.0
            if len(x) == len(y) and OSA.distance(x, y) == 1:
                best = 0.92
    if best == 0.0 and not (_mobile(a) and _mobile(b)) and not (_other(a) and _other(b)):
        # Only a mobile on one side, only a landline on the other: nothing to compare (a
        # mobile is one person's, a landline a home's; someone who moved gives a new one).
        return None
    return best


def _mobile(phones) -> bool:
    return any(len(p) == 9 and p[0] in "67" for p in phones)


def _other(phones) -> bool:
    return any(not (len(p) == 9 and p[0] in "67") for p in phones)


def street(a: str, b: str) -> float | None:
    """Token-set ratio, so word order and a missing word count little; a different house
    number caps the similarity, since two numbers of one street are two homes."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    score = token_set_ratio(a, b) / 100
    num_a = [w for w in a.split() if w.isdigit()]
    num_b = [w for w in b.split() if w.isdigit()]
    if num_a and num_b and num_a[0] != num_b[0]:
        score = min(score, 0.7)
    return score


def postal_code(a: str, b: str) -> float | None:
    """Equal 1; one digit wrong close; same first two digits (French département) fair."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    if len(a) == len(b) and OSA.distance(a, b) == 1:
        return 0.92
    if a[:2] == b[:2]:
        return 0.8
    return 0.0


def city(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    if a == b:
        return 1.0
    return JaroWinkler.normalized_similarity(squeeze(a), squeeze(b))


def identifier(a: str, b: str) -> float | None:
    """Identifiers (social-security or customer number): equal, one character wrong, or
    different."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    return 0.92 if OSA.distance(a, b) == 1 else 0.0


def identifiers(a: tuple, b: tuple) -> float | None:
    """Any shared VIN or plate."""
    if not a or not b:
        return None
    return 1.0 if set(a) & set(b) else 0.0
