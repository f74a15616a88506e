"""The de-duplication engine: normalisation, comparison, scoring, explanation, blocking."""

import random
from datetime import date

import pytest

from relais.crm.dedup import SURE, Weights, explain_pair, find_duplicates, prepare
from relais.crm.dedup import normalize as norm
from relais.crm.dedup.blocking import candidate_pairs

BASE = {
    "id": "a",
    "first_name": "Jean-Pierre",
    "last_name": "Lefèvre",
    "birth_date": date(1970, 3, 12),
    "email": "jp.lefevre@example.fr",
    "phone": "06 12 34 56 78",
    "street": "12 boulevard Saint-Michel",
    "postal_code": "75005",
    "city": "Paris",
}


def twin(**changes):
    return {**BASE, "id": "b", **changes}


def score(**changes):
    return explain_pair(BASE, twin(**changes)).score


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Lefèvre", "lefevre"), ("LEFÈVRE", "lefevre"), ("Œillet", "oeillet"), ("Müller", "muller")],
)
def test_accents_and_case_are_folded(raw, expected):
    assert norm.name(raw) == expected


@pytest.mark.parametrize("raw", ["Jean-Pierre", "jean pierre", "JEAN  PIERRE", "Jean-Pierre "])
def test_compound_first_names_agree_whatever_the_separator(raw):
    assert norm.name(raw) == "jean pierre"


@pytest.mark.parametrize(
    "raw",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "06-12-34-56-78",
    ],
)
def test_phone_formats_give_one_number(raw):
    assert norm.phone(raw) == "612345678"


def test_email_case_and_spaces_are_ignored():
    assert norm.email(" JP.Lefevre@Example.FR ") == "jp.lefevre@example.fr"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12, bd St-Michel", "12 boulevard saint michel"),
        ("12 Boulevard Saint Michel", "12 boulevard saint michel"),
        ("3 av. de la République", "3 avenue republique"),
        ("5 r. du Four", "5 rue four"),
        ("8 imp. Ste-Anne", "8 impasse sainte anne"),
    ],
)
def test_street_abbreviations_are_expanded(raw, expected):
    assert norm.street(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1970-03-12", ("19700312", True)),
        ("12/03/1970", ("19700312", True)),
        ("19700312", ("19700312", True)),
        (date(1970, 3, 12), ("19700312", True)),
        ("", ("", True)),
        (None, ("", True)),
        ("31/02/1970", ("19700231", False)),
        ("pas une date", ("", False)),
    ],
)
def test_birth_dates_in_common_formats(raw, expected):
    assert norm.birth_date(raw) == expected


def test_missing_values_are_empty_not_garbage():
    assert norm.name(None) == ""
    assert norm.phone("") == ""
    assert norm.phone("nan") == ""
    assert norm.email(float("nan")) == ""
    assert norm.identifier("NaN") == ""


# --- comparison and score -------------------------------------------------------------------


def test_identical_records_are_a_sure_match():
    assert score() >= SURE


@pytest.mark.parametrize(
    "changes",
    [
        {"last_name": "LEFEVRE", "first_name": "jean pierre"},  # accents and case
        {"last_name": "Lefèrve"},  # two letters swapped
        {"last_name": "Lefèvvre"},  # a letter doubled
        {"first_name": "J-P"},  # initials of a compound first name
        {"first_name": "Jean Pierre"},
        {"first_name": "Lefèvre", "last_name": "Jean-Pierre"},  # swapped names
        {"phone": "+33 6 12 34 56 78"},
        {"email": "JP.LEFEVRE@EXAMPLE.FR"},
        {"street": "12 bd St Michel"},
        {"birth_date": "", "street": "", "email": ""},  # missing fields
        {"birth_date": "1970-12-03"},  # day and month swapped
    ],
)
def test_same_person_entered_differently_is_a_sure_match(changes):
    assert score(**changes) >= SURE, changes


def test_swapped_names_are_flagged_in_the_explanation():
    pair = explain_pair(BASE, twin(first_name="Lefèvre", last_name="Jean-Pierre"))
    assert pair.swapped_names
    first = next(f for f in pair.fields if f.field == "first_name")
    assert first.value_a == "Jean-Pierre" and first.value_b == "Jean-Pierre"


def test_namesake_with_other_birth_date_and_address_is_not_a_sure_match():
    namesake = twin(
        birth_date="1984-09-30",
        email="jeanpierre.lefevre@gmail.com",
        phone="07 98 76 54 32",
        street="4 rue des Lilas",
        postal_code="69003",
        city="Lyon",
    )
    assert explain_pair(BASE, namesake).score < 0.5


def test_namesake_in_the_same_town_is_not_a_sure_match():
    namesake = twin(
        birth_date="1952-01-04", phone="01 45 00 00 00", email="", street="40 rue du Bac"
    )
    pair = explain_pair(BASE, namesake)
    assert not pair.sure
    assert pair.score < SURE


def test_different_people_score_low():
    other = {
        "id": "c",
        "first_name": "Marie",
        "last_name": "Durand",
        "birth_date": "1990-05-05",
        "phone": "07 11 22 33 44",
        "postal_code": "33000",
        "city": "Bordeaux",
    }
    assert explain_pair(BASE, other).score < 0.01


def test_explanation_gives_values_similarity_level_and_weight_per_field():
    pair = explain_pair(BASE, twin(last_name="Lefèrve", email="", phone="+33612345678"))
    by_field = {f.field: f for f in pair.fields}
    assert set(by_field) >= {"first_name", "last_name", "birth_date", "email", "phone", "street"}
    last = by_field["last_name"]
    assert (last.value_a, last.value_b) == ("Lefèvre", "Lefèrve")
    assert 0.9 <= last.similarity < 1 and last.level == "très proche" and last.weight > 0
    assert by_field["email"].level == "absent" and by_field["email"].weight == 0
    assert by_field["phone"].value_b == "+33612345678" and by_field["phone"].level == "identique"
    assert by_field["last_name"].label == "Nom"
    weights = Weights()
    total = weights.prior + sum(f.weight for f in pair.fields)
    assert pair.score == pytest.approx(1 / (1 + 2**-total), abs=1e-3)


def test_weights_can_be_set_and_fitted():
    strict = Weights(prior=-80)
    assert explain_pair(BASE, twin(), strict).score < 0.5
    levels = [{"last_name": 0}] * 10 + [{"last_name": 3}] * 10
    fitted = Weights.fit(levels, [True] * 10 + [False] * 10)
    table = fitted.table()
    assert table["last_name"][0] > 3 and table["last_name"][3] < -3


# --- blocking and the batch run ---------------------------------------------------------------

FIRST = ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Anne", "Paul", "Julie", "Marc", "Claire"]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
]


def synthetic(count, seed=3):
    """``count`` people and, for one in five, a damaged copy; returns records and true pairs."""
    rng = random.Random(seed)
    records, truth = [], set()
    identities = set()  # two people sharing name and birth date would be a true ambiguity
    for n in range(count):
        person = {
            "id": f"p{n}",
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "birth_date": date(
                1940 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)
            ),
            "phone": f"06{rng.randrange(10**8):08d}",
            "street": f"{1 + rng.randrange(200)} rue {rng.choice(LAST)}",
            "postal_code": f"{rng.randrange(1, 96):02d}{rng.randrange(1000):03d}",
            "city": rng.choice(LAST) + "-sur-Loire",
        }
        identity = (person["first_name"], person["last_name"], person["birth_date"])
        if identity in identities:
            continue
        identities.add(identity)
        records.append(person)
        if n % 5 == 0:
            copy = dict(person, id=f"d{n}")
            damage = n % 4
            if damage == 0:
                copy["last_name"] = copy["last_name"][:-1]
            elif damage == 1:
                copy["first_name"], copy["last_name"] = copy["last_name"], copy["first_name"]
            elif damage == 2:
                copy["phone"] = ""
            else:
                copy["postal_code"], copy["street"] = "", ""
            records.append(copy)
            truth.add((person["id"], copy["id"]))
    return records, truth


def test_blocking_keeps_every_true_pair_with_near_linear_candidates():
    records, truth = synthetic(2000)
    prepared = [prepare(r) for r in records]
    left, right = candidate_pairs(prepared)
    pairs = {(prepared[i][0], prepared[j][0]) for i, j in zip(left, right, strict=True)}
    found = {p for p in truth if p in pairs or p[::-1] in pairs}
    assert len(found) / len(truth) >= 0.99
    assert len(pairs) < 15 * len(records)  # far from the 2.9 million of all pairs


def test_find_duplicates_finds_the_copies_and_only_them():
    records, truth = synthetic(1000)
    found = {(p.id_a, p.id_b) for p in find_duplicates(records)}
    found = {tuple(sorted(p, key=lambda x: x[0] != "p")) for p in found}
    true_found = found & truth
    assert len(true_found) / len(truth) >= 0.97
    assert len(true_found) / len(found) >= 0.97


def test_find_duplicates_gives_explanations_when_asked():
    pairs = find_duplicates([BASE, twin(), {"id": "z", "last_name": "Autre"}], explain=True)
    assert [(p.id_a, p.id_b) for p in pairs] == [("a", "b")]
    assert pairs[0].sure and pairs[0].fields[0].label == "Prénom"


def test_two_worker_processes_give_the_same_pairs(monkeypatch):
    from relais.crm.dedup import engine

    records, _truth = synthetic(600)
    alone = find_duplicates(records, workers=1)
    monkeypatch.setattr(engine, "CHUNK", 50)
    shared = find_duplicates(records, workers=2)
    assert [(p.id_a, p.id_b, round(p.score, 6)) for p in alone] == [
        (p.id_a, p.id_b, round(p.score, 6)) for p in shared
    ]


def test_weights_learned_by_em_still_find_the_copies():
    records, truth = synthetic(1000)
    pairs = find_duplicates(records, learn=True)
    found = {tuple(sorted((p.id_a, p.id_b), key=lambda x: x[0] != "p")) for p in pairs}
    assert len(found & truth) / len(truth) >= 0.97
    assert len(found & truth) / len(found) >= 0.97


def test_em_estimate_separates_agreeing_from_disagreeing_levels():
    import numpy as np

    # 100 matches agreeing on both fields, 900 non-matches disagreeing, 20 mixed.
    rows = [[0, 0]] * 100 + [[3, 3]] * 900 + [[0, 3]] * 10 + [[3, 0]] * 10
    learnt = Weights().estimate(np.array(rows, dtype=np.int8), ("last_name", "birth_date"))
    table = learnt.table()
    assert table["last_name"][0] > 2 and table["last_name"][3] < -2
    assert 0.05 < 2**learnt.prior / (1 + 2**learnt.prior) < 0.2
