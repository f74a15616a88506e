"""The one fold, the one phone key and the one public-id parser that every module uses."""

import uuid

import pytest

from relais.core.exceptions import NotFound, parse_public_id, public_id_or_not_found
from relais.core.text import fold, fold_words, is_french_phone_key, phone_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Œuvre Hélène", "oeuvre helene"),
        ("ÉLÉONORE", "eleonore"),
        ("Straße", "strasse"),
        ("15/06/2025", "15/06/2025"),  # punctuation kept
        ("  deux  espaces ", "  deux  espaces "),  # spacing kept
        (None, ""),
        (float("nan"), ""),
        (42, "42"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_words_keeps_letters_and_digits_as_words():
    assert fold_words("  Jean-Pierre  d'Arc, 3e ") == "jean pierre d arc 3e"
    assert fold_words("Cœur—Ça !") == "coeur ca"
    assert fold_words(None) == ""


@pytest.mark.parametrize(
    "written",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "0612345678",
    ],
)
def test_every_way_of_writing_a_french_number_gives_one_key(written):
    assert phone_key(written) == "612345678"
    assert is_french_phone_key(phone_key(written))


def test_phone_key_of_foreign_short_and_missing_numbers():
    assert phone_key("+32 2 555 12 34") == "3225551234"
    assert not is_french_phone_key(phone_key("+32 2 555 12 34"))
    assert phone_key("12 34") == ""
    assert phone_key("nan") == phone_key(None) == phone_key("") == ""


def test_public_id_parser():
    value = uuid.uuid4()
    assert parse_public_id(value) is value
    assert parse_public_id(f" {value} ") == value
    assert parse_public_id(str(value).upper()) == value
    for hostile in ("", None, "not-a-uuid", "1 OR 1=1", "<script>", 12, "x" * 10_000):
        assert parse_public_id(hostile) is None
    with pytest.raises(NotFound, match="Fiche introuvable"):
        public_id_or_not_found("nope", "Fiche introuvable.")
    assert public_id_or_not_found(str(value)) == value
