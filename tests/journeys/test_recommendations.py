"""Recommendations on a small hand-checked log (``reco_logs``): each lever matched to the
problem it answers, the gain's arithmetic, the ranking, the annualisation, the what-if and
the assumptions' French errors."""

import pytest

from relais.journeys.recommendations import (
    AssumptionsError,
    default_assumptions,
    recommend,
    spread,
    validate_assumptions,
    what_if,
)
from tests.journeys.reco_logs import reco_frame

EXPECTED_ENDS = {"expected_ends": ["Décision"]}


def _by(result, lever, kind, subject_part=""):
    rows = [
        row
        for row in result["recommendations"]
        if row["lever"] == lever and row["kind"] == kind and subject_part in row["subject"]
    ]
    assert len(rows) == 1, [
        (r["lever"], r["kind"], r["subject"]) for r in result["recommendations"]
    ]
    return rows[0]


@pytest.fixture(scope="module")
def result():
    return recommend(reco_frame(), EXPECTED_ENDS)


def test_the_log_is_annualised_from_its_period(result):
    log = result["log"]
    assert (log["n_cases"], log["n_events"], log["n_contacts"]) == (5, 16, 6)
    assert log["period_days"] == pytest.approx(36.525)
    assert log["case_factor"] == pytest.approx(10.0)
    assert log["reason_column"] == "motif"


def test_each_problem_gets_its_lever(result):
    found = {(row["lever"], row["kind"], row["step"]) for row in result["recommendations"]}
    assert found == {
        ("proactive_notice", "relance", "Réception"),  # A and C chase while Réception waits
        ("letter_fix", "courrier_incompris", "Réception"),  # B did not understand the letter
        ("knowledge_article", "courrier_incompris", "Réception"),
        ("callback", "repetition", "(avant la première étape)"),  # C calls after the web
        ("knowledge_article", "information", "(avant la première étape)"),  # E asks
        ("community_answer", "information", "(avant la première étape)"),
        ("process_change", "attente", "Examen"),  # 6.5 days on average before Examen
        ("letter_fix", "reprise", "Examen"),  # B's file examined twice
        ("channel_shift", "changement_canal", ""),  # C: web, then phone
        ("callback", "abandon", "Examen"),  # C ends on Examen
        ("callback", "abandon", "Réception"),  # D
        ("callback", "abandon", "Appel"),  # E
    }
    chasing = _by(result, "proactive_notice", "relance")
    assert chasing["evidence"]["sample_cases"] == ["A", "C"]
    assert chasing["evidence"]["contacts_by_channel"] == {"phone": 2}


def test_gain_arithmetic_by_hand(result):
    # 2 phone calls × 60 % avoided × 10 (a year) × 8 min = 96 min; chasing weighs 1.5.
    chasing = _by(result, "proactive_notice", "relance")["gain"]
    assert chasing["contacts_avoided_per_year"] == pytest.approx(12.0)
    assert chasing["staff_minutes_per_year"] == pytest.approx(96.0)
    assert chasing["cases_per_year"] == pytest.approx(20.0)
    assert chasing["contacts_avoided_per_case"] == pytest.approx(0.6)
    assert chasing["value"] == pytest.approx(144.0)
    # Waits before Examen: A 10 d, B 2 d and 2 d, C 12 d → 26 days over 3 cases; 30 cases a
    # year × 26/3 days × 30 % saved × 30 min a day × weight 1.5 = 3 510.
    wait = _by(result, "process_change", "attente")["gain"]
    assert wait["waiting_days_per_case"] == pytest.approx(26 / 3)
    assert wait["waiting_days_saved_per_year"] == pytest.approx(30 * 26 / 3 * 0.3)
    assert wait["value"] == pytest.approx(3510.0)
    # B's e-mail: 1 × 50 % × 10 × 6 min × 1.2; with an article: 1 × 30 % × 10 × 6 × 1.2.
    assert _by(result, "letter_fix", "courrier_incompris")["gain"]["value"] == pytest.approx(36.0)
    assert _by(result, "knowledge_article", "courrier_incompris")["gain"]["value"] == pytest.approx(
        21.6
    )
    # C's drop-off after Examen: its web visit (0 min) and 2 calls × 50 % × 10 × 8 × 1.5.
    assert _by(result, "callback", "abandon", "Examen")["gain"]["value"] == pytest.approx(120.0)
    # B's second Examen: 1 back-office pass × 50 % × 10 × 10 min × 1.3; B is not longer
    # than the other cases, so no waiting time is saved.
    rework = _by(result, "letter_fix", "reprise")["gain"]
    assert rework["waiting_days_per_case"] == 0
    assert rework["value"] == pytest.approx(65.0)


def test_ranked_by_gain_descending(result):
    rows = result["recommendations"]
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    values = [row["gain"]["value"] for row in rows]
    assert values == sorted(values, reverse=True)
    assert rows[0]["lever"] == "process_change" and rows[0]["step"] == "Examen"
    assert result["total_gain"] == pytest.approx(sum(values))


def test_assumptions_change_the_ranking():
    # A wait day worth nothing and chasing weighing 10: chasing comes first.
    changed = recommend(
        reco_frame(),
        {"waiting_day_minutes": 0, "satisfaction_weight": {"relance": 10}, **EXPECTED_ENDS},
    )
    first = changed["recommendations"][0]
    assert (first["lever"], first["kind"]) == ("proactive_notice", "relance")
    assert first["gain"]["value"] == pytest.approx(96.0 * 10)


def test_annualisation_from_yearly_volumes():
    # 4 phone calls in the log, 1 000 a year: every phone contact counts 250 times.
    result = recommend(
        reco_frame(), {"annualisation": "volumes", "yearly_contacts": {"phone": 1000}}
    )
    assert result["log"]["contact_factor"] == {"phone": 250.0}
    assert result["log"]["case_factor"] == pytest.approx(250.0)
    chasing = _by(result, "proactive_notice", "relance")["gain"]
    assert chasing["contacts_avoided_per_year"] == pytest.approx(2 * 0.6 * 250)
    assert chasing["value"] == pytest.approx(2 * 0.6 * 250 * 8 * 1.5)


def test_skipped_designed_step_is_a_recommendation():
    designed = [
        {"name": "Réception"},
        {"name": "Vérification des pièces", "activity": "Vérification"},
        {"name": "Examen"},
        {"name": "Décision"},
    ]
    result = recommend(reco_frame(), {}, designed=designed)
    skipped = [row for row in result["recommendations"] if row["kind"] == "etape_sautee"]
    subjects = {row["step"]: row for row in skipped}
    # E never reached Réception: 1 case in 5 is 20 %, the threshold, so it is flagged too.
    assert set(subjects) == {"Réception", "Vérification", "Examen", "Décision"}
    assert subjects["Vérification"]["evidence"]["cases"] == 5
    assert subjects["Décision"]["evidence"]["sample_cases"] == ["C", "D", "E"]
    assert all(row["gain"]["value"] == 0 for row in skipped)
    assert skipped[0]["lever"] == "process_change"


def test_spread_takes_an_evenly_spread_share():
    assert spread(10, 0.3) == [3, 6, 9]
    assert spread(2, 0.6) == [1]
    assert spread(4, 1.0) == [0, 1, 2, 3]
    assert spread(5, 0.0) == []


def test_what_if_shortens_the_waits_before_examen(result):
    key = _by(result, "process_change", "attente")["key"]
    simulation = what_if(reco_frame(), EXPECTED_ENDS, key)
    rows = {row["key"]: row for row in simulation["rows"]}
    assert simulation["removed"] == 0
    # Case days: A 11 → 8, B 5 → 3.8, C 12.5 → 8.9, D and E 0.
    assert rows["mean_case_days"]["before"] == pytest.approx(28.5 / 5)
    assert rows["mean_case_days"]["after"] == pytest.approx(20.7 / 5)
    # Waits before a step: 10, 1, 2, 2, 1, 12 → 7, 1, 1.4, 1.4, 1, 8.4.
    assert rows["mean_wait_days"]["before"] == pytest.approx(28 / 6)
    assert rows["mean_wait_days"]["after"] == pytest.approx(20.2 / 6)
    assert rows["contacts"]["change"] == 0


def test_what_if_removes_the_avoided_chasing_calls(result):
    key = _by(result, "proactive_notice", "relance")["key"]
    simulation = what_if(reco_frame(), EXPECTED_ENDS, key)
    rows = {row["key"]: row for row in simulation["rows"]}
    assert simulation["removed"] == 1  # ⌊2 × 60 %⌋
    assert (rows["contacts"]["before"], rows["contacts"]["after"]) == (6, 5)
    assert (rows["staff_minutes"]["before"], rows["staff_minutes"]["after"]) == (38.0, 30.0)
    assert rows["contacts_per_case"]["after"] == pytest.approx(1.0)


def test_what_if_of_an_unknown_key_is_none():
    assert what_if(reco_frame(), {}, "0123456789ab") is None


def test_defaults_validate_to_themselves():
    assert validate_assumptions({}) == default_assumptions()
    assert (
        validate_assumptions({"avoided_share": {"callback": "0,25"}})["avoided_share"]["callback"]
        == 0.25
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"avoided_share": {"callback": 1.5}}, "avoided_share.callback", "doit être entre 0 et 1"),
        (
            {"handling_minutes": {"phone": "abc"}},
            "handling_minutes.phone",
            "« abc » n'est pas un nombre",
        ),
        ({"handling_minutes": {"fax": 3}}, "handling_minutes.fax", "clé inconnue « fax »"),
        ({"annualisation": "lune"}, "annualisation", "annualisation « period »"),
        ({"annualisation": "volumes"}, "yearly_contacts", "au moins un canal"),
        ({"yearly_contacts": {"phone": -3}}, "yearly_contacts.phone", "entre 0 et 1e+09"),
        ({"expected_ends": 3}, "expected_ends", "une liste de noms"),
        ({"pirate": 1}, "hypotheses", "hypothèse inconnue : pirate"),
    ],
)
def test_assumption_errors_are_french(data, field, message):
    with pytest.raises(AssumptionsError) as caught:
        validate_assumptions(data)
    assert message in caught.value.errors[field]


def test_a_missing_reason_column_is_a_french_error():
    with pytest.raises(AssumptionsError) as caught:
        recommend(reco_frame(), {"reason_column": "verbatim_client"})
    assert caught.value.errors == {
        "reason_column": "colonne « verbatim_client » absente du journal."
    }


def test_what_if_told_the_kind_gives_the_same_answer(result):
    row = _by(result, "proactive_notice", "relance")
    told = what_if(reco_frame(), EXPECTED_ENDS, row["key"], kind="relance")
    assert told == what_if(reco_frame(), EXPECTED_ENDS, row["key"])
    assert what_if(reco_frame(), EXPECTED_ENDS, row["key"], kind="attente") is None
