"""Valid-by-construction French identifiers for generated data.

Every value here passes the validators of ``relais.core.contacts.validators`` without
being checked one by one, which is what lets the generator write 100,000 customers in
bulk: plates follow the SIV series, VINs carry a real manufacturer prefix, model-year code
and ISO 3779 check digit, SIREN/SIRET carry their Luhn key, phone numbers use prefixes that
``phonenumbers`` knows as allocated.
"""

import csv
import gzip
import random
from datetime import date
from functools import cache

import phonenumbers
from stdnum import luhn

from relais.core.contacts import postcodes

# SIV plates never use I, O or U.
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
# The SIV series started at AA-001-AA in April 2009 and reached HA-001-AA early in 2025.
SIV_START = date(2009, 4, 15)
SIV_PAIRS_PER_YEAR = 10.25
FORBIDDEN_PLATE_PAIRS = {"SS", "WW"}

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Position 10 of a VIN: the model year, on a 30-year cycle starting with A = 1980.
_MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"

# The first digit after 0 of a French landline follows the region of the address.
_PHONE_ZONES = {
    "1": "75 77 78 91 92 93 94 95",
    "2": "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85",
    "3": "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
    "4": "01 03 04 05 06 07 11 13 15 20 26 30 34 38 42 43 48 63 66 69 73 74 83 84",
    "5": "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87",
}
ZONE_OF_DEPARTMENT = {dept: zone for zone, depts in _PHONE_ZONES.items() for dept in depts.split()}


def plate(rng: random.Random, registered_on: date) -> str:
    """An SIV plate whose series matches its first registration date (AA-123-AA)."""
    years = max((registered_on - SIV_START).days, 0) / 365.25
    index = int(years * SIV_PAIRS_PER_YEAR + rng.uniform(-0.8, 0.8))
    index = min(max(index, 0), len(PLATE_LETTERS) ** 2 - 1)
    first = PLATE_LETTERS[index // len(PLATE_LETTERS)] + PLATE_LETTERS[index % len(PLATE_LETTERS)]
    if first in FORBIDDEN_PLATE_PAIRS:
        first = first[0] + "T"
    last = "SS"
    while last == "SS":
        last = rng.choice(PLATE_LETTERS) + rng.choice(PLATE_LETTERS)
    return f"{first}-{rng.randint(1, 999):03d}-{last}"


def vin(rng: random.Random, wmi: str, model_code: str, model_year: int) -> str:
    """A 17-character VIN: manufacturer prefix, model code, check digit, year, plant, serial."""
    descriptor = (model_code + "".join(rng.choice(VIN_ALPHABET) for _ in range(5)))[:5]
    year_code = _MODEL_YEAR_CODES[(model_year - 1980) % 30]
    plant = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    serial = f"{rng.randint(0, 999_999):06d}"
    draft = f"{wmi}{descriptor}0{year_code}{plant}{serial}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(draft, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return draft[:8] + check + draft[9:]


def siren(rng: random.Random, *, public: bool = False) -> str:
    """A SIREN with its Luhn key; public bodies' numbers start with 2."""
    body = ("2" if public else str(rng.randint(3, 9))) + f"{rng.randint(0, 9_999_999):07d}"
    return body + luhn.calc_check_digit(body)


def siret(rng: random.Random, siren_number: str) -> str:
    """A SIRET of the establishment: SIREN, a four-digit NIC, and the Luhn key of the whole."""
    body = siren_number + f"{rng.choice((1, 1, 1, 2, 3, 4, 5, 12, 24, 36)):04d}"
    return body + luhn.calc_check_digit(body)


@cache
def _phone_prefixes() -> dict[str, tuple[str, ...]]:
    """Three-digit prefixes (after the leading 0) that phonenumbers accepts, per kind."""

    def allocated(prefix: int, kind) -> bool:
        number = phonenumbers.parse(f"0{prefix}123456", "FR")
        return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == kind

    fixed = phonenumbers.PhoneNumberType.FIXED_LINE
    mobile = phonenumbers.PhoneNumberType.MOBILE
    prefixes = {
        zone: tuple(
            str(p) for p in range(int(zone) * 100, int(zone) * 100 + 100) if allocated(p, fixed)
        )
        for zone in _PHONE_ZONES
    }
    prefixes["6"] = tuple(str(p) for p in range(600, 700) if allocated(p, mobile))
    prefixes["7"] = tuple(str(p) for p in range(730, 800) if allocated(p, mobile))
    return prefixes


def _national(prefix: str, rng: random.Random) -> str:
    digits = "0" + prefix + f"{rng.randint(0, 999_999):06d}"
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def mobile_phone(rng: random.Random) -> str:
    """A French mobile number in national format (06/07)."""
    return _national(rng.choice(_phone_prefixes()["6" if rng.random() < 0.75 else "7"]), rng)


def landline_phone(rng: random.Random, postal_code: str) -> str:
    """A landline number of the region of ``postal_code`` (01 to 05)."""
    zone = ZONE_OF_DEPARTMENT.get(postal_code[:2], "1")
    return _national(rng.choice(_phone_prefixes()[zone]), rng)


@cache
def _places_by_department() -> dict[str, tuple[tuple[str, str], ...]]:
    """(postcode, commune) pairs of metropolitan France, grouped by department."""
    table: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(postcodes.DATA_FILE, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            code = row["postal_code"]
            if code[:2] not in ZONE_OF_DEPARTMENT:
                continue  # overseas: other phone plans, other plates history
            city = row["city"]
            if " Arrondissement" in city:
                # "Lyon 3e Arrondissement" is addressed as "Lyon".
                city = city.split(" ")[0]
            table.setdefault(code[:2], []).append((code, city))
    return {dept: tuple(sorted(set(pairs))) for dept, pairs in table.items()}


def place(rng: random.Random, departments: dict[str, float]) -> tuple[str, str]:
    """A real (postcode, city) pair: mostly from ``departments`` (weights), else anywhere."""
    places = _places_by_department()
    population, cumulative = _weights(tuple(departments.items()))
    dept = rng.choices(population, cum_weights=cumulative)[0]
    if dept not in places:
        dept = rng.choice(_departments())
    return rng.choice(places[dept])


@cache
def _weights(items: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    """``random.choices`` arguments (population, cumulative weights), computed once."""
    population = [key for key, _ in items]
    cumulative, total = [], 0.0
    for _, weight in items:
        total += weight
        cumulative.append(total)
    return population, cumulative


@cache
def _departments() -> list[str]:
    return sorted(_places_by_department())
