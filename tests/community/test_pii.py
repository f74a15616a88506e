"""Personal data: NIR and IBAN with their checksums, phone numbers, e-mail addresses."""

import random

import pytest
from stdnum.fr import nir as stdnum_nir

from relais.community.moderation import pii
from relais.community.moderation.textcheck import BannedWords, check_text
from relais.community.moderation.words import entries_from_pairs

NIR_REASON = "Votre message semble contenir un numéro de sécurité sociale"


def kinds(text):
    return [(finding.kind, text[finding.start : finding.end]) for finding in pii.find(text)]


def with_key(body: str) -> str:
    """A NIR from its 13 first characters, its key computed by python-stdnum (the oracle)."""
    return body + stdnum_nir.calc_check_digits(body)


def wrong_key(body: str) -> str:
    key = int(stdnum_nir.calc_check_digits(body))
    return body + f"{(key % 97) + 1:02d}"


# --- NIR ---------------------------------------------------------------------------------


SPACINGS = {
    "groups": lambda n: " ".join((n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:])),
    "compact": lambda n: n,
    "key-apart": lambda n: f"{n[:13]} {n[13:]}",
    "dots": lambda n: ".".join((n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:])),
    "nbsp": lambda n: "\u00a0".join((n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:])),
}


@pytest.mark.parametrize("spacing", SPACINGS)
@pytest.mark.parametrize(
    "body", ["2951099126111", "1850578006084", "253072A073004", "253072B073004"]
)
def test_nir_with_a_right_key_is_found_however_spaced(body, spacing):
    number = SPACINGS[spacing](with_key(body))
    text = f"Bonjour, mon numéro est le {number}, merci de m'aider."
    assert kinds(text) == [("nir", number)]


@pytest.mark.parametrize(
    "body", ["2951099126111", "1850578006084", "253072A073004", "253072B073004"]
)
def test_nir_with_a_wrong_key_is_not_reported(body):
    number = wrong_key(body)
    assert not [kind for kind, _ in kinds(f"numéro {number}") if kind == "nir"]


def test_corsican_keys_differ_between_2a_and_2b():
    corse_du_sud = with_key("253072A073004")
    assert pii.nir_is_valid(corse_du_sud)
    assert not pii.nir_is_valid(corse_du_sud.replace("2A", "2B"))


def test_nir_check_agrees_with_python_stdnum_on_random_numbers():
    rng = random.Random(11)
    for _ in range(300):
        department = rng.choice(["2A", "2B", f"{rng.randint(1, 95):02d}"])
        body = (
            f"{rng.choice('12')}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}"
            f"{department}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
        )
        key = f"{rng.randint(1, 97):02d}"
        assert pii.nir_is_valid(body + key) == stdnum_nir.is_valid(body + key), body + key


def test_nir_inside_a_longer_number_is_not_a_nir():
    number = with_key("2951099126111")
    assert kinds(f"réf. 9{number}") == []
    assert kinds(f"réf. {number}7") == []


# --- IBAN --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "FR7630006000011234567890189",
        "fr76 3000 6000 0112 3456 7890 189",
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "BE68 5390 0754 7034",
    ],
)
def test_iban_with_a_right_checksum_is_found(iban):
    text = f"Mon IBAN : {iban} merci de rembourser"
    assert kinds(text) == [("iban", iban)]


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 188",  # last digit changed
        "FR67 3000 6000 0112 3456 7890 189",  # check digits swapped
        "DE89 3704 0044 0532 0130 01",
        "GB82 WEST 1234 5698 7654 33",
        "FR76 3000 6000 0112 3456 7890",  # too short for France
    ],
)
def test_iban_with_a_wrong_checksum_or_length_is_not_reported(iban):
    assert not [kind for kind, _ in kinds(f"IBAN {iban}") if kind == "iban"]


def test_iban_checksum_is_mod_97():
    assert pii.iban_is_valid("FR76 3000 6000 0112 3456 7890 189")
    assert not pii.iban_is_valid("FR76 3000 6000 0112 3456 7890 198")


# --- phone numbers and e-mail addresses ---------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "01.40.20.50.50", "+32 2 555 12 12"],
)
def test_valid_phone_numbers_are_found(phone):
    text = f"Appelez-moi au {phone} demain."
    assert kinds(text) == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "le 12/03/2024 à 14 h 30",
        "appelez le 3646",
        "06 12 34",
        "00 00 00 00 00",
        "SIRET 732 829 320 00074",
        "montant 1 234 567,89 €",
    ],
)
def test_dates_amounts_and_short_numbers_are_not_phones(text):
    assert kinds(text) == []


def test_a_nir_is_not_also_a_phone_number():
    number = with_key("1850578006084")
    assert [kind for kind, _ in kinds(f"NIR {number}")] == ["nir"]


@pytest.mark.parametrize(
    "email", ["jean.dupont@exemple.fr", "Marie-Ève+forum@mail.example.com", "a_b@c-d.org"]
)
def test_email_addresses_are_found(email):
    assert kinds(f"Écrivez à {email}.") == [("email", email)]


def test_at_sign_without_an_address_is_not_an_email():
    assert kinds("rendez-vous @ 14h, @marie") == []


# --- verdicts ------------------------------------------------------------------------------


def test_personal_data_requires_approval_and_explains_each_kind_once():
    nir = with_key("2951099126111")
    text = (
        f"NIR {nir}, IBAN FR76 3000 6000 0112 3456 7890 189, "
        "tél. 06 12 34 56 78 ou 07 98 76 54 32, jean@exemple.fr"
    )
    verdict = check_text(text)
    assert verdict.action == "require_approval"
    assert [reason.split(" : ")[0] for reason in verdict.reasons] == [
        "Votre message semble contenir un numéro de sécurité sociale",
        "Votre message semble contenir des coordonnées bancaires (IBAN)",
        "Votre message semble contenir un numéro de téléphone",
        "Votre message semble contenir une adresse électronique",
    ]
    assert all("modérateur" in reason for reason in verdict.reasons)
    assert verdict.text == text  # held, not altered
    assert [finding.kind for finding in verdict.findings] == [
        "nir", "iban", "phone", "phone", "email"
    ]  # fmt: skip


def test_invalid_numbers_leave_the_message_allowed():
    verdict = check_text(
        f"NIR {wrong_key('2951099126111')}, IBAN FR76 3000 6000 0112 3456 7890 188"
    )
    assert verdict.as_dict() == {
        "action": "allow",
        "reasons": [],
        "text": f"NIR {wrong_key('2951099126111')}, IBAN FR76 3000 6000 0112 3456 7890 188",
    }


def test_banned_word_block_wins_over_personal_data_and_both_are_explained():
    banned = BannedWords(entries_from_pairs([("connard", "block"), ("con", "censor")]))
    verdict = check_text("connard, écris à jean@exemple.fr", banned)
    assert verdict.action == "block"
    assert len(verdict.reasons) == 2
    assert verdict.reasons[1].startswith("Votre message semble contenir une adresse électronique")


def test_personal_data_wins_over_censor_and_the_text_is_still_censored():
    banned = BannedWords(entries_from_pairs([("con", "censor")]))
    verdict = check_text("quel con, appelle le 06 12 34 56 78", banned)
    assert verdict.action == "require_approval"
    assert verdict.text == "quel ***, appelle le 06 12 34 56 78"
    assert verdict.reasons[1].startswith("Votre message semble contenir un numéro de téléphone")


def test_nir_reason_tells_the_author_why():
    verdict = check_text(f"mon numéro {with_key('2951099126111')}")
    assert verdict.reasons[0].startswith(NIR_REASON)
    assert "donnée personnelle sensible" in verdict.reasons[0]


def test_the_organisations_public_contacts_are_not_personal_data():
    public = pii.public_keys(["01 53 35 83 63", "Contact@Organisme.fr", ""])
    text = "Appelez le +33 1 53 35 83 63 ou écrivez à contact@organisme.fr"
    assert check_text(text, public=public).action == "allow"
    verdict = check_text(text + ", ou moi au 06 12 34 56 78", public=public)
    assert verdict.action == "require_approval"
    assert [finding.kind for finding in verdict.findings] == ["phone"]
