"""Modelled vs observed on hand-made inputs: every figure below is counted by hand."""

import pytest

from relais.journeys.comparison import compare

DESIGNED = {
    "phases": [
        {
            "name": "S'informer",
            "steps": [
                {"name": "Consulter le site", "activity": "Consultation", "duration_minutes": 10}
            ],
        },
        {
            "name": "Déposer",
            "steps": [
                {"name": "Déposer la demande", "activity": "Dépôt", "duration_minutes": 30},
                {"name": "Décision", "activity": "", "duration_minutes": 14400},
            ],
        },
    ]
}

# 10 cases: 5 follow the design, 2 skip the consultation, 2 call after the deposit and come
# back to the deposit (rework, order broken), 1 decides before depositing.
VARIANTS = [
    {"activities": ["Consultation", "Dépôt", "Décision"], "count": 5},
    {"activities": ["Dépôt", "Décision"], "count": 2},
    {"activities": ["Consultation", "Dépôt", "Appel relance", "Dépôt", "Décision"], "count": 2},
    {"activities": ["Consultation", "Décision", "Dépôt"], "count": 1},
]

STATS = {
    "Consultation": {"count": 8, "cases": 8, "mean_seconds": 900.0, "rework_cases": 0},
    "Dépôt": {"count": 12, "cases": 10, "mean_seconds": 1500.0, "rework_cases": 2},
    "Décision": {"count": 10, "cases": 10, "mean_seconds": 864000.0, "rework_cases": 0},
    "Appel relance": {"count": 2, "cases": 2, "mean_seconds": 300.0, "rework_cases": 0},
}


@pytest.fixture
def result():
    return compare(DESIGNED, STATS, VARIANTS)


def test_each_designed_step_with_its_observed_figures(result):
    assert result["n_cases"] == 10
    by_name = {row["name"]: row for row in result["steps"]}
    consult = by_name["Consulter le site"]
    assert (consult["cases"], consult["case_share"], consult["skipped_cases"]) == (8, 0.8, 2)
    assert consult["time_gap_seconds"] == 900.0 - 600
    deposit = by_name["Déposer la demande"]
    assert (deposit["count"], deposit["rework_cases"], deposit["rework_share"]) == (12, 2, 0.2)
    # A step without activity is matched by its name.
    decision = by_name["Décision"]
    assert decision["activity"] == "Décision" and decision["observed"]
    assert decision["expected_seconds"] == 14400 * 60
    assert [row["phase"] for row in result["steps"]] == ["S'informer", "Déposer", "Déposer"]


def test_steps_observed_but_not_designed(result):
    assert [(row["activity"], row["cases"]) for row in result["undesigned"]] == [
        ("Appel relance", 2)
    ]
    assert result["undesigned"][0]["case_share"] == 0.2


def test_designed_steps_skipped(result):
    assert [(row["name"], row["skipped_share"]) for row in result["skipped"]] == [
        ("Consulter le site", 0.2)
    ]


def test_deviating_variants_are_those_whose_order_differs(result):
    deviating = result["deviating"]
    assert [(row["activities"], row["count"]) for row in deviating] == [
        (["Consultation", "Décision", "Dépôt"], 1),
    ]
    assert deviating[0]["order_breaks"] == [{"activity": "Dépôt", "after": "Décision"}]
    # Doing the deposit again (after an undesigned call) is rework, not a change of order;
    # the variant still departs from the design by its undesigned activity.
    relance = next(row for row in result["variants"] if "Appel relance" in row["activities"])
    assert not relance["order_differs"] and relance["undesigned"] == ["Appel relance"]
    assert not relance["follows_design"]
    skipping = next(
        row for row in result["variants"] if row["count"] == 2 and len(row["activities"]) == 2
    )
    assert not skipping["order_differs"] and skipping["missing"] == ["Consultation"]
    assert result["conforming_share"] == 0.5


def test_figures_missing_from_the_stats_are_read_from_the_variants():
    result = compare(DESIGNED, {"Dépôt": {"count": 12}}, VARIANTS)
    deposit = next(row for row in result["steps"] if row["activity"] == "Dépôt")
    assert (deposit["cases"], deposit["rework_cases"], deposit["mean_seconds"]) == (10, 2, None)
    assert deposit["time_gap_seconds"] is None


def test_an_activity_designed_twice_may_occur_twice_in_order():
    designed = [
        {"name": "Appel 1", "activity": "Appel"},
        {"name": "Dépôt", "activity": "Dépôt"},
        {"name": "Appel 2", "activity": "Appel"},
    ]
    result = compare(
        designed, {}, [(["Appel", "Dépôt", "Appel"], 3), (["Dépôt", "Appel", "Appel", "Dépôt"], 1)]
    )
    follows, back = result["variants"]
    assert follows["follows_design"] and not follows["order_differs"]
    assert back["order_differs"] and back["order_breaks"] == [
        {"activity": "Dépôt", "after": "Appel"}
    ]
    assert result["conforming_share"] == 0.75


def test_nothing_observed():
    result = compare(DESIGNED, {}, [])
    assert result["n_cases"] == 0
    assert all(not row["observed"] and row["case_share"] is None for row in result["steps"])
    assert result["deviating"] == [] and result["conforming_share"] is None


def test_a_mining_result_is_read_as_observed_figures():
    from relais.journeys.comparison import observed_from_mining

    result = {
        "n_cases": 3,
        "activity_counts": {"A": 3, "B": 4},
        "dfg": {"A -> B": 3, "B -> B": 1},
        "performance_dfg": {"A -> B": {"mean": 60.0}, "B -> B": {"mean": 20.0}},
        "variants": [
            {"activities": ["A", "B"], "count": 2},
            {"activities": ["A", "B", "B"], "count": 1},
        ],
        "rework_cases_per_activity": {"B": 1},
    }
    stats, variants, n_cases = observed_from_mining(result)
    assert n_cases == 3 and variants == result["variants"]
    assert stats["A"] == {"count": 3, "rework_cases": 0}
    assert stats["B"] == {"count": 4, "rework_cases": 1, "mean_seconds": (3 * 60 + 20) / 4}
    compared = compare([{"name": "A"}, {"name": "B"}], stats, variants, n_cases=n_cases)
    assert [row["cases"] for row in compared["steps"]] == [3, 3]
    assert compared["steps"][1]["rework_share"] == 1 / 3
    with pytest.raises(ValueError, match="activity_counts"):
        observed_from_mining({"variants": []})
