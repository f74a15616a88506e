"""Validators of French contact data, and the model-level checks built on them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from relais.core.contacts import validators as v
from relais.core.contacts.models import Company, Person
from relais.core.organizations.models import Organization

# --- Phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("01 23 45 67 89", "01 23 45 67 89"),
        ("0123456789", "01 23 45 67 89"),
        ("01.23.45.67.89", "01 23 45 67 89"),
        ("+33 1 23 45 67 89", "01 23 45 67 89"),
        ("04 78 00 00 00", "04 78 00 00 00"),
        ("09 70 12 34 56", "09 70 12 34 56"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("06-12-34-56-78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("0033 6 12 34 56 78", "06 12 34 56 78"),
    ],
)
def test_normalize_phone_accepts_french_numbers_in_any_format(raw, national):
    assert v.normalize_phone(raw) == national
    v.validate_phone(raw)


def test_normalize_phone_keeps_foreign_numbers_international():
    assert v.normalize_phone("+44 20 7946 0958") == "+44 20 7946 0958"


@pytest.mark.parametrize(
    "raw",
    [
        "012345678",  # nine digits
        "01234567890",  # eleven digits
        "01 23 45 67 8a",
        "abcdefghij",
        "06 12",
        "+33 6 12",
    ],
)
def test_validate_phone_refuses_wrong_numbers(raw):
    with pytest.raises(ValidationError) as exc:
        v.validate_phone(raw)
    assert "numéro de téléphone" in exc.value.messages[0]


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "+33 7 56 12 34 56", "07 56 12 34 56"])
def test_validate_mobile_accepts_mobiles(raw):
    v.validate_mobile(raw)


@pytest.mark.parametrize("raw", ["01 23 45 67 89", "+33 4 78 00 00 00", "09 70 12 34 56"])
def test_validate_mobile_refuses_a_landline(raw):
    with pytest.raises(ValidationError) as exc:
        v.validate_mobile(raw)
    assert "portable" in exc.value.messages[0]


def test_validate_mobile_refuses_a_malformed_number():
    with pytest.raises(ValidationError):
        v.validate_mobile("06 12 34")


@pytest.mark.django_db
def test_person_phones_are_stored_in_national_format(workspace):
    person = Person(
        workspace=workspace,
        last_name="Durand",
        phone_mobile="+33612345678",
        phone_landline="01.23.45.67.89",
    )
    person.full_clean()
    assert person.phone_mobile == "06 12 34 56 78"
    assert person.phone_landline == "01 23 45 67 89"


@pytest.mark.django_db
def test_person_mobile_field_refuses_a_landline(workspace):
    person = Person(workspace=workspace, last_name="Durand", phone_mobile="01 23 45 67 89")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "phone_mobile" in exc.value.message_dict


# --- Postcodes and cities -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["75011", "69003", "42000", "01000", "20000", "97400"])
def test_validate_postal_code_accepts_existing_codes(code):
    v.validate_postal_code(code)


@pytest.mark.parametrize("code", ["7501", "750111", "7501A", "75 011", ""])
def test_validate_postal_code_refuses_a_wrong_format(code):
    with pytest.raises(ValidationError) as exc:
        v.validate_postal_code(code)
    assert exc.value.code == "postal_code_format"
    assert "5 chiffres" in exc.value.messages[0]


@pytest.mark.parametrize("code", ["00000", "99999", "98000"])
def test_validate_postal_code_refuses_codes_that_do_not_exist(code):
    with pytest.raises(ValidationError) as exc:
        v.validate_postal_code(code)
    assert exc.value.code == "postal_code_unknown"
    assert code in exc.value.messages[0]


@pytest.mark.parametrize(
    ("code", "city"),
    [
        ("42000", "Saint-Étienne"),
        ("42000", "St-Étienne"),
        ("42000", "ST ETIENNE"),
        ("42000", "saint etienne"),
        ("69003", "Lyon"),
        ("69003", "LYON 3E ARRONDISSEMENT"),
        ("69003", "Lyon 3e"),
        ("75011", "Paris"),
        ("75011", "paris 11"),
        ("75011", "Paris 11e"),
        ("75011", "Paris 11ème"),
        ("75011", "Paris 11e Arrondissement"),
        ("75116", "Paris"),
        ("75116", "Paris 16"),
        ("13001", "Marseille"),
        ("13001", "Marseille 1er"),
        ("38000", "Grenoble"),
    ],
)
def test_city_matches_its_postal_code(code, city):
    v.validate_city_for_postal_code(code, city)


@pytest.mark.parametrize(
    ("code", "city"),
    [
        ("75011", "Lyon"),
        ("69003", "Paris"),
        ("42000", "Saint-Chamond"),
        ("42000", "St"),
        # A prefix of the commune's name is not the commune.
        ("75011", "P"),
        ("75011", "Par"),
        # Another arrondissement of the same city.
        ("75011", "Paris 1"),
        ("75011", "Paris 12"),
        ("69003", "Lyon 4"),
    ],
)
def test_city_that_does_not_match_its_postal_code_is_refused(code, city):
    with pytest.raises(ValidationError) as exc:
        v.validate_city_for_postal_code(code, city)
    assert exc.value.code == "city_mismatch"
    assert city in exc.value.messages[0]


def test_city_check_is_skipped_for_unknown_or_missing_values():
    v.validate_city_for_postal_code("99999", "Nulle-Part")
    v.validate_city_for_postal_code("", "Lyon")
    v.validate_city_for_postal_code("69003", "")


@pytest.mark.django_db
def test_person_with_a_city_of_another_postcode_is_refused(workspace):
    person = Person(workspace=workspace, last_name="Durand", postal_code="69003", city="Paris")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "city" in exc.value.message_dict


@pytest.mark.django_db
def test_person_with_a_postcode_needs_a_city(workspace):
    person = Person(workspace=workspace, last_name="Durand", postal_code="69003")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert exc.value.message_dict["city"] == ["Indiquez la ville de ce code postal."]


# --- SIREN, SIRET, NAF ----------------------------------------------------------------------


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "552081317"])
def test_validate_siren_accepts_valid_numbers(siren):
    v.validate_siren(siren)


@pytest.mark.parametrize(
    ("siren", "fragment"),
    [
        ("732829321", "clé de contrôle"),
        ("552081318", "clé de contrôle"),
        ("73282932", "9 chiffres"),
        ("7328293200", "9 chiffres"),
        ("ABCDEFGHI", "chiffres"),
    ],
)
def test_validate_siren_refuses_wrong_numbers(siren, fragment):
    with pytest.raises(ValidationError) as exc:
        v.validate_siren(siren)
    assert fragment in exc.value.messages[0]


def test_validate_siren_does_not_blame_the_check_digit_for_letters():
    with pytest.raises(ValidationError) as exc:
        v.validate_siren("ABCDEFGHI")
    assert "clé de contrôle" not in exc.value.messages[0]


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074"])
def test_validate_siret_accepts_valid_numbers(siret):
    v.validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "fragment"),
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres"),
        ("732829320000741", "14 chiffres"),
    ],
)
def test_validate_siret_refuses_wrong_numbers(siret, fragment):
    with pytest.raises(ValidationError) as exc:
        v.validate_siret(siret)
    assert fragment in exc.value.messages[0]


def _company(workspace, **fields):
    data = {"legal_name": "Transports Martin", "postal_code": "69003", "city": "Lyon", **fields}
    return Company(workspace=workspace, **data)


@pytest.mark.django_db
def test_company_siret_must_start_with_its_siren(workspace):
    # 552 081 317 66522 is a valid SIRET, but of another company than 732829320.
    company = _company(workspace, siren="732829320", siret="55208131766522")
    v.validate_siret("55208131766522")
    with pytest.raises(ValidationError) as exc:
        company.full_clean()
    assert exc.value.message_dict["siret"] == [
        "Le SIRET doit commencer par le SIREN de la société (732829320)."
    ]


@pytest.mark.django_db
def test_company_siren_is_taken_from_the_siret_when_missing(workspace):
    company = _company(workspace, siret="73282932000074")
    company.full_clean()
    assert company.siren == "732829320"


@pytest.mark.django_db
def test_company_accepts_spaced_siren_and_siret_and_stores_them_compact(workspace):
    company = _company(workspace, siren="732 829 320", siret="732 829 320 00074")
    company.full_clean()
    assert (company.siren, company.siret) == ("732829320", "73282932000074")


@pytest.mark.django_db
def test_company_refuses_a_siren_with_a_wrong_check_digit(workspace):
    company = _company(workspace, siren="732829321")
    with pytest.raises(ValidationError) as exc:
        company.full_clean()
    assert "siren" in exc.value.message_dict


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("45.11Z", "45.11Z"),
        ("4511Z", "45.11Z"),
        ("4511z", "45.11Z"),
        (" 45.11z ", "45.11Z"),
        ("01.11Z", "01.11Z"),
    ],
)
def test_normalize_naf(raw, normalised):
    assert v.normalize_naf(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "45.1Z",  # too short
        "4511",  # no letter
        "45.11ZZ",
        "AB.11Z",
        "00.00Z",  # division 00 does not exist
        "04.11Z",  # nor 04
        "48.11Z",  # nor 48
        "",
    ],
)
def test_validate_naf_refuses_wrong_codes(raw):
    with pytest.raises(ValidationError) as exc:
        v.validate_naf(raw)
    assert "NAF" in exc.value.messages[0]


@pytest.mark.django_db
def test_company_stores_the_naf_code_normalised(workspace):
    company = _company(workspace, naf_code="4511z")
    company.full_clean()
    assert company.naf_code == "45.11Z"


# --- Plates and VINs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("AB-123-CD", "AB-123-CD"),
        ("ab 123 cd", "AB-123-CD"),
        ("ab123cd", "AB-123-CD"),
        ("AB.123.CD", "AB-123-CD"),
        ("AB-123-WW", "AB-123-WW"),
        ("ZZ-999-ZZ", "ZZ-999-ZZ"),
    ],
)
def test_normalize_plate(raw, normalised):
    assert v.normalize_plate(raw) == normalised
    v.validate_plate(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "AI-123-CD",  # I, O and U are never issued
        "AO-123-CD",
        "AB-123-CU",
        "AB-000-CD",  # 000 is never issued
        "SS-123-AB",  # SS and WW on the left, SS on the right are reserved
        "WW-123-AB",
        "AB-123-SS",
        "A-123-CD",
        "AB-1234-CD",
        "123-AB-45",  # the old FNI format
        "AB-12-CD",
        "",
    ],
)
def test_validate_plate_refuses_wrong_plates(raw):
    with pytest.raises(ValidationError) as exc:
        v.validate_plate(raw)
    assert "AA-123-AA" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("VF1RJA00012345678", "VF1RJA00012345678"),
        ("vf1rja00012345678", "VF1RJA00012345678"),
        ("VF1 RJA 000 1234 5678", "VF1RJA00012345678"),
        ("VF1-RJA-00012345678", "VF1RJA00012345678"),
    ],
)
def test_normalize_vin(raw, normalised):
    assert v.normalize_vin(raw) == normalised
    v.validate_vin(raw)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("VF1RJA0001234567", "en compte 16"),
        ("VF1RJA000123456789", "en compte 18"),
        ("VF1RJA00012345I78", "sauf I, O et Q"),
        ("VF1RJA00012345O78", "sauf I, O et Q"),
        ("VF1RJA00012345Q78", "sauf I, O et Q"),
        ("VF1RJA00012345_78", "sauf I, O et Q"),
    ],
)
def test_validate_vin_refuses_wrong_vins(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        v.validate_vin(raw)
    assert fragment in exc.value.messages[0]


# --- E-mail and birth date ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["pas-un-mail", "nom@", "@exemple.fr", "nom@exemple", "a b@exemple.fr"]
)
def test_person_refuses_a_wrong_email_with_one_french_message(workspace, email):
    person = Person(workspace=workspace, last_name="Durand", email=email)
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert exc.value.message_dict["email"] == [
        "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
    ]


@pytest.mark.django_db
def test_person_accepts_and_trims_a_good_email(workspace):
    person = Person(workspace=workspace, last_name="Durand", email="helene.durand@exemple.fr")
    person.full_clean()
    assert person.email == "helene.durand@exemple.fr"


@pytest.mark.django_db
def test_birth_date_in_the_future_is_refused(workspace):
    # The clock is fixed on 2025-06-15.
    person = Person(workspace=workspace, last_name="Durand", birth_date=datetime.date(2025, 6, 16))
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert exc.value.message_dict["birth_date"] == [
        "La date de naissance ne peut pas être dans le futur."
    ]


@pytest.mark.django_db
def test_birth_date_today_is_accepted(workspace):
    Person(
        workspace=workspace, last_name="Durand", birth_date=datetime.date(2025, 6, 15)
    ).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("birth_date", "accepted"),
    [
        (datetime.date(1905, 6, 15), True),  # 120 today
        (datetime.date(1904, 6, 16), True),  # 120, 121 tomorrow
        (datetime.date(1904, 6, 15), False),  # 121 today
        (datetime.date(1850, 1, 1), False),
    ],
)
def test_birth_date_more_than_120_years_ago_is_refused(workspace, birth_date, accepted):
    person = Person(workspace=workspace, last_name="Durand", birth_date=birth_date)
    if accepted:
        person.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            person.full_clean()
        assert "120 ans" in exc.value.message_dict["birth_date"][0]


def test_age_counts_birthdays():
    person = Person(last_name="Durand", birth_date=datetime.date(1980, 6, 16))
    assert person.age() == 44
    assert person.age(today=datetime.date(2025, 6, 16)) == 45
    assert Person(last_name="Durand").age() is None


# --- Organization colours -------------------------------------------------------------------


@pytest.mark.parametrize("colour", ["#000091", "#e1000f", "#767676", "#1A1A1A"])
def test_organization_accepts_a_primary_colour_readable_under_white_text(colour):
    Organization(name="Garage", slug="garage", primary_colour=colour).clean()


@pytest.mark.parametrize("colour", ["#777777", "#ffffff", "#ffff00", "#7fdbff"])
def test_organization_refuses_a_primary_colour_too_light_for_white_text(colour):
    with pytest.raises(ValidationError) as exc:
        Organization(name="Garage", slug="garage", primary_colour=colour).clean()
    assert "4,5:1" in exc.value.message_dict["primary_colour"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("colour", ["000091", "#00009", "#00009G", "blue"])
def test_organization_refuses_a_colour_that_is_not_hex(colour):
    with pytest.raises(ValidationError) as exc:
        Organization(name="Garage", slug="garage", primary_colour=colour).full_clean()
    assert "#RRVVBB" in exc.value.message_dict["primary_colour"][0]
