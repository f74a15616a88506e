"""Text normalisation shared by search, validation and de-duplication.

Search must be accent-, case- and format-insensitive: "Hélène", "HELENE" and "helene" are
one name, "06 12 34 56 78" and "+33612345678" one phone, "AB-123-CD" and "ab123cd" one plate.
"""

import re

from relais.core.text import fold  # noqa: F401  (re-exported: the one fold)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIALLABLE = re.compile(r"^[\d\s().+/-]+$")


def compact(text: str) -> str:
    """Fold and keep letters and digits only: 'AB-123-CD' -> 'ab123cd'."""
    return _NON_ALNUM.sub("", fold(text))


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def national_digits(number: str) -> str:
    """The national form of a French number's digits, whichever way the prefix was written.

    '33612345678' (+33 6…), '0033612345678' (00 33 6…) and '330612345678' (+33 (0)6…)
    all give '0612345678'; anything else is returned unchanged.
    """
    for prefix in ("0033", "33"):
        if number.startswith(prefix):
            rest = number[len(prefix) :]
            if len(rest) == 10 and rest.startswith("0"):
                rest = rest[1:]
            if len(rest) == 9:
                return "0" + rest
    return number


def phone_variants(phone: str) -> list[str]:
    """Digit strings a person might type for a French number: national and international."""
    only = national_digits(digits(phone))
    if not only:
        return []
    variants = {only}
    if only.startswith("0") and len(only) == 10:
        variants.add("33" + only[1:])
    return sorted(variants)


def search_terms(query: str) -> list[str]:
    """Split a search box entry into compact terms that must all match.

    A query made only of digits and phone punctuation is one term ("06 12 34 56 78"),
    with a leading international prefix turned national, so that it meets the stored
    national form.
    """
    query = query.strip()
    if not query:
        return []
    if _DIALLABLE.match(query) and sum(c.isdigit() for c in query) >= 4:
        return [national_digits(digits(query))]
    return [term for term in (compact(word) for word in query.split()) if term]
