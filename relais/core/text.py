"""The one way Relais folds text and keys phone numbers, for search, grading and matching.

Every module compares names, answers and phones through these functions, so that "Hélène" and
"HELENE", or "06 12 34 56 78" and "+33 6 12 34 56 78", agree everywhere in the same way.
"""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_NOT_DIGIT = re.compile(r"\D+")
_MISSING = frozenset({"nan", "none", "null"})
# A French national significant number has nine digits after the trunk "0" or "+33".
_FRENCH_NSN_LENGTH = 9
_SHORTEST_PHONE = 6


def is_missing(value) -> bool:
    """Empty, ``None``, a NaN from a data frame, or the text of one ("nan", "None", "null")."""
    return not value or value != value or str(value).strip().lower() in _MISSING


def fold(text) -> str:
    """Case and accents removed, ligatures spelt out: 'Œuvre Hélène' -> 'oeuvre helene'.

    Punctuation and spacing are kept (a date typed "15/06/2025" stays one); ``None`` and NaN
    fold to "". ``casefold`` rather than ``lower``, so that "Straße" meets "STRASSE".
    """
    if not text or text != text:
        return ""
    text = str(text)
    if text.isascii():
        # Nothing to decompose nor spell out: only the case (``casefold`` is ``lower`` here).
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_words(text) -> str:
    """``fold``, then every run of characters other than a–z and 0–9 as one space."""
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


def phone_key(text) -> str:
    """The canonical comparable form of a phone number: its national significant digits.

    "+33 6 12 34 56 78", "06.12.34.56.78", "0033612345678", "+33 (0)6 12 34 56 78" and
    "0612345678" all give "612345678". A number of another country keeps its digits without
    the leading zeros; fewer than six digits is no number ("").
    """
    if is_missing(text):
        return ""
    digits = _NOT_DIGIT.sub("", str(text))
    if digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("33") and len(digits) in (11, 12):
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= _SHORTEST_PHONE else ""


def is_french_phone_key(key: str) -> bool:
    """Whether ``phone_key`` gave a French number (nine digits, not starting with 0)."""
    return len(key) == _FRENCH_NSN_LENGTH


# Characters no one types: C0 controls but tab, line feed and carriage return, and DEL. They
# break exports (XML refuses them) and hide text; text fields refuse them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The limit of a long text without a declared one (a note, a description, a message body).
TEXT_MAX_LENGTH = 10_000


def has_control_characters(text) -> bool:
    return isinstance(text, str) and CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str, replacement: str = "\ufffd") -> str:
    """``text`` with each control character replaced (for writing stored text out safely)."""
    return CONTROL_CHARACTERS.sub(replacement, text)
