"""Text normalisation behind search and de-duplication."""

import pytest

from relais.core.contacts.normalize import (
    compact,
    digits,
    fold,
    national_digits,
    phone_variants,
    search_terms,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hélène", "helene"),
        ("HÉLÈNE", "helene"),
        ("Œuvre Hélène", "oeuvre helene"),
        ("cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("ÆSOP", "aesop"),
        ("Ça va", "ca va"),
        ("Noël Françoise Ñúñez", "noel francoise nunez"),
        ("Straße", "strasse"),
        ("ﬁlière", "filiere"),  # the "fi" ligature
        ("Jean-François L'Hôte", "jean-francois l'hote"),
        ("", ""),
    ],
)
def test_fold_strips_case_accents_and_ligatures(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "compacted"),
    [
        ("AB-123-CD", "ab123cd"),
        ("ab 123 cd", "ab123cd"),
        ("Jean-François L'Hôte", "jeanfrancoislhote"),
        ("helene.dupont@exemple.fr", "helenedupontexemplefr"),
        ("06 12 34 56 78", "0612345678"),
        ("  -- ", ""),
        ('"*" ( )', ""),
    ],
)
def test_compact_keeps_folded_letters_and_digits_only(text, compacted):
    assert compact(text) == compacted


def test_digits():
    assert digits("+33 (0)6 12-34") == "33061234"
    assert digits("abc") == ""


@pytest.mark.parametrize(
    ("number", "national"),
    [
        ("33612345678", "0612345678"),
        ("0033612345678", "0612345678"),
        ("330612345678", "0612345678"),
        ("0612345678", "0612345678"),
        ("442079460958", "442079460958"),  # a British number stays as it is
        ("33612", "33612"),  # too short to be a whole number
        ("", ""),
    ],
)
def test_national_digits(number, national):
    assert national_digits(number) == national


@pytest.mark.parametrize(
    ("phone", "variants"),
    [
        ("06 12 34 56 78", ["0612345678", "33612345678"]),
        ("+33 6 12 34 56 78", ["0612345678", "33612345678"]),
        ("0033 6 12 34 56 78", ["0612345678", "33612345678"]),
        ("01.23.45.67.89", ["0123456789", "33123456789"]),
        ("+44 20 7946 0958", ["442079460958"]),
        ("", []),
        ("pas de numéro", []),
    ],
)
def test_phone_variants_give_national_and_international_digits(phone, variants):
    assert phone_variants(phone) == variants


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("", []),
        ("   ", []),
        ("Hélène", ["helene"]),
        ("  HÉLÈNE   Dupont ", ["helene", "dupont"]),
        ("Jean-François", ["jeanfrancois"]),
        ("AB-123-CD", ["ab123cd"]),
        ("ab 123 cd", ["ab", "123", "cd"]),
        ("helene@exemple.fr", ["heleneexemplefr"]),
        # A phone in any format is one national term.
        ("06 12 34 56 78", ["0612345678"]),
        ("06.12.34.56.78", ["0612345678"]),
        ("+33 6 12 34 56 78", ["0612345678"]),
        ("+33612345678", ["0612345678"]),
        ("+33 (0)6 12 34 56 78", ["0612345678"]),
        ("0033 6 12 34 56 78", ["0612345678"]),
        ("(06) 12-34", ["061234"]),
        # A spaced SIRET is one term too.
        ("732 829 320 00074", ["73282932000074"]),
        # Fewer than four digits: ordinary words.
        ("12 rue", ["12", "rue"]),
        ("06", ["06"]),
        # Search syntax is not syntax here: punctuation vanishes, words are words.
        ('"Dupont"', ["dupont"]),
        ('"*" AND (', ["and"]),
        ("dupont*", ["dupont"]),
        ("NEAR(a b)", ["neara", "b"]),
        ('" * ( )', []),
    ],
)
def test_search_terms(query, terms):
    assert search_terms(query) == terms
