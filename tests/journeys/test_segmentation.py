"""Segmentation of publics: kinds, planted groups recovered, automatic k, stability, rules,
profiles and persona cards."""

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import adjusted_rand_score

from relais.journeys.personas import Roles, profile_segments
from relais.journeys.segment_rules import Condition, Rule, RuleError, apply_rules, parse_rules
from relais.journeys.segmentation import (
    MISSING,
    detect_kinds,
    encode,
    person_features,
    segment_publics,
    with_event_features,
)
from tests.journeys.segment_data import planted_persons


@pytest.fixture(scope="module")
def planted():
    return planted_persons(1200, groups=4, seed=7)


@pytest.fixture(scope="module")
def segmented(planted):
    persons, _ = planted
    return segment_publics(persons, id_column="id", seed=3, k_range=(2, 8))


# --- column kinds and encoding ---------------------------------------------------------------


def test_kinds_are_guessed_from_the_values():
    frame = pl.DataFrame(
        {
            "id": [f"X{i}" for i in range(120)],
            "age": [20 + i % 50 for i in range(120)],
            "revenu": [f"{1000 + i},5" for i in range(120)],  # French decimals, as text
            "branche": ["Photographie", "Écrivains"] * 60,
            "canaux": ["telephone|courriel", "courriel"] * 60,
            "demande": [f"Question numéro {i} sur ma déclaration de revenus" for i in range(120)],
            "courriel": [f"p{i}@exemple.fr" for i in range(120)],
            "pays": ["France"] * 120,
            "siret": [84_000_000_000_000 + i * 7 for i in range(120)],
            "vide": [None] * 120,
        }
    )
    kinds = detect_kinds(frame, id_column="id")
    assert kinds.numeric == ("age", "revenu")
    assert kinds.categorical == ("branche",)
    assert kinds.multi == ("canaux",)
    assert kinds.text == ("demande",)
    assert dict(kinds.ignored) == {
        "courriel": "identifiant ou valeur presque unique",
        "pays": "constante",
        "siret": "identifiant numérique probable (toutes les valeurs diffèrent)",
        "vide": "vide",
    }
    # A file sorted by branch: the guess reads rows from the whole file, not its head.
    sorted_frame = pl.DataFrame(
        {"id": range(30_000), "canaux": ["courriel"] * 20_000 + ["courriel|telephone"] * 10_000}
    )
    assert detect_kinds(sorted_frame, id_column="id").multi == ("canaux",)
    forced = detect_kinds(frame, id_column="id", overrides={"age": "categorical"})
    assert "age" in forced.categorical and "age" not in forced.numeric


def test_every_variable_weighs_the_same_in_the_encoding(planted):
    persons, _ = planted
    kinds = detect_kinds(persons, id_column="id")
    encoding = encode(persons, kinds, seed=0)
    assert set(encoding.blocks) == set(kinds.used)
    for column, block in encoding.blocks.items():
        variance = encoding.matrix[:, block].var(axis=0).sum()
        assert variance == pytest.approx(1.0, rel=0.05), column
    doubled = encode(persons, kinds, seed=0, weights={"branche": 2.0})
    block = doubled.blocks["branche"]
    assert doubled.matrix[:, block].var(axis=0).sum() == pytest.approx(2.0, rel=0.05)


# --- planted groups, automatic k, stability, reproducibility ----------------------------------


@pytest.mark.parametrize("groups", [3, 4, 5])
def test_automatic_k_finds_the_planted_number_of_groups(groups):
    persons, truth = planted_persons(900, groups=min(groups, 4), seed=groups)
    if groups == 5:  # a fifth group: old photographers who write, far from the others
        extra, _ = planted_persons(200, groups=1, seed=11)
        extra = extra.with_columns(
            pl.lit(90, dtype=pl.Int64).alias("age"),
            pl.lit("Cinéma et audiovisuel").alias("branche"),
            pl.lit("accueil").alias("canaux"),
            pl.lit("attestation").alias("demarche"),
            pl.lit("Bonjour, attestation de droits pour mon film").alias("demande"),
            ("E" + pl.col("id")).alias("id"),
        )
        persons = pl.concat([persons, extra])
        truth = np.concatenate([truth, np.full(200, 4)])
    result = segment_publics(persons, id_column="id", seed=0, k_range=(2, 8))
    assert result.k == groups
    assert adjusted_rand_score(truth, result.segments.to_numpy()) > 0.9
    assert result.stability.mean_ari > 0.9
    assert result.stability.verdict == "très stable"


def test_planted_groups_are_recovered(planted, segmented):
    _, truth = planted
    assert segmented.k == 4
    assert adjusted_rand_score(truth, segmented.segments.to_numpy()) > 0.95
    assert segmented.method == "classification"
    # Named S1…S4 by decreasing size.
    sizes = segmented.assignments().group_by("segment").len().sort("segment")
    counts = dict(sizes.iter_rows())
    assert list(counts) == ["S1", "S2", "S3", "S4"]
    assert counts["S1"] >= counts["S2"] >= counts["S3"] >= counts["S4"]


def test_same_seed_same_segments(planted, segmented):
    persons, _ = planted
    again = segment_publics(persons, id_column="id", seed=3, k_range=(2, 8))
    assert again.segments.to_list() == segmented.segments.to_list()
    assert again.choice.scores == segmented.choice.scores
    assert again.stability == segmented.stability


def test_noise_has_no_well_separated_segments():
    rng = np.random.default_rng(5)
    noise = pl.DataFrame({"id": [str(i) for i in range(800)], "x": rng.normal(size=800)})
    noise = noise.with_columns(pl.Series("y", rng.normal(size=800)))
    result = segment_publics(noise, id_column="id", seed=0, k_range=(2, 6))
    # Gaussian noise has no groups: the best silhouette stays far below the planted data's.
    assert max(result.choice.scores.values()) < 0.45


def test_forced_number_of_segments(planted):
    persons, _ = planted
    result = segment_publics(persons, id_column="id", seed=0, n_segments=6)
    assert result.k == 6 and result.choice.forced
    assert result.segments.n_unique() == 6
    with pytest.raises(ValueError, match="au moins deux"):
        segment_publics(persons, id_column="id", n_segments=1)


# --- rules -----------------------------------------------------------------------------------

RULES = """
# Les règles se lisent dans l'ordre ; la première qui convient gagne.
Seniors : age >= 65
Écrivains franciliens : branche = "Écrivains et littérature" et region = "ile-de-france"
Aidés : demarche dans ["action sociale", "aide"] et canaux contient TELEPHONE
"""


def test_rules_text_first_match_wins(planted):
    persons, _ = planted
    rules = parse_rules(RULES)
    assert [r.name for r in rules] == ["Seniors", "Écrivains franciliens", "Aidés"]
    segments = apply_rules(persons, rules).to_list()
    for row, segment in zip(persons.iter_rows(named=True), segments, strict=True):
        if row["age"] >= 65:
            expected = "Seniors"
        elif row["branche"] == "Écrivains et littérature" and row["region"] == "Île-de-France":
            expected = "Écrivains franciliens"
        elif row["demarche"] == "action sociale" and "telephone" in row["canaux"].split("|"):
            expected = "Aidés"
        else:
            expected = None
        assert segment == expected
    assert segments.count("Seniors") > 0 and segments.count("Aidés") > 0


def test_rules_json_form_is_the_same(planted):
    persons, _ = planted
    text_rules = parse_rules(RULES)
    json_rules = parse_rules(
        '[{"name": "Seniors", "when": [{"column": "age", "op": ">=", "value": 65}]},'
        ' {"name": "Écrivains franciliens", "when": ['
        '   {"column": "branche", "op": "=", "value": "Écrivains et littérature"},'
        '   {"column": "region", "op": "=", "value": "ile-de-france"}]},'
        ' {"name": "Aidés", "when": [{"column": "demarche", "op": "dans",'
        '   "value": ["action sociale", "aide"]},'
        '   {"column": "canaux", "op": "contient", "value": "TELEPHONE"}]}]'
    )
    assert json_rules == text_rules
    assert parse_rules(str([r.to_dict() for r in text_rules]).replace("'", '"')) == text_rules
    assert apply_rules(persons, json_rules).to_list() == apply_rules(persons, text_rules).to_list()


def test_rule_operators():
    frame = pl.DataFrame(
        {
            "age": [20, 40, None, 70],
            "compte": ["oui", "Non", "", "OUI"],
            "canaux": ["courriel", "telephone|courrier", None, "telephone"],
        }
    )

    def matches(condition_text):
        rules = parse_rules(f"R : {condition_text}")
        return apply_rules(frame, rules).is_not_null().to_list()

    assert matches("age < 40") == [True, False, False, False]
    assert matches("age != 40") == [True, False, False, True]
    assert matches("compte = oui") == [True, False, False, True]
    assert matches("compte hors [oui]") == [False, True, True, False]
    assert matches("compte est vide") == [False, False, True, False]
    assert matches("canaux n'est pas vide") == [True, True, False, True]
    assert matches("canaux contient telephone et age > 30") == [False, True, False, True]
    assert apply_rules(frame, parse_rules("Tous : *")).to_list() == ["Tous"] * 4
    named = parse_rules("\"Seniors : 65 ans et plus\" : age >= 65\n'Autres' : *")
    assert [r.name for r in named] == ["Seniors : 65 ans et plus", "Autres"]
    assert named[0].conditions == (Condition("age", ">=", 65),)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("sans deux points", "ligne 1 : « nom : conditions » attendu"),
        ("R : age ~ 3", "ligne 1 : condition illisible"),
        ("R : age dans 3", "attend une liste"),
        ("R : age <", "valeur manquante"),
        ("[{}]", "nom"),
        ("[1,", "JSON illisible"),
        ('[{"name": "R", "when": [{"column": "age", "op": "≈", "value": 1}]}]', "opérateur"),
    ],
    ids=["no-colon", "bad-operator", "list-expected", "no-value", "no-name", "bad-json", "op"],
)
def test_rule_errors_in_french(source, message):
    with pytest.raises(RuleError, match=message):
        parse_rules(source)


def test_rule_on_a_missing_column_or_with_a_word_for_a_number():
    frame = pl.DataFrame({"age": [1, 2]})
    with pytest.raises(RuleError, match="colonne « branche », absente"):
        apply_rules(frame, [Rule("R", (Condition("branche", "=", "x"),))])
    with pytest.raises(RuleError, match="un nombre est attendu"):
        apply_rules(frame, [Rule("R", (Condition("age", "<", "vieux"),))])


def test_rules_then_clustering_of_the_rest(planted):
    persons, truth = planted
    rules = parse_rules('Photographes : branche = "Photographie"')
    result = segment_publics(persons, id_column="id", rules=rules, seed=0, k_range=(2, 6))
    segments = np.array(result.segments.to_list())
    photographers = (persons.get_column("branche") == "Photographie").to_numpy()
    assert (segments[photographers] == "Photographes").all()
    assert not (segments[~photographers] == "Photographes").any()
    assert result.method == "règles + classification"
    assert set(segments[~photographers]) == {f"S{i}" for i in range(1, result.k + 1)}
    with pytest.raises(ValueError, match="« S2 » est réservé aux segments automatiques"):
        segment_publics(persons, id_column="id", rules=parse_rules("S2 : age > 60"))
    # Without clustering, the rest is one named segment.
    plain = segment_publics(persons, id_column="id", rules=rules, cluster_rest=False)
    assert set(plain.segments.to_list()) == {"Photographes", "Autres"}
    assert plain.method == "règles" and plain.k is None and plain.stability is None


# --- profiles and persona cards ----------------------------------------------------------------


def test_profiles_add_up(planted, segmented):
    persons, _ = planted
    profiles = segmented.profiles
    assert [p.name for p in profiles] == ["S1", "S2", "S3", "S4"]
    assert sum(p.size for p in profiles) == persons.height
    assert sum(p.share for p in profiles) == pytest.approx(1.0)
    for profile in profiles:
        # A single-valued category: the shares of its values make the whole segment.
        assert sum(v.share for v in profile.categories["branche"]) == pytest.approx(1.0)
        # Check one share by hand.
        members = persons.filter(segmented.segments == profile.name)
        top = profile.categories["branche"][0]
        assert top.share == pytest.approx(
            (members.get_column("branche") == top.value).mean(), abs=1e-12
        )
        overall = (persons.get_column("branche") == top.value).mean()
        assert top.lift == pytest.approx(top.share / overall)
        age = profile.numeric["age"]
        assert age.median == members.get_column("age").median()
        assert age.overall_median == persons.get_column("age").median()


def test_profile_roles_channels_needs_topics(planted, segmented):
    persons, _ = planted
    retirement = next(
        p for p in segmented.profiles if p.needs and p.needs[0].value == "trimestres retraite"
    )
    assert retirement.channel_column == "canaux" and retirement.channel_is_multi
    members = persons.filter(segmented.segments == retirement.name)
    phone = next(v for v in retirement.channel_mix if v.value == "telephone")
    expected = members.get_column("canaux").str.split("|").list.contains("telephone").mean()
    assert phone.share == pytest.approx(expected)
    topic_words = [t.value for t in retirement.topics[:5]]
    assert "trimestres" in topic_words
    assert "bonjour" not in [t.value for t in retirement.topics]  # politeness is not a topic


def test_persona_card_is_made_of_the_profile(segmented):
    for index, profile in enumerate(segmented.profiles):
        card = profile.persona
        assert card.startswith("Persona « ")
        assert f"segment {profile.name}" in card
        assert f"({profile.size} personnes)" in card
        assert f"{profile.share * 100:.0f} % des publics" in card
        assert "Besoins principaux : " + profile.needs[0].value in card
        median_age = round(profile.numeric["age"].median)
        assert f"{median_age} ans" in card
        assert index == 0 or card.split("»")[0] != segmented.profiles[0].persona.split("»")[0]


def test_pain_points_from_friction_counters_and_words():
    persons = pl.DataFrame(
        {
            "id": [str(i) for i in range(8)],
            "nb_relances": [0, 0, 0, 1, 5, 6, 4, 5],
            "demande": ["question sur ma déclaration de revenus"] * 4
            + ["toujours pas de réponse, je relance encore pour mon dossier"] * 4,
        }
    )
    segments = pl.Series(["calmes"] * 4 + ["relanceurs"] * 4)
    kinds = detect_kinds(persons, id_column="id", overrides={"demande": "text"})
    profiles = {p.name: p for p in profile_segments(persons, segments, kinds)}
    chasers = profiles["relanceurs"]
    # Mean 5 against an overall mean of 2.625: ×1.9.
    assert chasers.pain_points[0] == "nb relances : 5 en moyenne, ×1,9 par rapport à l'ensemble"
    assert any("« relance »" in point for point in chasers.pain_points)
    assert profiles["calmes"].pain_points == []
    assert "aucun signal" in profiles["calmes"].persona
    explicit = profile_segments(persons, segments, kinds, roles=Roles(pain=()))
    assert all(not p.pain_points[:1] or "nb relances" not in p.pain_points[0] for p in explicit)


def test_missing_values_are_a_category_of_their_own():
    persons = pl.DataFrame(
        {"id": ["1", "2", "3", "4"], "region": ["Corse", None, "", "Corse"], "age": [1, 2, 3, 4]}
    )
    kinds = detect_kinds(persons, id_column="id", overrides={"region": "categorical"})
    (profile,) = profile_segments(persons, pl.Series(["A"] * 4), kinds)
    assert {v.value: v.share for v in profile.categories["region"]} == {"Corse": 0.5, MISSING: 0.5}


# --- features from an event log ----------------------------------------------------------------


def test_person_features_from_events():
    events = pl.DataFrame(
        {
            "qui": ["1", "1", "1", "2", "2", None],
            "dossier": ["D1", "D1", "D2", "D3", "D3", "D4"],
            "quoi": ["Affiliation", "Relance", "Attestation", "Affiliation", "Affiliation", "X"],
            "quand": [
                "2025-01-01 09:00:00",
                "2025-01-03 09:00:00",
                "2025-01-11 21:00:00",
                "2025-02-01 10:00:00",
                "2025-02-01 10:00:00",
                "2025-02-01 10:00:00",
            ],
            "canal": ["telephone", "courriel", "telephone", "espace|en ligne", None, "x"],
        }
    )
    features = person_features(
        events, person="qui", case="dossier", activity="quoi", timestamp="quand", channel="canal"
    )
    rows = {row["person"]: row for row in features.iter_rows(named=True)}
    assert set(rows) == {"1", "2"}  # the event without a person is left out
    one = rows["1"]
    assert (one["nb_contacts"], one["nb_dossiers"], one["contacts_par_dossier"]) == (3, 2, 1.5)
    assert one["jours_actifs"] == 10.5
    assert one["canaux"] == "courriel|telephone"
    assert one["canal_principal"] == "telephone"
    assert one["demarches"] == "Affiliation|Attestation|Relance"
    two = rows["2"]
    assert (two["nb_contacts"], two["jours_actifs"], two["canaux"]) == (2, 0.0, "espace/en ligne")

    french = person_features(
        pl.DataFrame({"qui": ["1", "1"], "quand": ["01/02/2025 09:00", "11/02/2025 21:00"]}),
        person="qui",
        timestamp="quand",
    )
    assert french.get_column("jours_actifs").to_list() == [10.5]
    with pytest.raises(ValueError, match="colonne « quand » : aucune date lisible .*« hier »"):
        person_features(
            pl.DataFrame({"qui": ["1", "2"], "quand": ["hier", "demain"]}),
            person="qui",
            timestamp="quand",
        )

    persons = pl.DataFrame({"id": [1, 2, 3], "nb_contacts": [9, 9, 9]})
    joined, overrides = with_event_features(persons, features, id_column="id")
    assert overrides == {"canaux": "multi", "demarches": "multi"}
    assert joined.get_column("evt_nb_contacts").to_list() == [3, 2, 0]
    assert joined.get_column("nb_contacts").to_list() == [9, 9, 9]
    assert joined.get_column("id").to_list() == [1, 2, 3]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"id": ["1"], "x": [1]}), r"aucune colonne exploitable .*x \(constante\)"),
        (pl.DataFrame({"id": ["1", "2", "3"], "x": [1, 2, 3]}), r"trop peu de personnes \(3\)"),
        (pl.DataFrame({"x": [1, 2]}), "colonne « id » absente"),
        (pl.DataFrame({"id": [], "x": []}), "aucune personne"),
    ],
    ids=["one-person", "three-persons", "no-id", "empty"],
)
def test_segmentation_refuses_what_it_cannot_do(frame, message):
    with pytest.raises(ValueError, match=message):
        segment_publics(frame, id_column="id", rules=None)


def test_stability_is_shown_for_every_k_and_peaks_at_the_planted_one(segmented):
    stability = segmented.choice.stability
    assert set(stability) == set(segmented.choice.scores) == set(range(2, 9))
    assert stability[4] == segmented.stability.mean_ari
    assert stability[4] == max(stability.values())


def test_second_level_finds_groups_inside_forced_coarse_segments(planted):
    persons, truth = planted
    coarse = segment_publics(persons, id_column="id", seed=3, n_segments=2)
    fine = segment_publics(persons, id_column="id", seed=3, n_segments=2, levels=2)
    assert coarse.segments.n_unique() == 2
    names = set(fine.segments.to_list())
    assert names == {"S1.1", "S1.2", "S2.1", "S2.2"}
    assert adjusted_rand_score(truth, fine.segments.to_numpy()) > 0.95
    for parent, (choice, stability, split) in fine.subdivisions.items():
        assert split and choice.k == 2 and stability.mean_ari >= 0.75, parent
    # Each sub-segment lies inside its parent.
    for coarse_name, fine_name in zip(coarse.segments, fine.segments, strict=True):
        assert fine_name.split(".")[0] == coarse_name
    with pytest.raises(ValueError, match="1 ou 2"):
        segment_publics(persons, id_column="id", levels=3)


def test_text_model_is_tf_idf_of_french_stems_with_every_person_counted():
    import re

    from sklearn.feature_extraction.text import TfidfTransformer

    from relais.core.search import stem
    from relais.core.text import fold_words
    from relais.journeys.segment_features import text_model

    texts = [
        "Toujours pas reçu mon attestation, je relance",
        "Attestation de revenus : relance",
        "Toujours pas reçu mon attestation, je relance",  # the same text twice
        None,
        "Question sur les trimestres de retraite",
        "Trimestres de retraite manquants ; relances sans réponse",
        "Attestations envoyées ?",
        "Affiliation d'un jeune auteur",
        "Affiliation et numéro siret",
        "Dispense de précompte",
        "Précompte retenu par l'éditeur",
    ]
    model = text_model(pl.Series("demande", texts))
    assert {"attest", "relanc", "trimestr", "retrait", "recu"} <= set(model.stems)
    assert model.words[model.stems.index("attest")] == "attestation"  # most frequent form
    assert "toujour" in model.stems and "de" not in model.stems
    index = {s: i for i, s in enumerate(model.stems)}
    counts = np.zeros((len(texts), len(index)))
    for row, text in enumerate(texts):
        for raw in re.findall(r"\w+", text or ""):
            word = fold_words(raw)
            if stem(word) in index and len(word) > 1:
                counts[row, index[stem(word)]] += 1
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray()
    assert np.allclose(model.matrix.toarray(), expected, atol=1e-6)
    assert not model.matrix[3].toarray().any()  # no text, no topic
