"""Normalisation of contact fields before blocking and comparison.

Every function takes raw text (or ``None``) and returns a canonical string, ``""`` when the
value is missing or unusable, so that a missing field is never mistaken for a disagreement.
"""

import re
from datetime import date, datetime
from functools import lru_cache

from relais.core.text import fold_words, is_missing, phone_key

_NOT_DIGIT = re.compile(r"\D+")

# Street-type abbreviations found in French (and a few English) address books; both sides of
# a pair are expanded the same way, so that "bd" and "boulevard" agree.
STREET_WORDS = {
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "bvd": "boulevard",
    "r": "rue",
    "ch": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "pl": "place",
    "rte": "route",
    "rt": "route",
    "all": "allee",
    "sq": "square",
    "fg": "faubourg",
    "fbg": "faubourg",
    "qu": "quai",
    "crs": "cours",
    "res": "residence",
    "resid": "residence",
    "lot": "lotissement",
    "ham": "hameau",
    "st": "saint",
    "ste": "sainte",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "pdt": "president",
    "prom": "promenade",
    "sent": "sentier",
    "bis": "bis",
    "ter": "ter",
    "rd": "road",
    "dr": "drive",
    "cres": "crescent",
    "cct": "circuit",
    "pde": "parade",
    "hwy": "highway",
    "tce": "terrace",
}
# Words that carry no identity in an address.
STREET_NOISE = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et"})
CITY_WORDS = {"st": "saint", "ste": "sainte", "s": "sur", "ss": "sous"}


# Lower case, accents removed, every run of non-alphanumerics as one space: core's one fold.
fold = fold_words


@lru_cache(maxsize=200_000)  # names and cities repeat a lot in a base
def name(text) -> str:
    """A first or last name: folded, hyphens and apostrophes as spaces ("Jean-Pierre" and
    "jean pierre" agree; "J-P" becomes the initials "j p")."""
    folded = fold(text)
    return "" if folded in {"nan", "none", "null"} else folded


def initials(text: str) -> str:
    """Initials of a normalised name: "jean pierre" → "jp"."""
    return "".join(word[0] for word in text.split())


def squeeze(text: str) -> str:
    """A name without spaces, for comparisons that should ignore how words were split."""
    return text.replace(" ", "")


@lru_cache(maxsize=200_000)
def phonetic(text: str) -> str:
    """A cheap, language-neutral sound key for blocking: first letter, then consonants with
    doubled letters and silent "h" dropped, at most five characters. Survives most vowel
    typos, doubled letters and accents ("Lefèvre", "Lefebvre" → "lfbvr"/"lfvr" share "lf")."""
    word = squeeze(text)
    if not word:
        return ""
    out = [word[0]]
    for c in word[1:]:
        if c in "aeiouyhw" or c == out[-1]:
            continue
        out.append(c)
    return "".join(out)[:5]


# National significant number ("+33 6 12 34 56 78" -> "612345678"): core's one phone key.
phone = phone_key


def email(text) -> str:
    """Trimmed and lower-cased; an address without "@" or domain is kept (a typo still
    helps), an empty one is missing."""
    if is_missing(text):
        return ""
    return str(text).strip().lower().rstrip(",;.").replace(" ", "")


def street(text) -> str:
    """Folded address with abbreviations expanded and filler words dropped: "12, bd St
    Michel" → "12 boulevard saint michel"."""
    words = fold(text).split()
    out = [STREET_WORDS.get(word, word) for word in words if word not in STREET_NOISE]
    return " ".join(out)


@lru_cache(maxsize=100_000)
def city(text) -> str:
    """Folded city with "St"/"Ste" expanded and "Cedex" dropped."""
    words = [CITY_WORDS.get(word, word) for word in fold(text).split()]
    words = [word for word in words if word != "cedex" and not word.isdigit()]
    return " ".join(words)


def postal_code(text) -> str:
    """Digits only ("75 011", "75011.0" → "75011")."""
    if is_missing(text):
        return ""
    return _NOT_DIGIT.sub("", str(text).strip().removesuffix(".0"))


def identifier(text) -> str:
    """An identifier (VIN, plate, social-security or customer number): letters and digits,
    upper case."""
    value = fold(text).replace(" ", "").upper()
    return "" if value in {"NAN", "NONE", "NULL"} else value


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")


def birth_date(value) -> tuple[str, bool]:
    """``("YYYYMMDD", ok)``. Dates are read in ISO, dd/mm/yyyy (and - or . separators),
    yyyymmdd. A value that is no valid date but has eight digits (a typo such as "19781332")
    is kept as its digits, ``ok`` False, because it still matches its twin closely."""
    if value is None or value == "" or value != value:
        return "", True
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%Y%m%d"), True
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]  # a number read by a spreadsheet
    if not text or text.lower() in {"nan", "none", "null"}:
        return "", True
    text = text.split("T")[0].split(" ")[0]
    fast = _ISO.fullmatch(text) or _COMPACT.fullmatch(text)
    if fast or (fast := _DAY_FIRST.fullmatch(text)):
        # the common shapes without strptime, which costs ~10 µs a try on a million rows
        parts = fast.groups()
        year, month, day = parts if len(parts[0]) == 4 else parts[::-1]
        try:
            date(int(year), int(month), int(day))  # validates
            return f"{year}{int(month):02d}{int(day):02d}", True
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).strftime("%Y%m%d"), True
        except ValueError:
            continue
    day_first = _DAY_FIRST.fullmatch(text)
    if day_first:  # an impossible day-first date ("31/02/1980"): kept in year-first order
        day, month, year = day_first.groups()
        return f"{year}{int(month):02d}{int(day):02d}", False
    digits = _NOT_DIGIT.sub("", text)
    return (digits, False) if len(digits) == 8 else ("", False)
