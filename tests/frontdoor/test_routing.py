"""Explained routing: editable rules with accents, typos and stems, the classifier, calibrated
confidence and abstention, several bodies, retraining with human overrides."""

import tomllib

import pytest

from relais.frontdoor.routing import (
    Example,
    Params,
    default_model,
    explanation_text,
    route,
    train,
    train_model,
)
from relais.frontdoor.routing.phrases import Text, compile_phrase, find
from relais.frontdoor.routing.rules import RULES_PATH, load_rules, parse_rules

BODIES = {"URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL"}


@pytest.fixture(scope="module")
def model():
    return default_model()


# --- phrases: the way employers write ------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("attestation de vigilance", "ATTESTATION DE VIGILANCE svp"),
        ("attestation de vigilance", "bjr jai besoin de lattestation de vigilence"),
        ("attestation de vigilance", "l'attestation de vigilance à jour"),
        ("cotisation", "mes cotisations du trimestre"),
        ("liquidation judiciaire", "ma boite est en LIQUIDATION JUDICAIRE"),
        ("chute mortelle", "il a fait une chute mortelle"),
        ("décédé", "notre salariée est décédée"),
        ("huissier", "un huisier est passe"),
        ("congés payés", "conges payes"),
        ("indemnités journalières", "les IJ ? les indemnites journaliere"),
    ],
    ids=[
        "capitals",
        "typo-glued",
        "accents",
        "plural",
        "typo",
        "feminine",
        "accent-feminine",
        "missing-letter",
        "no-accents",
        "singular",
    ],
)
def test_a_phrase_matches_accents_capitals_typos_and_inflections(phrase, text):
    assert find(compile_phrase(phrase), Text.of(text))


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        # "vigilance" four words after "attestation": beyond the default gap of two.
        ("attestation de vigilance", "attestation de salaire et de vigilance"),
        ("mort", "le mortier est sec"),
        ("salaire", "mon salarie est en arret"),
        ("=tuer", "la paperasse me tue"),
        ("en =finir", "en fin d'annee"),
    ],
    ids=["too-far", "mortar", "salarie-not-salaire", "exact-form", "fin-not-finir"],
)
def test_a_phrase_does_not_match_a_different_word(phrase, text):
    assert not find(compile_phrase(phrase), Text.of(text))


def test_a_stem_alone_would_match_fin_for_finir():
    # Why the catalogue writes "en =finir": "finir" and "fin" share the stem "fin".
    assert find(compile_phrase("en finir"), Text.of("en fin d'annee"))


def test_a_caret_word_must_follow_directly():
    phrase = compile_phrase("saisie ^de ^mes comptes")
    assert find(phrase, Text.of("saisie de mes comptes"))
    assert not find(phrase, Text.of("saisie des conges de mes comptes"))


def test_order_gap_and_unordered_parts():
    assert find(compile_phrase("salaire .. payer"), Text.of("salaires du mois pas encore payer"))
    assert not find(compile_phrase("payer salaire"), Text.of("salaire payer"))
    assert find(compile_phrase("impaye & salaire"), Text.of("salaire de mars toujours impaye"))


def test_rules_file_is_valid_and_names_the_five_bodies_and_the_fund():
    with open(RULES_PATH, "rb") as handle:
        data = tomllib.load(handle)
    assert BODIES | {"CIBTP"} <= set(data)
    rules = load_rules()
    for body in rules.bodies:
        assert body.name and body.phrases, body.code


def test_rules_alone_point_to_the_body_whose_words_match():
    rules = load_rules()
    text = Text.of("Je voudrais mon ATTESTATION DE VIGILENCE pour le chantier")
    scores = rules.scores(rules.match(text))
    assert max(scores, key=scores.get) == "URSSAF"
    matched = [m for m in rules.match(text) if m.body == "URSSAF"]
    assert any(m.phrase == "attestation de vigilance" for m in matched)


def test_a_body_added_by_rules_only_is_scored_by_its_rules():
    data = {
        "URSSAF": {"name": "Urssaf", "strong": ["cotisation"]},
        "IMPOTS": {"name": "Impôts", "strong": ["impot sur le revenu", "tva"]},
    }
    rules = parse_rules(data, digest="test")
    examples = [Example(text=f"cotisations question {i}", bodies=("URSSAF",)) for i in range(6)]
    examples += [Example(text=f"arret maladie question {i}", bodies=("CPAM",)) for i in range(6)]
    model = train(examples, rules=rules)
    decision = route("probleme de TVA sur mes factures", model=model)
    assert "IMPOTS" in dict(decision.explanation["scores"])
    assert decision.explanation["scores"]["IMPOTS"]["probability"] > 0.4
    assert decision.explanation["scores"]["IMPOTS"]["rules"] == 2.0


# --- the model -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bjr jai besoin de lattestation de vigilence urgent", "URSSAF"),
        ("mon salarié est en arrêt maladie, les IJ ne sont pas payées", "CPAM"),
        ("Un ouvrier part à la retraite en juin, que dois-je faire ?", "CARSAT"),
        ("Je cherche un maçon qualifié en CDI", "FRANCE_TRAVAIL"),
        ("la CAF me demande une attestation pour la prime d'activité de mon apprenti", "CAF"),
        ("chantier arrêté trois jours pour intempéries, neige", "CIBTP"),
    ],
    ids=["urssaf", "cpam", "carsat", "france-travail", "caf", "cibtp"],
)
def test_route_finds_the_competent_body(model, text, expected):
    decision = route(text, model=model)
    assert decision.bodies[0][0] == expected
    assert not decision.abstain
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.confidence == decision.bodies[0][1]


def test_every_probability_is_calibrated_between_zero_and_one_and_sorted(model):
    decision = route("question sur mes cotisations et un arret maladie", model=model)
    scores = [s["probability"] for s in decision.explanation["scores"].values()]
    assert all(0.0 <= p <= 1.0 for p in scores)
    assert scores == sorted(scores, reverse=True)
    assert [p for _c, p in decision.bodies] == sorted(
        [p for _c, p in decision.bodies], reverse=True
    )


def test_a_question_for_two_bodies_goes_to_both(model):
    decision = route(
        "Ma salariée enchaîne congé maternité puis congé parental : qui paie quoi ?", model=model
    )
    assert {"CPAM", "CAF"} <= set(decision.codes)


def test_an_unclear_question_abstains_but_keeps_a_best_guess(model):
    decision = route("Bonjour, j'ai une question.", model=model)
    assert decision.abstain
    assert decision.confidence < model.params.abstain_below
    assert len(decision.bodies) >= 1 and decision.bodies[0][0] in model.bodies


def test_an_empty_text_abstains(model):
    decision = route("", model=model)
    assert decision.abstain
    assert decision.explanation["empty"]
    assert "Texte vide" in explanation_text(decision, model=model)


def test_a_threshold_above_the_confidence_makes_the_same_question_abstain():
    base = default_model()
    text = "Question sur un salarié qui part, pour le chômage et ses trimestres"
    confidence = route(text, model=base).confidence
    assert confidence < 0.99
    strict = train((), base=base, params=Params(abstain_below=min(1.0, confidence + 0.01)))
    lenient = train((), base=base, params=Params(abstain_below=confidence - 0.01))
    assert route(text, model=strict).abstain
    assert not route(text, model=lenient).abstain
    # The threshold decides, not the classifier: the best guess stays the same.
    assert route(text, model=strict).bodies[0] == route(text, model=lenient).bodies[0]


def test_routing_is_deterministic_for_a_given_model():
    first = train((), base=default_model())
    second = train((), base=default_model())
    assert first.version == second.version == default_model().version
    for text in (
        "Mon compte urssaf est bloqué et un salarié est en arrêt",
        "Bonjour, j'ai une question.",
        "ma salariée part en congé maternité puis en congé parental",
    ):
        assert route(text, model=first) == route(text, model=second)
    for body in first.bodies:
        one, two = first.body_models[body], second.body_models[body]
        if one.classifier is not None:
            assert (one.classifier.coef_ == two.classifier.coef_).all()


def test_the_version_changes_with_the_training_data(model):
    retrained = train(
        [Example(text="question nouvelle sur la DSN", bodies=("URSSAF",))], base=model
    )
    assert retrained.version != model.version
    assert retrained.version.startswith("routing-")


def test_the_explanation_names_the_rules_the_terms_and_the_scores(model):
    decision = route(
        "Attestation de vigilance introuvable, le client bloque le paiement", model=model
    )
    explanation = decision.explanation
    assert any(m["phrase"] == "attestation de vigilance" for m in explanation["rules"]["URSSAF"])
    assert explanation["classifier_terms"]["URSSAF"]
    assert set(explanation["scores"]) == set(model.bodies)
    assert decision.model_version == model.version
    text = explanation_text(decision, model=model)
    assert text.startswith("Organismes : Urssaf")
    assert "« attestation vigilance »" in text
    assert model.version in text


def test_the_abstention_is_said_in_french(model):
    decision = route("Bonjour, j'ai une question.", model=model)
    assert "à confirmer par le répartiteur" in explanation_text(decision, model=model)


# --- retraining ----------------------------------------------------------------------------

AMBIGUOUS = "Question sur le compte professionnel de mon gars"


def test_retraining_with_overrides_changes_the_decision(model):
    before = route(AMBIGUOUS, model=model)
    assert before.bodies[0][0] != "CAF"
    overrides = [
        (AMBIGUOUS, ["CAF"]),
        ("Question sur le compte de mon gars pour la CAF", ["CAF"]),
        ("question compte professionnel gars caf", ["CAF"]),
    ]
    retrained = train_model(overrides, base=model)
    after = route(AMBIGUOUS, model=retrained)
    assert after.bodies[0][0] == "CAF"
    assert after.model_version != before.model_version


def test_an_override_replaces_the_original_label_of_the_same_text(model):
    text = model.examples[0].text
    retrained = train_model([(text, ["CIBTP"])], base=model)
    labels = [e.bodies for e in retrained.examples if e.text == text]
    assert labels == [("CIBTP",)]
    assert len(retrained.examples) == len(model.examples)


def test_pas_pour_moi_lowers_the_refused_body(model):
    text = "Le compte de mon gars pose question"
    before = route(text, model=model).explanation["scores"]
    refused = max(before, key=lambda code: before[code]["probability"])
    retrained = train_model(
        [(text, [f"-{refused}"]), (text + " encore", [f"-{refused}"])], base=model
    )
    after = route(text, model=retrained).explanation["scores"]
    assert after[refused]["probability"] < before[refused]["probability"]


def test_the_decision_can_be_stored_as_json(model):
    import json

    decision = route("mon gars est mort sur le chantier, attestation de salaire ?", model=model)
    stored = json.loads(json.dumps(decision.explanation))
    assert stored["critical"][0]["code"] == "ACCIDENT_MORTEL"
    assert stored["scores"].keys() == decision.explanation["scores"].keys()


def test_a_saved_model_decides_like_the_original(model, tmp_path):
    from relais.frontdoor.routing import load_model, save_model

    path = save_model(model, tmp_path / "var" / "routing.joblib")
    loaded = load_model(path)
    text = "Mon salarié est en arrêt et je n'arrive plus à payer les salaires"
    assert loaded.version == model.version
    assert route(text, model=loaded) == route(text, model=model)


def test_loading_something_else_is_refused(tmp_path):
    import joblib

    from relais.frontdoor.routing import load_model

    joblib.dump({"not": "a model"}, tmp_path / "other.joblib")
    with pytest.raises(ValueError, match="modèle"):
        load_model(tmp_path / "other.joblib")


def test_bodies_lists_the_codes_and_french_names():
    from relais.frontdoor.routing import bodies

    listed = {code: name for code, name, _description in bodies()}
    assert BODIES | {"CIBTP"} <= set(listed)
    assert listed["CPAM"].startswith("CPAM")


def test_a_very_long_request_is_routed_quickly(model):
    import time

    text = "Bonjour, je voudrais un échéancier pour mes cotisations. " * 2000
    started = time.perf_counter()
    decision = route(text, model=model)
    assert decision.bodies[0][0] == "URSSAF"
    assert time.perf_counter() - started < 10


def test_changing_a_threshold_does_not_refit_but_changes_the_version(model):
    from dataclasses import replace

    stricter = train((), base=model, params=replace(model.params, abstain_below=0.9))
    assert stricter.body_models is model.body_models  # same learnt weights
    assert stricter.version != model.version
    assert stricter.params.abstain_below == 0.9


def test_the_default_model_is_kept_on_disk_for_the_next_process(settings, tmp_path, monkeypatch):
    from relais.frontdoor.routing import model as routing_model

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(routing_model, "_CACHE", {})
    first = routing_model.default_model()
    saved = tmp_path / "routing" / f"{first.version}.joblib"
    assert saved.exists()

    # A new process: nothing in memory, the file is read instead of training again.
    monkeypatch.setattr(routing_model, "_CACHE", {})

    def no_training(*args, **kwargs):
        raise AssertionError("retrained although the saved model was current")

    monkeypatch.setattr(routing_model, "train", no_training)
    again = routing_model.default_model()
    assert again.version == first.version
    text = "attestation de vigilance svp"
    assert route(text, model=again) == route(text, model=first)


def test_a_damaged_file_on_disk_is_ignored(settings, tmp_path, monkeypatch, model):
    from relais.frontdoor.routing import model as routing_model

    settings.VAR_DIR = tmp_path
    (tmp_path / "routing").mkdir()
    (tmp_path / "routing" / f"{model.version}.joblib").write_bytes(b"not a model")
    assert routing_model._from_disk(model.params) is None
