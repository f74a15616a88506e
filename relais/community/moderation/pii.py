"""Personal data in a member's text: social-security number (NIR), IBAN, phone, e-mail address.

A message that seems to contain one is held for approval (``require_approval``) and its author
is told why (``reason``). Numbers are reported only when their checksum is right, so that an
order reference or a SIRET typed in a question does not hold it:

* **NIR**: 15 characters — sex (1, 2, or 3, 4, 7, 8 for provisional numbers), year, month,
  department (two digits, "2A" or "2B" for Corsica), commune, order, then the key, which is
  97 − (the first 13 digits mod 97), Corsica counted as 19 (2A) and 18 (2B). Spaces, dots,
  dashes and non-breaking spaces are allowed between any two characters;
* **IBAN**: two letters, two check digits and the account, mod-97 checksum and the country's
  length and format (``python-stdnum``; not the national check digits some
  countries add), spaces allowed;
* **phone numbers**: what ``phonenumbers`` finds as valid numbers, French by default
  ("06 12 34 56 78", "+33 6 12 34 56 78", "01.40.20.50.50"), not inside a NIR or an IBAN;
* **e-mail addresses**.

The organisation's own public contacts (its phone numbers, its addresses) are no personal data:
``find(text, public=public_keys([...]))`` leaves them out.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from relais.core.text import phone_key

NIR = "nir"
IBAN = "iban"
PHONE = "phone"
EMAIL = "email"
KINDS = (NIR, IBAN, PHONE, EMAIL)

_SEP = "[ .\\-\u00a0\u202f]?"
# Looked for at each position (a lookahead), so that a candidate failing its checksum does not
# hide a valid number starting a little further.
_NIR_CANDIDATE = re.compile(rf"(?<!\w)(?=([1-478](?:{_SEP}[0-9ABab]){{14}})(?!\w))")
_NIR_SHAPE = re.compile(r"^[1-478]\d{4}(?:\d\d|2[AB])\d{8}$")
_IBAN_CANDIDATE = re.compile(rf"(?<!\w)(?=([A-Za-z]{{2}}\d\d(?:{_SEP}[A-Za-z0-9]){{10,32}}))")
_SEPARATORS = re.compile(_SEP.replace("?", "+"))
_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])", re.IGNORECASE
)
_PHONE_HINT = re.compile(r"\d(?:\D{0,3}\d){7}")
_SHORTEST_IBAN = 14
_NOT_DIGIT = re.compile(r"\D+")
_NIR_DIGITS = 13  # 15 characters, "2A"/"2B" counting no digit
_FEWEST_IBAN_DIGITS = 8  # two check digits and the account: Maltese IBANs have the fewest
_FEWEST_PHONE_DIGITS = 8
_CORSICA = {"2A": "19", "2B": "18"}


@dataclass(frozen=True)
class Finding:
    """Personal data found in a text: ``text[start:end]``."""

    kind: str
    start: int
    end: int


def nir_is_valid(value: str) -> bool:
    """Whether ``value`` (separators allowed) is a NIR whose key is right."""
    compact = _SEPARATORS.sub("", value).upper()
    if not _NIR_SHAPE.match(compact):
        return False
    body = compact[:5] + _CORSICA.get(compact[5:7], compact[5:7]) + compact[7:13]
    return 97 - int(body) % 97 == int(compact[13:])


def iban_is_valid(value: str) -> bool:
    """Whether ``value`` (spaces allowed) is an IBAN: checksum, country length and format."""
    compact = _SEPARATORS.sub("", value).upper()
    if len(compact) < _SHORTEST_IBAN or not compact[:2].isalpha():
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1 and stdnum_iban.is_valid(compact, check_country=False)


def _candidates(pattern: re.Pattern, text: str) -> Iterator[tuple[int, str]]:
    for match in pattern.finditer(text):
        yield match.start(1), match.group(1)


def _nirs(text: str) -> Iterator[Finding]:
    taken = 0
    for start, candidate in _candidates(_NIR_CANDIDATE, text):
        if start >= taken and nir_is_valid(candidate):
            taken = start + len(candidate)
            yield Finding(NIR, start, taken)


def _ibans(text: str) -> Iterator[Finding]:
    """The longest valid IBAN at each candidate position: the candidate may run into the words
    that follow ("FR76 … 189 merci"), so it is shortened group by group until it is one."""
    taken = 0
    for start, candidate in _candidates(_IBAN_CANDIDATE, text):
        if start < taken:
            continue
        for end in range(len(candidate), _SHORTEST_IBAN - 1, -1):
            if not candidate[end - 1].isalnum() or (
                end < len(candidate) and candidate[end].isalnum()
            ):
                continue  # an IBAN ends where a group ends
            if iban_is_valid(candidate[:end]):
                taken = start + end
                yield Finding(IBAN, start, taken)
                break


def _phones(text: str, numbers: list[Finding]) -> Iterator[Finding]:
    if not _PHONE_HINT.search(text):
        return
    matcher = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        if any(match.start < found.end and found.start < match.end for found in numbers):
            continue
        yield Finding(PHONE, match.start, match.end)


def public_keys(contacts: Iterable[str]) -> frozenset[str]:
    """Comparable keys of public contacts (the organisation's phone numbers and addresses, which
    members may quote freely): e-mail addresses case-folded, phones by ``phone_key``."""
    return frozenset(
        contact.strip().casefold() if "@" in contact else phone_key(contact)
        for contact in contacts
        if contact and contact.strip()
    ) - {""}


def find(text: str, *, public: frozenset[str] = frozenset()) -> list[Finding]:
    """Every piece of personal data in ``text``, in the order of the text; phone numbers and
    e-mail addresses in ``public`` (``public_keys``) are not personal data."""
    findings = _find(text)
    if public:
        findings = [
            finding
            for finding in findings
            if _contact_key(finding, text[finding.start : finding.end]) not in public
        ]
    return findings


def _contact_key(finding: Finding, written: str) -> str:
    if finding.kind == EMAIL:
        return written.casefold()
    if finding.kind == PHONE:
        return phone_key(written)
    return ""


def _find(text: str) -> list[Finding]:
    findings: list[Finding] = []
    digits = len(_NOT_DIGIT.sub("", text))  # most messages have too few to hide a number
    if digits >= _NIR_DIGITS:
        findings += _nirs(text)
    if digits >= _FEWEST_IBAN_DIGITS:
        findings += _ibans(text)
    if digits >= _FEWEST_PHONE_DIGITS:
        findings += _phones(text, findings)
    if "@" in text:
        findings += (Finding(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text))
    findings.sort(key=lambda finding: (finding.start, finding.end))
    return findings


def reason(kind: str) -> str:
    """Why a message with personal data of this kind is held, told to its author in French."""
    reasons = {
        NIR: _(
            "Votre message semble contenir un numéro de sécurité sociale : il sera relu par un "
            "modérateur avant d'être publié. Ce numéro est une donnée personnelle sensible ; "
            "ne le publiez jamais dans un espace public, même partiellement."
        ),
        IBAN: _(
            "Votre message semble contenir des coordonnées bancaires (IBAN) : il sera relu par "
            "un modérateur avant d'être publié. Ne publiez pas vos coordonnées bancaires dans "
            "un espace public."
        ),
        PHONE: _(
            "Votre message semble contenir un numéro de téléphone : il sera relu par un "
            "modérateur avant d'être publié, pour protéger vos coordonnées."
        ),
        EMAIL: _(
            "Votre message semble contenir une adresse électronique : il sera relu par un "
            "modérateur avant d'être publié, pour protéger vos coordonnées."
        ),
    }
    return reasons[kind]
