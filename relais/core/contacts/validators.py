"""Validators for French contact data. Every message is in French and says what to fix."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from relais.core.contacts.normalize import digits  # noqa: F401  (re-exported)
from relais.core.contacts.postcodes import city_matches_postcode, postcode_exists

# The 88 divisions of the French activity nomenclature (NAF rév. 2).
NAF_DIVISIONS = frozenset(
    f"{n:02d}"
    for n in [
        *range(1, 4),
        *range(5, 10),
        *range(10, 34),
        *range(35, 40),
        *range(41, 44),
        *range(45, 48),
        *range(49, 54),
        55,
        56,
        *range(58, 64),
        64,
        65,
        66,
        68,
        *range(69, 76),
        *range(77, 83),
        84,
        85,
        86,
        87,
        88,
        *range(90, 94),
        94,
        95,
        96,
        97,
        98,
        99,
    ]
)
NAF_PATTERN = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
POSTCODE_PATTERN = re.compile(r"^\d{5}$")
# SIV plates (since 2009): two letters, three digits, two letters; no I, O or U.
PLATE_PATTERN = re.compile(r"^([A-HJ-NP-TV-Z]{2})-?(\d{3})-?([A-HJ-NP-TV-Z]{2})$")
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def normalize_phone(value: str) -> str:
    """Return the national format ("06 12 34 56 78") of a valid French number."""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro de téléphone."), params={"value": value}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un numéro de téléphone valide : il doit être attribué en France (ex. 01 23 45 67 89)."
            ),
            params={"value": value},
        )
    if number.country_code != 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def validate_phone(value: str) -> None:
    normalize_phone(value)


def validate_mobile(value: str) -> None:
    number = phonenumbers.parse(normalize_phone(value), "FR")
    if phonenumbers.number_type(number) not in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro de portable (06 ou 07)."), params={"value": value}
        )


def validate_postal_code(value: str) -> None:
    if not POSTCODE_PATTERN.match(value):
        raise ValidationError(
            _("Le code postal doit compter 5 chiffres (ex. 75011)."), code="postal_code_format"
        )
    if not postcode_exists(value):
        raise ValidationError(
            _("Le code postal %(value)s n'existe pas."),
            params={"value": value},
            code="postal_code_unknown",
        )


def validate_city_for_postal_code(postal_code: str, city: str) -> None:
    if (
        postal_code
        and city
        and postcode_exists(postal_code)
        and not city_matches_postcode(postal_code, city)
    ):
        raise ValidationError(
            _("La ville « %(city)s » ne correspond pas au code postal %(postal_code)s."),
            params={"city": city, "postal_code": postal_code},
            code="city_mismatch",
        )


def validate_siren(value: str) -> None:
    try:
        stdnum_siren.validate(value)
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(_("Le SIREN compte 9 chiffres.")) from exc
    except stdnum_errors.InvalidFormat as exc:
        raise ValidationError(_("Le SIREN ne contient que des chiffres.")) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Le SIREN %(value)s n'est pas valide (clé de contrôle incorrecte)."),
            params={"value": value},
        ) from exc


def validate_siret(value: str) -> None:
    try:
        stdnum_siret.validate(value)
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(_("Le SIRET compte 14 chiffres.")) from exc
    except stdnum_errors.InvalidFormat as exc:
        raise ValidationError(_("Le SIRET ne contient que des chiffres.")) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Le SIRET %(value)s n'est pas valide (clé de contrôle incorrecte)."),
            params={"value": value},
        ) from exc


def normalize_naf(value: str) -> str:
    """'4511z' -> '45.11Z'."""
    match = NAF_PATTERN.match(value.strip().upper())
    if not match or match.group(1) not in NAF_DIVISIONS:
        raise ValidationError(
            _("« %(value)s » n'est pas un code NAF (format 45.11Z)."), params={"value": value}
        )
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}"


def validate_naf(value: str) -> None:
    normalize_naf(value)


def normalize_plate(value: str) -> str:
    """'ab 123 cd' -> 'AB-123-CD'."""
    cleaned = re.sub(r"[\s.]", "", value.upper())
    match = PLATE_PATTERN.match(cleaned)
    if (
        not match
        or match.group(2) == "000"
        or match.group(1) in {"SS", "WW"}
        or match.group(3) == "SS"
    ):
        raise ValidationError(
            _("« %(value)s » n'est pas une immatriculation valide (format AA-123-AA)."),
            params={"value": value},
        )
    return "-".join(match.groups())


def validate_plate(value: str) -> None:
    normalize_plate(value)


def normalize_vin(value: str) -> str:
    cleaned = re.sub(r"[\s-]", "", value.upper())
    if len(cleaned) != 17:
        raise ValidationError(
            _(
                "Le numéro de châssis (VIN) compte 17 caractères ; « %(value)s » en compte %(count)s."
            ),
            params={"value": value, "count": len(cleaned)},
        )
    if not VIN_PATTERN.match(cleaned):
        raise ValidationError(
            _(
                "Le numéro de châssis ne peut contenir que des chiffres et des lettres, sauf I, O et Q."
            )
        )
    return cleaned


def validate_vin(value: str) -> None:
    normalize_vin(value)
