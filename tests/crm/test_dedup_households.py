"""Households, namesakes and twins are not duplicates; real duplicates are still found; the
default scoring chooses its weights on the file."""

import csv
import random
from datetime import date

import pytest
from django.core.management import call_command
from rapidfuzz.distance import OSA

from bench._households import households_base
from relais.crm.dedup import DECISION, SURE, Weights, explain_pair, find_duplicates, rules
from relais.crm.dedup.normalize import birth_date
from relais.crm.dedup.normalize import name as fold_name

HOME = {
    "street": "12 rue des Tilleuls",
    "postal_code": "69003",
    "city": "Lyon",
    "phone": ["06 12 34 56 78", "04 78 00 11 22"],  # mobile, shared landline
    "email": "famille.martin@orange.fr",  # shared family e-mail
}
JEAN = {"id": "a", "first_name": "Jean", "last_name": "Martin", "birth_date": date(1962, 3, 12)}


def member(**values):
    """Someone else of Jean's household: same address, landline and family e-mail."""
    return {"id": "b", **HOME, "phone": ["07 98 76 54 32", "04 78 00 11 22"], **values}


A = {**JEAN, **HOME}

HOUSEHOLD = {
    "wife, other birth date": member(
        first_name="Sylvie", last_name="Martin", birth_date="1965-07-01"
    ),
    "wife, no birth date": member(first_name="Sylvie", last_name="Martin"),
    "wife, her own surname": member(first_name="Sylvie", last_name="Roux", birth_date=""),
    "Michel and Michèle": {
        **member(first_name="Michèle", last_name="Martin"),
        "id": "b",
    },
    "adult son": member(first_name="Lucas", last_name="Martin", birth_date="1990-11-02"),
    "adult daughter, no date": member(first_name="Chloé", last_name="MARTIN"),
    "sister, same year": member(first_name="Anne", last_name="Martin", birth_date="1962-09-30"),
    "brother, year typo": member(first_name="Paul", last_name="Martin", birth_date="1926-03-12"),
    "names swapped on the son's record": member(
        first_name="Martin", last_name="Lucas", birth_date=""
    ),
}


def _a(first="Jean"):
    return {**A, "first_name": first}


@pytest.mark.parametrize("other", HOUSEHOLD.values(), ids=HOUSEHOLD.keys())
def test_household_members_are_never_sure_nor_candidates(other):
    record = _a("Michel") if other["first_name"] == "Michèle" else A
    pair = explain_pair(record, other)
    assert pair.rule == rules.HOUSEHOLD
    assert pair.score < DECISION and not pair.sure
    # The cap is one more line of the explanation: the weights still add up to the score.
    rule = next(f for f in pair.fields if f.field == "rule")
    assert rule.label == "Règle" and rule.level.startswith("Foyer") and rule.weight < 0
    total = Weights().prior + sum(f.weight for f in pair.fields)
    assert pair.score == pytest.approx(1 / (1 + 2**-total), abs=0.01)  # weights rounded


@pytest.mark.parametrize("other", HOUSEHOLD.values(), ids=HOUSEHOLD.keys())
def test_household_members_stay_out_whatever_the_weights(other):
    # Weights learned on a file where a shared address or phone is overwhelming evidence.
    greedy = Weights()
    greedy.m = {**greedy.m, "phone": (0.99, 0.005, 0.0025, 0.0025)}
    greedy.m["street"] = (0.99, 0.005, 0.0025, 0.0025)
    greedy.m["first_name"] = (0.5, 0.1, 0.1, 0.3)
    record = _a("Michel") if other["first_name"] == "Michèle" else A
    pair = explain_pair(record, other, greedy)
    assert pair.score < DECISION


def test_twins_go_to_review_never_sure():
    # Twins each with their own mobile (the family e-mail and landline are the home's):
    # two people are likelier than one first name typed wrong, yet nothing settles it.
    twin = member(first_name="Hugo", last_name="Martin", birth_date=JEAN["birth_date"])
    pair = explain_pair(A, twin)
    assert pair.rule == rules.TWINS
    assert pair.score < DECISION and not pair.sure and pair.decision == "à vérifier"
    # Not a probable duplicate, but listed for a person to check, labelled « à vérifier ».
    listed = find_duplicates([A, twin], explain=True)
    assert [(p.rule, p.decision, p.sure) for p in listed] == [(rules.TWINS, "à vérifier", False)]
    assert listed[0].score == pytest.approx(rules.POSSIBLE_CAP)


def test_twin_like_pair_sharing_a_mobile_is_a_probable_duplicate_to_review():
    # Other first name, same birth date, and one mobile: one person whose first name was
    # typed wrong is as likely as twins sharing a phone — probable, never sure.
    twin = member(
        first_name="Hugo", last_name="Martin", birth_date=JEAN["birth_date"], phone=HOME["phone"]
    )
    pair = explain_pair(A, twin)
    assert pair.rule == rules.REVIEW
    assert DECISION <= pair.score < SURE and not pair.sure and pair.decision == "probable"


def test_father_and_son_of_one_name_are_two_people():
    # Two full birth dates years apart at one home: a birth date is one person's.
    son = member(first_name="Jean", last_name="Martin", birth_date="1991-05-20")
    pair = explain_pair(A, son)
    assert pair.rule == rules.SAME_NAME_HOME and pair.score < DECISION


def test_one_name_at_one_home_born_the_same_year_goes_to_review():
    # Same year, day and month far apart: a wrongly typed date as likely as two people.
    other = member(
        first_name="Jean", last_name="Martin", birth_date="1962-11-28", phone=["04 78 00 11 22"]
    )
    pair = explain_pair(A, other)
    assert pair.rule == rules.REVIEW and DECISION <= pair.score < SURE


def test_one_name_at_one_home_without_a_birth_date_is_never_sure():
    # A father and son, or a couple of Dominiques, sharing the landline and a family e-mail:
    # nothing personal tells them from one person entered twice.
    other = member(first_name="Jean", last_name="Martin", birth_date="", phone=["04 78 00 11 22"])
    pair = explain_pair(A, other)
    assert pair.rule == rules.REVIEW and DECISION <= pair.score < SURE
    # The same mobile is one person's: a duplicate, found.
    same = {**other, "phone": ["06 12 34 56 78"]}
    assert explain_pair(A, same).rule == rules.NONE and explain_pair(A, same).sure
    # Two mobiles: two people (a father and son, a couple of one name).
    two = {**other, "phone": ["07 98 76 54 32", "04 78 00 11 22"]}
    pair = explain_pair(A, two)
    assert pair.rule == rules.SAME_NAME_HOME and pair.score < DECISION


@pytest.mark.parametrize(
    ("birth", "phones", "rule", "decision"),
    [
        ("1966-02-14", None, rules.HOUSEHOLD, None),
        ("", None, rules.TWO_SURNAMES, "à vérifier"),
        ("", HOME["phone"], rules.REVIEW, "probable"),
    ],
    ids=["other birth date", "no birth date, own mobiles", "no birth date, one mobile"],
)
def test_one_first_name_two_surnames_at_one_home(birth, phones, rule, decision):
    # Claude Martin and Claude Roux at one address: a couple, or a woman who took her
    # husband's name — two people when the birth dates say so; when they cannot, a couple
    # each with their own mobile is likelier (listed « à vérifier », under the threshold),
    # one mobile for both names a married name (a probable duplicate, to review).
    claude = {**A, "first_name": "Claude"}
    other = member(first_name="Claude", last_name="Roux", birth_date=birth)
    if phones:
        other["phone"] = phones
    pair = explain_pair(claude, other)
    assert pair.rule == rule and not pair.sure
    listed = find_duplicates([claude, other])
    assert [p.decision for p in listed] == ([decision] if decision else [])


def test_both_names_apart_with_one_birth_date_is_never_sure():
    sibling = member(first_name="Gérard", last_name="Garnier", birth_date="1962-03-13")
    other = {**A, "first_name": "Timothée", "last_name": "Garnier"}
    pair = explain_pair(other, sibling)
    assert not pair.sure and pair.score < SURE


def test_an_initial_at_the_same_address_goes_to_review():
    # « J. » sharing Jean's mobile: him, to review (probable, never sure).
    pair = explain_pair(A, member(first_name="J.", last_name="Martin", phone=HOME["phone"]))
    assert pair.rule == rules.REVIEW and not pair.sure and pair.decision == "probable"
    # « J. » with a mobile of their own and no birth date: Julie of the same home is
    # likelier — listed « à vérifier », under the threshold.
    other = member(first_name="J.", last_name="Martin")
    pair = explain_pair(A, other)
    assert pair.rule == rules.INITIAL_TWO_MOBILES and pair.decision == "à vérifier"
    assert [p.decision for p in find_duplicates([A, other])] == ["à vérifier"]


def test_an_initial_born_another_year_is_another_person():
    # "É." born in 1973 and Édith born in 1997 at one address: a mother and her daughter.
    mother = {**A, "first_name": "Édith", "birth_date": "1997-09-20"}
    pair = explain_pair(
        mother, member(first_name="É.", last_name="Martin", birth_date="1973-11-18")
    )
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION
    # The same initial with her own birth date is still hers, to review.
    same = member(first_name="É.", last_name="Martin", birth_date="1997-09-20")
    pair = explain_pair(mother, same)
    assert pair.rule == rules.REVIEW and DECISION <= pair.score < SURE


def test_another_first_name_with_a_birth_date_one_typo_away_is_a_household():
    # Timothée born 18/01/1984, Jean born 28/01/1984 at one home: a couple born close
    # together, not twins (a first name and a date both wrong on one record is less likely).
    timothee = {**A, "first_name": "Timothée", "birth_date": "1984-01-18"}
    jean = member(first_name="Jean", last_name="Martin", birth_date="1984-01-28")
    pair = explain_pair(timothee, jean)
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION
    # A day and month swapped (10/01 and 01/10) is one typo too.
    isabelle = {**A, "first_name": "Isabelle", "birth_date": "1970-01-10"}
    andre = member(first_name="André", last_name="Martin", birth_date="1970-10-01")
    assert explain_pair(isabelle, andre).rule == rules.HOUSEHOLD
    # A near spelling with a date typo is still one person's record, found.
    jena = {**A, "id": "b", "first_name": "Jena", "birth_date": "1962-03-13"}
    assert explain_pair(A, jena).score >= DECISION


def test_a_garbled_first_name_sharing_a_mobile_goes_to_review():
    # "Agnès" and "g." (a damaged initial) at one home, no birth date, one mobile: the
    # mobile is one person's (or a couple's phone): to review, never a household cap.
    agnes = {**A, "first_name": "Agnès", "birth_date": ""}
    copy = {**agnes, "id": "b", "first_name": "g.", "phone": ["+33 6 12 34 56 78"]}
    pair = explain_pair(agnes, copy)
    assert pair.rule == rules.REVIEW and DECISION <= pair.score < SURE
    # Without the shared mobile, another first name without a date is a household.
    other = {**copy, "phone": ["07 98 76 54 32", "04 78 00 11 22"]}
    assert explain_pair(agnes, other).rule == rules.HOUSEHOLD


def test_two_spellings_two_surnames_and_two_mobiles_at_one_home_are_two_people():
    # Luc Lefort and Lucy Lenoir at one address, each with a mobile: three differences.
    luc = {**A, "first_name": "Luc", "last_name": "Lefort"}
    lucy = member(first_name="Lucy", last_name="Lenoir", birth_date="")
    pair = explain_pair(luc, lucy)
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION
    # One mobile between them: a surname typed apart (a married name?), to review.
    shared = {**lucy, "phone": ["06 12 34 56 78"]}
    assert explain_pair(luc, shared).rule in (rules.NONE, rules.REVIEW)


def test_one_name_with_birth_dates_two_typos_apart_is_never_sure():
    # Suzanne Legros born 11/01/1977 and Suzanne Legros born 19/05/1977 in one town, other
    # streets and phones: a namesake born the same year, or a date typed badly twice.
    suzanne = {
        "id": "s1",
        "first_name": "Suzanne",
        "last_name": "Legros",
        "birth_date": "1977-01-11",
        "phone": ["07 31 04 93 04"],
        "street": "77 rue Monnier",
        "postal_code": "30566",
        "city": "Uzès",
    }
    other = {
        **suzanne,
        "id": "s2",
        "birth_date": "1977-05-19",
        "phone": ["05 96 36 35 11"],
        "street": "32 chemin Daniel",
    }
    pair = explain_pair(suzanne, other)
    assert pair.rule == rules.REVIEW and not pair.sure
    # Sharing her mobile, she is one person whose date was typed badly twice.
    same = explain_pair(suzanne, {**other, "phone": ["07 31 04 93 04"]})
    assert same.rule == rules.NONE and same.score >= DECISION


def test_a_namesake_with_a_close_surname_is_never_sure_whatever_the_weights():
    # Jean Martin of 1962 and Jean « Martiin » of 1979 in the same town, other streets: a
    # namesake, even for weights that trust names and distrust dates (EM on a file).
    local = {
        **NAMESAKE,
        "last_name": "Martiin",
        "postal_code": "69003",
        "city": "Lyon",
        "phone": "",
    }
    lenient = Weights(prior=4.0)
    lenient.m = {**lenient.m, "birth_date": (0.5, 0.1, 0.1, 0.3)}
    pair = explain_pair(A, local, lenient)
    assert pair.rule == rules.REVIEW and not pair.sure
    # Each with a mobile of their own as well: three differences, a namesake.
    pair = explain_pair(A, {**local, "phone": "06 55 44 33 22"}, lenient)
    assert pair.rule == rules.NAMESAKE and pair.score < DECISION
    # Elsewhere, under the threshold.
    far = {**local, "postal_code": "33000", "city": "Bordeaux"}
    pair = explain_pair(A, far, lenient)
    assert pair.rule == rules.NAMESAKE and pair.score < DECISION


def test_a_dropped_letter_of_a_name_in_ie_is_a_typo_not_a_gendered_pair():
    assert rules.gendered("stephane", "stephanie") and rules.gendered("michel", "michele")
    assert not rules.gendered("zachare", "zacharie") and not rules.gendered("mare", "marie")
    # Zacharie entered again as "Zachare" at his home, no birth date, no mobile: to review.
    zacharie = {**A, "first_name": "Zacharie", "birth_date": "", "phone": ["04 78 00 11 22"]}
    pair = explain_pair(zacharie, {**zacharie, "id": "b", "first_name": "Zachare"})
    assert pair.rule != rules.HOUSEHOLD and pair.score >= DECISION


NAMESAKE = {
    "id": "n",
    "first_name": "Jean",
    "last_name": "Martin",
    "birth_date": "1979-08-14",
    "phone": "06 55 44 33 22",
    "email": "jean.martin2@gmail.com",  # close to Jean's own address: names make e-mails
    "street": "3 avenue Foch",
    "postal_code": "33000",
    "city": "Bordeaux",
}


def test_namesake_elsewhere_is_never_a_candidate_whatever_the_weights():
    a = {**A, "email": "jean.martin@gmail.com"}
    pair = explain_pair(a, NAMESAKE)
    assert pair.rule == rules.NAMESAKE and pair.score < DECISION
    lenient = Weights()  # a file where birth dates are often wrong (FEBRL-like)
    lenient.m = {**lenient.m, "birth_date": (0.5, 0.1, 0.1, 0.3)}
    lenient.prior = 2.0
    assert explain_pair(a, NAMESAKE, lenient).score < DECISION


def test_namesake_in_the_same_town_is_never_sure():
    local = {**NAMESAKE, "postal_code": "69003", "city": "Lyon", "phone": ""}
    lenient = Weights(prior=4.0)
    lenient.m = {**lenient.m, "birth_date": (0.5, 0.1, 0.1, 0.3)}
    pair = explain_pair(A, local, lenient)
    assert pair.rule == rules.REVIEW and not pair.sure


@pytest.mark.parametrize(
    "own",
    [
        {"phone": "06 55 44 33 22"},  # a mobile of his own
        {"phone": "", "email": "jean.martin@wanadoo.fr"},  # against « jean.martin@orange.fr »
    ],
    ids=["own mobile", "own mailbox"],
)
def test_namesake_in_the_same_town_with_his_own_mobile_or_mailbox_is_two_people(own):
    # One name, birth dates of other years, other streets of one town: one person who moved
    # within it and whose birth date was typed wrong (to review) — unless each also gives a
    # mobile or a « prénom.nom » mailbox of their own: three differences, a namesake.
    a = {**A, "email": "jean.martin@orange.fr"}
    local = {**NAMESAKE, "postal_code": "69003", "city": "Lyon", **own}
    lenient = Weights(prior=4.0)
    lenient.m = {**lenient.m, "birth_date": (0.5, 0.1, 0.1, 0.3)}
    pair = explain_pair(a, local, lenient)
    assert pair.rule == rules.NAMESAKE and pair.score < DECISION
    # Without either, to review as before.
    pair = explain_pair(a, {**local, "phone": "", "email": ""}, lenient)
    assert pair.rule == rules.REVIEW and not pair.sure


def test_one_name_at_two_addresses_without_a_birth_date_is_to_check():
    # Same names in one town, another street, no birth date on one side, no phone nor
    # e-mail in common: someone who moved within the town or a namesake — listed « à
    # vérifier » under the threshold, not a probable duplicate.
    a = {**A, "phone": [], "email": ""}
    local = {**NAMESAKE, "birth_date": "", "street": "8 rue Vendôme", "phone": [], "email": ""}
    local.update(postal_code="69003", city="Lyon")
    pair = explain_pair(a, local)
    assert pair.rule == rules.MOVED_OR_NAMESAKE and pair.score < DECISION
    assert [(p.rule, p.decision) for p in find_duplicates([a, local])] == [
        (rules.MOVED_OR_NAMESAKE, "à vérifier")
    ]
    # With nothing at all in common, not even the town: not listed.
    far = {**local, "postal_code": "33000", "city": "Bordeaux", "street": "3 avenue Foch"}
    assert find_duplicates([a, far]) == []


def test_a_first_name_no_one_else_bears_is_a_misspelling_not_a_household():
    # « Gréaoile » at Grégoire Martin's home, without a birth date: alone, the pair looks
    # like two first names of one household; in a file where several people are called
    # Grégoire and nobody Gréaoile, it is Grégoire's name typed badly twice.
    gregoire = {**A, "first_name": "Grégoire", "birth_date": ""}
    typo = member(first_name="Gréaoile", last_name="Martin", phone=HOME["phone"][1:])
    assert explain_pair(gregoire, typo).rule == rules.HOUSEHOLD
    others = [
        {"id": f"g{n}", "first_name": "Grégoire", "last_name": name, "city": "Nantes"}
        for n, name in enumerate(("Petit", "Durand", "Leroy"))
    ]
    listed = {frozenset((p.id_a, p.id_b)): p for p in find_duplicates([gregoire, typo, *others])}
    pair = listed[frozenset(("a", "b"))]
    assert pair.rule == rules.REVIEW and pair.decision == "probable"
    # Two first names that several records bear stay two people of one household.
    sylvie = member(first_name="Sylvie", last_name="Martin")
    more = [{**o, "id": f"s{n}", "first_name": "Sylvie"} for n, o in enumerate(others)]
    listed = find_duplicates([gregoire, sylvie, *others, *more])
    assert not [p for p in listed if {p.id_a, p.id_b} == {"a", "b"}]


def test_names_swapped_with_an_initial_go_to_review():
    # « Rossi Bernadette » (names swapped) and « B. Rossi » at one home, no birth date:
    # the initial is Bernadette's — one person, to review, not a household.
    bernadette = {**A, "first_name": "Rossi", "last_name": "Bernadette", "birth_date": ""}
    initial = member(first_name="B.", last_name="Rossi", phone=HOME["phone"][1:])
    assert explain_pair(bernadette, initial).rule == rules.REVIEW
    # « G. » against Élise Guillou's surname is no initial of her first name.
    elise = {**A, "first_name": "Élise", "last_name": "Guillou", "birth_date": "1997-06-08"}
    g = member(first_name="G.", last_name="Guillou", birth_date="")
    assert explain_pair(elise, g).rule == rules.HOUSEHOLD


def test_a_mobile_against_a_landline_is_nothing_to_compare():
    # Someone who moved gives a new landline where the other record had only a mobile:
    # no phone disagrees, the phone line of the explanation is « absent ».
    a = {**A, "phone": ["06 12 34 56 78"]}
    b = {**A, "id": "b", "phone": ["04 72 00 00 01"]}
    line = next(f for f in explain_pair(a, b).fields if f.field == "phone")
    assert line.level == "absent" and line.weight == 0
    two_mobiles = {**b, "phone": ["07 98 76 54 32"]}
    assert next(f for f in explain_pair(a, two_mobiles).fields if f.field == "phone").weight < 0


def test_misspelt_names_sharing_a_personal_mailbox_go_to_review():
    # Robert Brun and « Rebrt Baun » at one home, one mailbox carrying « robert »: a
    # record typed badly, not a second person of the household.
    robert = {**A, "first_name": "Robert", "last_name": "Brun", "birth_date": ""}
    robert.update(email="robert.brun@wanadoo.fr")
    typo = member(first_name="Rebrt", last_name="Baun", email="robert.brun@wanadoo.fr")
    typo["phone"] = HOME["phone"][1:]
    pair = explain_pair(robert, typo)
    assert pair.rule == rules.REVIEW and not pair.sure


def test_a_mailbox_carrying_a_mistyped_first_name_is_still_personal():
    # « Sbaine » and « Sabbine » Neveu, one birth date, one mailbox « sabine.neveu@ »: the
    # mailbox is Sabine's, so the two records share what only she has — not twins.
    assert rules.personal_link(
        "sbaine", "sabine.neveu@orange.fr", (), "sabbine", "sabine.neveu@orange.fr", ()
    )
    assert not rules.personal_link(
        "sbaine", "famille.neveu@orange.fr", (), "sabbine", "famille.neveu@orange.fr", ()
    )
    sabine = {**A, "first_name": "Sbaine", "last_name": "Neveu", "birth_date": "1977-03-18"}
    sabine.update(email="sabine.neveu@orange.fr", phone=[])
    other = {**sabine, "id": "b", "first_name": "Sabbine"}
    assert explain_pair(sabine, other).rule != rules.TWINS


def test_a_swapped_pair_scores_the_same_whichever_record_comes_first():
    # « Neueu Jean » (names swapped, a typo) and « Jean Neveeu »: the score of a pair of
    # records does not depend on their order in the file.
    a = {**A, "first_name": "Neueu", "last_name": "Jean", "birth_date": ""}
    b = {**a, "id": "b", "first_name": "Jean", "last_name": "Neveeu", "street": "7 rue Foch"}
    b.update(postal_code="33000", city="Bordeaux")
    assert explain_pair(a, b).swapped_names
    assert explain_pair(a, b).score == pytest.approx(explain_pair(b, a).score)

    def evidence(pair):  # the weights before any rule's cap
        return sum(f.weight for f in pair.fields if f.field != "rule")

    assert evidence(explain_pair(a, b)) == pytest.approx(evidence(explain_pair(b, a)))


def test_one_name_born_a_typo_apart_with_two_addresses_and_two_mobiles_is_a_namesake():
    # Stéphane Perez of 1952 and Stéphane Perez of 1992 (one digit apart), other streets,
    # other towns, each with a mobile: a namesake, not one person who moved, changed
    # mobile and whose birth date was mistyped.
    a = {**A, "first_name": "Stéphane", "last_name": "Perez", "birth_date": "1952-08-24"}
    a.update(email="", phone=["06 68 45 82 01"])
    b = {**a, "id": "b", "birth_date": "1992-08-24", "phone": ["06 02 01 51 54"]}
    b.update(street="73 rue de Guillet", postal_code="21000", city="Dijon")
    pair = explain_pair(a, b)
    assert pair.rule == rules.NAMESAKE and pair.score < DECISION
    # The same mobile on both: one person who moved, whose date was mistyped.
    same = {**b, "phone": a["phone"]}
    assert explain_pair(a, same).score >= DECISION


# --- a mailbox's name, the file's first names ------------------------------------------------

FILLER_SURNAMES = ("Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Roux")
FILLER_SURNAMES += ("Garcia", "David", "Bertrand", "Morel", "Fournier", "Girard")


def bearers(first_name: str, count: int) -> list[dict]:
    """``count`` records of other people called ``first_name``, elsewhere: the file's
    spellings, which ``rules.misspelt`` and ``rules.two_names`` read."""
    return [
        {"id": f"{first_name}{n}", "first_name": first_name, "last_name": FILLER_SURNAMES[n]}
        | {"street": f"{n + 1} rue Nationale", "postal_code": "44000", "city": "Nantes"}
        for n in range(count)
    ]


def listed_pair(records, a="a", b="b"):
    return next((p for p in find_duplicates(records) if {p.id_a, p.id_b} == {a, b}), None)


def test_a_household_mailbox_is_never_personal_whatever_name_it_carries():
    # « famille.pierre@ » is one typo from « camille »: still the household's mailbox.
    assert not rules.personal_link(
        "camille", "famille.pierre@laposte.net", (), "marcelle", "famille.pierre@laposte.net", ()
    )
    assert not rules.personal_link("noel", "fam.noel@free.fr", (), "daniel", "fam.noel@free.fr", ())
    # Marcelle of 1944 and Camille without a date, one home, one family mailbox, each
    # with a mobile of her own: two people, under the threshold.
    marcelle = {**A, "first_name": "Marcelle", "last_name": "Poulain", "birth_date": "1944-07-22"}
    marcelle.update(email="famille.pierre@laposte.net", phone=["06 50 37 44 68"])
    camille = member(first_name="Camille", last_name="Poulain", email=marcelle["email"])
    camille["phone"] = ["06 71 03 43 49"]
    pair = explain_pair(marcelle, camille)
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION


def test_an_initial_whose_own_mailbox_names_someone_else_is_another_person():
    # « A. Albert » of « anastasie.albert86@ » at Alain Albert's home, no birth date: the
    # initial is Anastasie's, not Alain's.
    assert rules.mailbox_given("anastasie.albert86@laposte.net", ("a", "albert")) == "anastasie"
    assert rules.mailbox_given("famille.albert@laposte.net", ("a", "albert")) == ""
    alain = {**A, "first_name": "Alain", "last_name": "Albert", "birth_date": "1957-12-13"}
    alain.update(email="alain.albert@sfr.fr")
    initial = member(first_name="A.", last_name="Albert", email="anastasie.albert86@laposte.net")
    initial["phone"] = []
    pair = explain_pair(alain, initial)
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION
    # Giving Alain's mailbox, the initial is his: to review, as before.
    pair = explain_pair(alain, {**initial, "email": "alain.albert@sfr.fr"})
    assert pair.rule == rules.REVIEW and pair.decision == "probable"


def test_a_misspelling_whose_mailbox_names_another_person_is_that_person():
    # « Lnuise » is nobody else's name, two typos from Louis (three Louis in the file, no
    # Louise): a misspelling of Louis — but her mailbox says « louise.bailly@ ».
    louis = {**A, "first_name": "Louis", "last_name": "Bailly", "birth_date": ""}
    lnuise = member(first_name="Lnuise", last_name="Bailly", birth_date="1962-12-02")
    lnuise.update(email="louise.bailly@laposte.net", phone=[])
    assert rules.mailbox_names_other("louis", "bailly", "", "lnuise", "bailly", lnuise["email"])
    assert listed_pair([louis, lnuise, *bearers("Louis", 3)]) is None
    # Without the mailbox, a misspelling of Louis at his home: to review.
    pair = listed_pair([louis, {**lnuise, "email": ""}, *bearers("Louis", 3)])
    assert pair is not None and pair.rule == rules.REVIEW


def test_two_first_names_apart_with_two_mobiles_are_two_people_despite_one_mailbox():
    # Martin and Marine Carlier, one home, one mailbox « marion@ » (two typos from both
    # names), no second birth date, each a mobile of their own: a couple, not one record
    # typed badly twice.
    martin = {**A, "first_name": "Martin", "last_name": "Carlier", "birth_date": ""}
    martin.update(email="marion@sfr.fr", phone=["07 14 71 68 42"])
    marine = member(first_name="Marine", last_name="Carlier", birth_date="1976-10-23")
    marine.update(email="marion@sfr.fr", phone=["06 75 93 48 55"])
    pair = explain_pair(martin, marine)
    assert pair.rule == rules.HOUSEHOLD and pair.score < DECISION
    # One mobile for both: one person's record typed badly, to review as before.
    pair = explain_pair(martin, {**marine, "phone": martin["phone"]})
    assert pair.rule == rules.REVIEW


def test_two_well_known_first_names_a_letter_apart_are_two_names():
    assert rules.two_names("alex", "petit", "alix", "petit", False, {"alex": 79, "alix": 69})
    # A typo made often is no name: « Pal » on 4 records, Paul on 155.
    assert not rules.two_names("paul", "marc", "pal", "marc", False, {"paul": 155, "pal": 4})
    # Thibault and Thibaut, Mathis and Mathys: one name spelt two ways.
    counts = {"thibault": 50, "thibaut": 40, "mathis": 60, "mathys": 30}
    assert not rules.two_names("thibault", "x", "thibaut", "x", False, counts)
    assert not rules.two_names("mathis", "x", "mathys", "x", False, counts)
    # « Émile » whose mailbox is « emilie.fernandez@ »: Émilie's copy, typed badly.
    counts = {"emile": 80, "emilie": 90}
    mails = ("emilie.fernandez@wanadoo.fr", "")
    assert not rules.two_names("emile", "fernandez", "emilie", "fernandez", False, counts, mails)
    # Alex of 1957 and Alix without a date at one home, in a file where both names are
    # borne by several people: two people, not one first name typed badly.
    alex = {**A, "first_name": "Alex", "last_name": "Petitjean", "birth_date": "1957-12-19"}
    alex.update(email="", phone=[])
    alix = member(first_name="Alix", last_name="Petitjean", email="alix.petitjean46@wanadoo.fr")
    alix["phone"] = ["06 42 18 01 54"]
    file = [alex, alix, *bearers("Alex", 3), *bearers("Alix", 3)]
    assert listed_pair(file) is None
    assert explain_pair(alex, alix).score >= DECISION  # alone, a typo is the likelier
    # One birth date for both: one person, whose first name was typed badly.
    twin = {**alix, "birth_date": alex["birth_date"]}
    pair = listed_pair([alex, twin, *file[2:]])
    assert pair is not None and pair.score >= DECISION


def test_a_first_name_typed_badly_twice_is_one_name():
    # « Maritn » and « Mantin » Faivre, one birth date, one landline, one home: nobody
    # else bears either spelling, each one typo from Martin, which many bear — not twins.
    maritn = {**A, "first_name": "Maritn", "last_name": "Faivre", "birth_date": "1945-08-09"}
    maritn.update(email="", phone=["05 28 13 75 51"])
    mantin = {**maritn, "id": "b", "first_name": "Mantin"}
    assert explain_pair(maritn, mantin).rule == rules.TWINS  # alone, nothing says so
    pair = listed_pair([maritn, mantin, *bearers("Martin", 12)])
    assert pair is not None and pair.rule == rules.NONE and pair.score >= DECISION
    # « Vincet » and « Vinceent » (two typos apart, yet each one from Vincent): the same.
    vincet = {**maritn, "first_name": "Vincet", "last_name": "Rivière"}
    vinceent = {**vincet, "id": "b", "first_name": "Vinceent"}
    pair = listed_pair([vincet, vinceent, *bearers("Vincent", 12)])
    assert pair is not None and pair.rule == rules.NONE and pair.score >= DECISION


def test_a_misspelling_nearer_another_well_known_name_is_that_name():
    # « Michile » at Michel Lemonnier's home, no date: two typos from Michel, one from
    # Michèle — in a file of Michels and Michèles, his wife's name typed badly.
    michel = {**A, "first_name": "Michel", "last_name": "Lemonnier", "birth_date": "1964-04-06"}
    michile = member(first_name="Michile", last_name="Lemonnier", phone=HOME["phone"][1:])
    file = [michel, michile, *bearers("Michel", 4), *bearers("Michèle", 3)]
    assert listed_pair(file) is None
    # A typo of Georges made thrice (« Geoges ») is no name of its own: « Goges », two
    # typos from Georges and one from it, is still Georges.
    counts = {"georges": 452, "geoges": 3, "goges": 1, "ferrand": 140}
    assert rules.misspelt("georges", "ferrand", "goges", "ferrand", False, counts)


def test_one_name_at_one_home_each_with_their_own_mailbox_is_to_check():
    # Arthur Legros of 1976 and Arthur Legros without a date, one home and landline, each
    # with a « prénom.nom » mailbox of his own: a father and his son as likely as one man
    # with two mailboxes — listed « à vérifier », under the threshold.
    arthur = {**A, "first_name": "Arthur", "last_name": "Legros", "birth_date": "1976-09-28"}
    arthur.update(email="arthur.legros@wanadoo.fr", phone=["01 59 62 54 49"])
    other = member(first_name="Arthur", last_name="Legros", email="arthur.legros28@sfr.fr")
    other["phone"] = ["06 08 16 77 33", "01 59 62 54 49"]
    pair = explain_pair(arthur, other)
    assert pair.rule == rules.TWO_MAILBOXES and pair.decision == "à vérifier"
    listed = listed_pair([arthur, other])
    assert listed is not None and listed.score < DECISION and listed.rule == rules.TWO_MAILBOXES
    # A « prénom45@ » mailbox is not one to tell people apart: to review, as before.
    pair = explain_pair(arthur, {**other, "email": "arthur45@sfr.fr"})
    assert pair.rule == rules.REVIEW and pair.decision == "probable"


def test_a_letter_typed_thrice_is_a_typo_not_a_feminine_form():
    assert rules.gendered("aime", "aimee")  # Aimé and Aimée
    assert not rules.gendered("aimee", "aimeee")
    # « Aiméée » Gilbert, her mobile and mailbox, her birth date one typo away: her record.
    aimee = {**A, "first_name": "Aimée", "last_name": "Gilbert", "birth_date": "1958-04-02"}
    aimee.update(email="aimee.gilbert15@laposte.net", phone=["07 98 34 54 32"])
    typo = {**aimee, "id": "b", "first_name": "Aiméée", "birth_date": "1958-04-12"}
    pair = explain_pair(aimee, typo)
    assert pair.rule != rules.HOUSEHOLD and pair.score >= DECISION


def test_a_surname_nobody_else_bears_one_typo_from_a_common_one_is_that_surname():
    # Gabriel Perez and « Gabriel Peuez » who moved, one mailbox of his: alone, « Peuez »
    # is only close to Perez; in a file where several people are called Perez and nobody
    # Peuez, it is his surname typed badly — and the pair a duplicate.
    gabriel = {**A, "first_name": "Gabriel", "last_name": "Perez", "birth_date": ""}
    gabriel.update(email="gabriel.perez13@orange.fr", phone=["06 09 42 52 38"])
    moved = {**gabriel, "id": "b", "last_name": "Peuez", "phone": []}
    moved.update(street="20 rue Stéphane Ramos", postal_code="68665", city="Dumas")
    assert explain_pair(gabriel, moved).score < DECISION
    perez = [
        {"id": f"z{n}", "first_name": first, "last_name": "Perez", "city": "Nantes"}
        for n, first in enumerate(("Paul", "Anne", "Luc"))
    ]
    pair = listed_pair([gabriel, moved, *perez])
    assert pair is not None and pair.score >= DECISION
    # Two surnames that several records bear (Martin, Marin) stay two.
    assert not rules.misspelt_surname("marin", "martin", {"marin": 5, "martin": 40})
    assert rules.misspelt_surname("peuez", "perez", {"peuez": 1, "perez": 4})


def test_a_misspelt_first_name_weighs_as_a_near_spelling():
    # Luc Merle and « uLc Merle » who moved, one mailbox of his, no second birth date: to
    # Jaro-Winkler « uLc » is far from Luc; in a file of Lucs where nobody else is « Ulc »,
    # it is his name typed badly, and weighs as a near spelling.
    luc = {**A, "first_name": "Luc", "last_name": "Merle", "birth_date": "1991-04-30"}
    luc.update(email="luc.merle4@sfr.fr", phone=["07 02 17 16 14"])
    moved = {**luc, "id": "b", "first_name": "uLc", "birth_date": "", "phone": []}
    moved.update(street="40 avenue Henriette Imbert", postal_code="14153", city="Caen")
    assert explain_pair(luc, moved).score < DECISION
    pair = listed_pair([luc, moved, *bearers("Luc", 3)])
    assert pair is not None and pair.score >= DECISION


def test_one_name_at_one_home_born_two_typos_apart_with_two_mobiles_is_two_people():
    # Dominique Brunet of 02/06/1970 and Dominique Brunet of 09/05/1970, one home, each
    # with a mobile of their own: a couple of Dominiques, not one person whose birth date
    # was typed badly twice and who changed mobile.
    a = {**A, "first_name": "Dominique", "last_name": "Brunet", "birth_date": "1970-06-02"}
    a.update(email="", phone=["06 48 93 13 32"])
    b = {**a, "id": "b", "birth_date": "1970-05-09", "phone": ["07 62 41 94 91"]}
    pair = explain_pair(a, b)
    assert pair.rule == rules.SAME_NAME_HOME and pair.score < DECISION
    # Without a mobile on one side, to review as before.
    pair = explain_pair(a, {**b, "phone": []})
    assert pair.rule == rules.REVIEW and not pair.sure


# --- recall kept ------------------------------------------------------------------------------

DUPLICATES = {
    "last-name typo": {"last_name": "Matrin"},
    "first-name typo, no birth date": {"first_name": "Jaen", "birth_date": ""},
    "short first name typo, no date": {"first_name": "Jan", "birth_date": ""},
    "names swapped": {"first_name": "Martin", "last_name": "Jean"},
    "names swapped, one typo": {"first_name": "Martin", "last_name": "Jan", "birth_date": ""},
    "moved house, same mobile": {
        "street": "8 place Bellecour",
        "postal_code": "69002",
        "city": "Lyon",
        "phone": ["06 12 34 56 78"],
        "email": "",
    },
    "moved house, same e-mail, no date": {
        "street": "40 rue Nationale",
        "postal_code": "59000",
        "city": "Lille",
        "phone": [],
        "birth_date": "",
    },
    "missing fields": {"email": "", "phone": [], "birth_date": ""},
    "birth date day and month swapped": {"birth_date": "1962-12-03"},
    "upper case, no accents, +33": {"last_name": "MARTIN", "phone": ["+33 6 12 34 56 78"]},
    "moved to another town, same mobile, no date": {
        "street": "3 cours Mirabeau",
        "postal_code": "13100",
        "city": "Aix-en-Provence",
        "phone": ["06 12 34 56 78"],
        "email": "",
        "birth_date": "",
    },
    "first-name typo, same mobile, no date": {
        "first_name": "Jena",
        "birth_date": "",
        "phone": ["06 12 34 56 78"],
    },
}


def test_a_moved_address_is_counted_once_by_the_set_weights():
    moved = {**A, "id": "b", "street": "8 place Bellecour", "postal_code": "13001"}
    moved["city"] = "Marseille"
    lines = {f.field: f for f in explain_pair(A, moved).fields}
    assert lines["street"].level == lines["city"].level == "différent"
    assert lines["street"].weight < 0 and lines["postal_code"].weight < 0
    assert lines["city"].weight == 0  # the town says again what the postal code said


@pytest.mark.parametrize("changes", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_real_duplicates_are_still_candidates(changes):
    pair = explain_pair(A, {**A, "id": "b", **changes})
    assert pair.rule in (rules.NONE, rules.REVIEW)
    assert pair.score >= DECISION, pair.fields


# --- the generated French base with households ---------------------------------------------------


@pytest.fixture(scope="module")
def base():
    return households_base(3000, seed=7)


def test_generator_records_each_copys_damage_without_changing_the_base():
    damages: dict = {}
    records, truth, _kinds = households_base(400, seed=3, damages=damages)
    again, truth_again, _ = households_base(400, seed=3)
    assert records == again and truth == truth_again
    copies = {r["id"] for r in records if "d" in r["id"]}
    assert set(damages) == copies and all(damages.values())


def test_generated_base_has_every_kind_of_household_and_namesake(base):
    _records, truth, kinds = base
    counts = {kind: list(kinds.values()).count(kind) for kind in set(kinds.values())}
    assert counts["household"] > 1000 and counts["namesake"] > 20 and counts["twins"] >= 1
    assert len(truth) > 300
    by_id = {r["id"]: r for r in _records}
    homes = [[by_id[i] for i in ids] for ids, kind in kinds.items() if kind == "household"]
    landline = sum(1 for a, b in homes if set(a["phone"]) & set(b["phone"]))
    family_mail = sum(1 for a, b in homes if a["email"] and a["email"] == b["email"])
    two_surnames = sum(1 for a, b in homes if a["last_name"] != b["last_name"])
    assert landline > 300 and family_mail > 100 and two_surnames > 50


def _date(text: str) -> str:
    return birth_date(text)[0]


def _two_people(a, b, kind, *, town=True) -> bool:
    """What the issue calls a household — different first names, a birth date absent or
    clearly another person's (more than one typo away) — or a namesake — same names living
    elsewhere, born another day (``town=False``: in another town). Same names at one address
    with other birth dates (a father and son, or a wrong date) and same names without dates
    are ambiguous: to review."""
    first_a, first_b = fold_name(a["first_name"]), fold_name(b["first_name"])
    date_a, date_b = _date(a["birth_date"]), _date(b["birth_date"])
    dated = bool(date_a and date_b)
    clearly_other = dated and OSA.distance(date_a, date_b) > 1
    if kind == "household" and first_a != first_b:
        return not dated or clearly_other
    if kind == "namesake":
        elsewhere = a["street"] != b["street"] and (town or a["city"] != b["city"])
        return clearly_other and elsewhere
    return False


def test_household_and_namesake_pairs_of_the_base_are_never_sure_nor_candidates(base):
    records, truth, kinds = base
    by_id = {r["id"]: r for r in records}
    pairs = find_duplicates(records)
    found = {frozenset((p.id_a, p.id_b)): p for p in pairs}
    checked = ambiguous = 0
    for ids, kind in kinds.items():
        a, b = (by_id[i] for i in sorted(ids))
        pair = found.get(ids)
        if _two_people(a, b, kind):
            checked += 1
            assert pair is None, (kind, a, b, pair)
        elif kind in ("household", "namesake") and a["birth_date"] and b["birth_date"]:
            ambiguous += 1  # one name, other birth dates, one address: to review at most
            assert pair is None or not pair.sure, (a, b, pair)
        # One name at one address and a single birth date: nothing tells a Dominique and
        # her husband Dominique from one Dominique entered twice (docs/dedup.md, Limits).
    assert checked > 1000 and ambiguous > 5
    sure_false = [p for p in pairs if p.sure and frozenset((p.id_a, p.id_b)) not in truth]
    twins = {ids for ids, kind in kinds.items() if kind == "twins"}
    assert not [p for p in sure_false if frozenset((p.id_a, p.id_b)) in twins]


def test_recall_and_precision_on_the_generated_base(base):
    records, truth, _kinds = base
    found = {frozenset((p.id_a, p.id_b)) for p in find_duplicates(records)}
    hits = len(found & truth)
    assert hits / len(truth) >= 0.95
    assert hits / len(found) >= 0.9


# --- the default choice, through the command ----------------------------------------------------


def _write(path, records):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prenom", "nom", "naissance", "rue", "cp", "ville", "tel", "mel"])
        for r in records:
            phones = r.get("phone") or []
            phones = [phones] if isinstance(phones, str) else phones
            writer.writerow(
                [
                    r["id"],
                    r.get("first_name", ""),
                    r.get("last_name", ""),
                    r.get("birth_date", ""),
                    r.get("street", ""),
                    r.get("postal_code", ""),
                    r.get("city", ""),
                    phones[0] if phones else "",
                    r.get("email", ""),
                ]
            )


MAPS = [
    "prenom=first_name",
    "nom=last_name",
    "naissance=birth_date",
    "rue=street",
    "cp=postal_code",
    "ville=city",
    "tel=phone",
    "mel=email",
]


def run(path, out, *extra):
    args = [str(path), "--id", "id", "-o", str(out), *extra]
    for spec in MAPS:
        args += ["--map", spec]
    call_command("find_duplicates", *args)
    with open(out, encoding="utf-8", newline="") as handle:
        return {frozenset(row[:2]) for row in list(csv.reader(handle))[1:]}


def febrl_like(count=1500, seed=11):
    """People without phone nor e-mail, a third entered twice with heavy damage (FEBRL's
    kind of file): EM should learn its weights."""
    rng = random.Random(seed)
    firsts = ["jack", "olivia", "thomas", "chloe", "liam", "ruby", "noah", "mia", "ethan", "ava"]
    lasts = [f"{a}{b}" for a in ("ro", "ka", "mi", "ste", "bla") for b in ("wson", "ller", "rke")]
    records, truth = [], set()
    for n in range(count):
        person = {
            "id": f"r{n}",
            "first_name": rng.choice(firsts),
            "last_name": rng.choice(lasts) + rng.choice(["", "s", "e"]),
            "birth_date": f"{1930 + rng.randrange(70)}{rng.randrange(1, 13):02d}"
            f"{rng.randrange(1, 29):02d}",
            "street": f"{rng.randrange(1, 300)} {rng.choice(lasts)} street",
            "postal_code": f"{rng.randrange(2000, 7000)}",
            "city": rng.choice(lasts) + " park",
        }
        records.append(person)
        if n % 3 == 0:
            copy = dict(person, id=f"d{n}")
            if rng.random() < 0.2:  # moved
                copy["street"] = f"{rng.randrange(1, 300)} {rng.choice(lasts)} road"
                copy["city"] = rng.choice(lasts) + " hill"
            if rng.random() < 0.5:
                name = copy["last_name"]
                copy["last_name"] = name[:2] + name[3:]
            if rng.random() < 0.3:
                copy["birth_date"] = ""
            if rng.random() < 0.3:
                copy["postal_code"] = copy["postal_code"][:3] + "9"
            records.append(copy)
            truth.add(frozenset((person["id"], copy["id"])))
    return records, truth


def f1(found, truth):
    hits = len(found & truth)
    return 2 * hits / (len(found) + len(truth))


def test_default_learns_weights_on_a_file_fit_for_it(tmp_path, capsys):
    records, truth = febrl_like()
    _write(tmp_path / "in.csv", records)
    found = run(tmp_path / "in.csv", tmp_path / "out.csv")
    err = capsys.readouterr().err
    assert "Pondération : poids appris sur le fichier (espérance-maximisation)." in err
    fixed = run(tmp_path / "in.csv", tmp_path / "fixed.csv", "--set-weights")
    # The choice is as good as the set weights on this file (within a point: the set weights
    # count a moved address once, which suits this file too), and good.
    assert f1(found, truth) >= f1(fixed, truth) - 0.01
    assert f1(found, truth) >= 0.95


def test_default_keeps_the_set_weights_on_a_base_of_households(tmp_path, capsys, base):
    records, truth, kinds = base
    _write(tmp_path / "in.csv", records)
    found = run(tmp_path / "in.csv", tmp_path / "out.csv")
    err = capsys.readouterr().err
    assert "Pondération : poids par défaut (" in err  # EM's fit was degenerate, and says why
    learnt = run(tmp_path / "in.csv", tmp_path / "learnt.csv", "--learn")
    assert "poids appris sur le fichier (espérance-maximisation, demandé)" in (
        capsys.readouterr().err
    )
    # The choice is the better one on this file, and the rules hold either way.
    assert f1(found, truth) > f1(learnt, truth)
    by_id = {r["id"]: r for r in records}
    apart = {
        ids for ids, kind in kinds.items() if _two_people(*(by_id[i] for i in sorted(ids)), kind)
    }
    assert len(apart) > 1000 and not (found & apart), [
        [by_id[i] for i in ids] for ids in found & apart
    ][:3]
    # Learned weights are not CRM weights: in the same town, a namesake is theirs to judge
    # (never « sure »); everywhere else the rules hold.
    ruled = {
        ids
        for ids, kind in kinds.items()
        if _two_people(*(by_id[i] for i in sorted(ids)), kind, town=False)
    }
    assert not (learnt & ruled), [[by_id[i] for i in ids] for ids in learnt & ruled][:3]


def test_set_weights_flag_and_too_few_pairs(tmp_path, capsys):
    _write(tmp_path / "in.csv", [A, {**A, "id": "b", "last_name": "Matrin"}])
    assert run(tmp_path / "in.csv", tmp_path / "o.csv") == {frozenset(("a", "b"))}
    assert "poids par défaut (trop peu de paires candidates (1)" in capsys.readouterr().err
    run(tmp_path / "in.csv", tmp_path / "o.csv", "--set-weights")
    assert "Pondération : poids par défaut (demandé)." in capsys.readouterr().err


def test_a_file_whose_copies_replace_first_names_sends_households_to_review(tmp_path, capsys):
    # FEBRL's kind of copies: a third of them carry another given name. The file shows it
    # (as many "twins" at one address as "households"), so those pairs are scored by the
    # weights and listed to review — never « sure ».
    records, truth = febrl_like(seed=12)
    names = ["zoe", "oscar", "harriet", "felix", "ivy", "hugo", "ellis", "nora", "jude", "iris"]
    replaced = set()
    for index, record in enumerate(records):
        if record["id"].startswith("d") and index % 3 == 0:
            record["first_name"] = names[index % len(names)]
            replaced.add(record["id"])
    _write(tmp_path / "in.csv", records)
    found = run(tmp_path / "in.csv", tmp_path / "out.csv")
    assert "prénoms souvent remplacés dans les copies de ce fichier" in capsys.readouterr().err
    renamed = {pair for pair in truth if pair & replaced}
    assert len(renamed) > 50
    assert len(found & renamed) >= 0.9 * len(renamed)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = [float(r["score"]) for r in rows if frozenset((r["id_a"], r["id_b"])) in renamed]
    assert scores and max(scores) < SURE


def test_a_crm_file_keeps_the_two_people_rules(tmp_path, capsys, base):
    records, _truth, _kinds = base
    _write(tmp_path / "in.csv", records)
    run(tmp_path / "in.csv", tmp_path / "out.csv")
    assert "prénoms souvent remplacés" not in capsys.readouterr().err
