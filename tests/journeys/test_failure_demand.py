"""Failure demand: rules on small hand-checked logs, measures per step/channel/segment, and the
extrapolation of a few weeks of recorded contacts to the year."""

import json

import polars as pl
import pytest

from relais.journeys.failure_demand import (
    BEFORE_FIRST_STEP,
    FAILURE,
    VALUE,
    Columns,
    DemandRule,
    analyse,
    attach_segments,
    default_rules,
    extrapolate,
    rules_from_json,
    rules_to_json,
    wilson,
)

COLUMNS = Columns(case="dossier", timestamp="date", activity="etape", channel="canal", text="motif")


def log_of(rows):
    return pl.DataFrame(rows, schema=["dossier", "date", "etape", "canal", "motif"], orient="row")


# Case A: a first question, the file arrives, a chase while it waits, a letter not understood
# two days later, then the decision. Case B (no step yet): an error, then a plain question the
# next day (a repeat). Case C: a contact by e-mail at 09:00 UTC and a call exactly seven days
# later (not a repeat: the window is strict), then the decision.
LOG = log_of(
    [
        ("A", "2025-01-01T09:00:00Z", "Appel", "telephone", "Comment m'affilier ?"),
        ("A", "2025-01-02T09:00:00Z", "Dossier reçu", None, ""),
        ("A", "2025-01-10T09:00:00Z", "Appel", "telephone", "Toujours pas de NOUVELLES"),
        ("A", "2025-01-12T09:00:00Z", "Courriel", "courriel", "Je ne comprends pas le courrier"),
        ("A", "2025-01-20T09:00:00Z", "Décision", None, ""),
        ("B", "2025-01-01T10:00:00+01:00", "Courriel", "courriel", "Erreur sur mon attestation"),
        ("B", "2025-01-02T09:00:00Z", "Appel", "telephone", "une question"),
        ("C", "2025-03-01T09:00:00Z", "Courriel", "courriel", "Question sur la retraite"),
        ("C", "2025-03-08T10:00:00+01:00", "Appel", "telephone", "Autre question"),
        ("C", "2025-03-09T09:00:00Z", "Décision", None, ""),
    ]
)


@pytest.fixture
def report():
    return analyse(
        LOG,
        COLUMNS,
        waiting_steps=["dossier recu"],
        resolution_activities=["Décision"],
    )


def test_each_contact_is_classified_by_the_first_matching_rule(report):
    contacts = report.contacts
    assert contacts.get_column("case").to_list() == ["A", "A", "A", "B", "B", "C", "C"]
    assert contacts.get_column("rule").to_list() == [
        "valeur",
        "relance",  # its words, and the file waits
        "courrier_incompris",  # the explicit reason wins over « the file waits »
        "erreur",
        "repetition",  # one day after the error
        "valeur",
        "valeur",  # exactly 7 days later: not a repeat
    ]
    assert contacts.get_column("demand").to_list() == [
        VALUE,
        FAILURE,
        FAILURE,
        FAILURE,
        FAILURE,
        VALUE,
        VALUE,
    ]
    assert contacts.get_column("step").to_list() == [
        BEFORE_FIRST_STEP,
        "Dossier reçu",
        "Dossier reçu",
        BEFORE_FIRST_STEP,
        BEFORE_FIRST_STEP,
        BEFORE_FIRST_STEP,
        BEFORE_FIRST_STEP,
    ]
    assert contacts.get_column("waited_days").to_list()[1:3] == [8.0, 10.0]


def test_measures(report):
    assert (report.n_contacts, report.n_value, report.n_failure) == (7, 3, 4)
    assert report.failure_share == pytest.approx(4 / 7)
    assert report.failure_per_value == pytest.approx(4 / 3)
    # Resolved: A (3 contacts) and C (2 contacts).
    assert report.resolved_cases == 2
    assert report.contacts_per_resolved_case == pytest.approx(2.5)
    # Repeats within 7 days: A's letter (2 days after the chase) and B's question.
    assert report.repeat_contacts == 2
    assert report.chasing_contacts == 1
    assert report.contacts_while_waiting == 2
    assert dict(report.by_rule.select("rule", "contacts").iter_rows()) == {
        "valeur": 3,
        "relance": 1,
        "courrier_incompris": 1,
        "erreur": 1,
        "repetition": 1,
    }


def test_breakdowns_per_step_and_channel(report):
    steps = {row["step"]: row for row in report.by_step.iter_rows(named=True)}
    assert steps["Dossier reçu"] == {
        "step": "Dossier reçu",
        "contacts": 2,
        "value": 0,
        "failure": 2,
        "chasing": 1,
        "repeat": 1,
        "while_waiting": 2,
        "failure_share": 1.0,
    }
    before = steps[BEFORE_FIRST_STEP]
    assert (before["contacts"], before["value"], before["failure"]) == (5, 3, 2)
    channels = {row["channel"]: row for row in report.by_channel.iter_rows(named=True)}
    assert (channels["telephone"]["contacts"], channels["telephone"]["failure"]) == (4, 2)
    assert (channels["courriel"]["contacts"], channels["courriel"]["failure"]) == (3, 2)
    assert report.by_segment is None


def test_per_segment_and_repeat_across_cases_of_one_person():
    log = pl.DataFrame(
        {
            "case": ["X1", "X2", "Y1"],
            "at": ["2025-05-01 09:00:00", "2025-05-04 09:00:00", "2025-05-04 09:00:00"],
            "who": ["p1", "p1", "p2"],
            "segment": ["S1", "S1", "S2"],
            "canal": ["telephone", "telephone", "courriel"],
        }
    )
    columns = Columns(case="case", timestamp="at", channel="canal", person="who", segment="segment")
    report = analyse(log, columns)
    # p1 calls again 3 days later about another file: a repeat of the same person.
    assert report.contacts.get_column("rule").to_list() == ["valeur", "repetition", "valeur"]
    segments = {row["segment"]: row for row in report.by_segment.iter_rows(named=True)}
    assert (segments["S1"]["contacts"], segments["S1"]["failure"]) == (2, 1)
    assert (segments["S2"]["contacts"], segments["S2"]["failure"]) == (1, 0)
    # Without resolution activities every case counts as resolved.
    assert report.resolved_cases == 3 and report.contacts_per_resolved_case == 1.0
    # Counted per case instead of per person, the second call is no repeat.
    per_case = analyse(log, Columns(case="case", timestamp="at", channel="canal"))
    assert per_case.repeat_contacts == 0


def test_segments_from_the_segmentation_are_attached_by_person():
    log = pl.DataFrame({"case": ["X", "Y", "Z"], "who": [7, 8, 9], "at": ["2025-05-01"] * 3})
    assignments = pl.DataFrame({"id": ["7", "8"], "segment": ["S1", "Seniors"]})
    joined = attach_segments(log, assignments, person="who")
    assert joined.get_column("segment").to_list() == ["S1", "Seniors", "(sans segment)"]
    assert joined.columns == ["case", "who", "at", "segment"]
    with pytest.raises(ValueError, match="colonne « qui » absente"):
        attach_segments(log, assignments, person="qui")


def test_editable_rules_as_json():
    rules = default_rules(repeat_days=3)
    text = rules_to_json(rules)
    assert rules_from_json(text) == rules
    data = json.loads(text)
    assert data[-1] == {
        "name": "repetition",
        "label": "Nouveau contact en moins de 3 jours",
        "demand": FAILURE,
        "keywords": [],
        "activities": [],
        "repeat_within_days": 3,
        "while_waiting": False,
        "min_wait_days": 0.0,
        "match": "any",
    }
    # An analyst's own rules: a "rappel" activity is value demand; a chase needs both the words
    # and a wait of at least 9 days.
    custom = rules_from_json(
        json.dumps(
            [
                {
                    "name": "rappel_programme",
                    "label": "Rappel",
                    "demand": VALUE,
                    "activities": ["courriel"],
                },
                {
                    "name": "relance",
                    "label": "Relance",
                    "keywords": ["toujours pas"],
                    "while_waiting": True,
                    "min_wait_days": 9,
                    "match": "all",
                },
            ]
        )
    )
    report = analyse(LOG, COLUMNS, rules=custom, waiting_steps=["Dossier reçu"])
    assert report.contacts.get_column("rule").to_list() == [
        "valeur",
        "valeur",  # the words, but only 8 days of waiting
        "rappel_programme",
        "rappel_programme",
        "valeur",
        "rappel_programme",
        "valeur",
    ]
    assert report.n_failure == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('[{"name": "x", "label": "x"}]', "aucun critère"),
        ('[{"name": "x", "label": "x", "keywords": ["a"], "demand": "bof"}]', "demande"),
        ('[{"name": "x", "label": "x", "keywords": ["a"], "colour": 1}]', "champ inconnu"),
        ('{"name": "x"}', "une liste"),
        ("[", "JSON illisible"),
    ],
    ids=["no-criterion", "bad-demand", "unknown-field", "not-a-list", "bad-json"],
)
def test_rule_errors(data, message):
    with pytest.raises(ValueError, match=message):
        rules_from_json(data)


def test_manual_classification_wins():
    log = LOG.with_columns(
        pl.Series("relevé", [None, None, "Valeur", None, None, None, None, "relance", None, None])
    )
    columns = Columns(**{**COLUMNS.__dict__, "manual": "relevé"})
    report = analyse(
        log, columns, waiting_steps=["Dossier reçu"], resolution_activities=["Décision"]
    )
    rules = report.contacts.get_column("rule").to_list()
    assert rules[1] == "valeur"  # recorded as value although its words chase
    assert rules[5] == "relance"  # recorded as chasing although nothing says so
    assert report.n_failure == 4 and report.chasing_contacts == 1


def test_contacts_are_the_listed_activities_when_given():
    report = analyse(LOG, COLUMNS, contact_activities=["appel"], waiting_steps=["Dossier reçu"])
    assert report.n_contacts == 4
    assert set(report.contacts.get_column("channel").to_list()) == {"telephone"}
    # The e-mails are now steps: B's call follows the "Courriel" step.
    assert report.contacts.get_column("step").to_list() == [
        BEFORE_FIRST_STEP,
        "Dossier reçu",
        "Courriel",
        "Courriel",
    ]


def test_log_errors():
    with pytest.raises(ValueError, match="colonne « canal » absente"):
        analyse(LOG.drop("canal"), COLUMNS)
    french = LOG.with_columns(
        pl.Series("date", [f"{d:02d}/01/2025 09:00" for d in (1, 2, 10, 12, 20, 1, 2, 3, 9, 10)])
    )
    report = analyse(french, COLUMNS, waiting_steps=["Dossier reçu"])
    assert report.contacts.get_column("waited_days").to_list()[1:3] == [8.0, 10.0]
    broken = LOG.with_columns(pl.Series("date", ["2025-01-01T09:00:00Z"] * 9 + ["hier"]))
    with pytest.raises(ValueError, match="date illisible ligne 11"):
        analyse(broken, COLUMNS)


# --- low-data mode -----------------------------------------------------------------------------


def sample_of(rows):
    return pl.DataFrame(rows, schema=["channel", "rule", "demand"], orient="row")


SAMPLE = sample_of(
    [("telephone", "relance", FAILURE)] * 30
    + [("telephone", "erreur", FAILURE)] * 10
    + [("telephone", "valeur", VALUE)] * 60
    + [("courriel", "valeur", VALUE)] * 15
    + [("courriel", "courrier_incompris", FAILURE)] * 5
    + [("accueil", "valeur", VALUE)] * 4
)


def test_wilson_interval_known_values():
    low, high = wilson(3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1078, 0.6032)
    assert wilson(0, 0) == (0.0, 0.0)
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0


def test_extrapolation_arithmetic():
    result = extrapolate(SAMPLE, weeks=4, yearly_volumes={"Téléphone": 51_436, "courriel": 76_892})
    lines = {(line.channel, line.category): line for line in result.lines}
    chase = lines[("telephone", "relance")]
    assert (chase.sample_count, chase.sample_total, chase.share) == (30, 100, 0.3)
    assert chase.yearly_volume == 51_436 and chase.volume_source == "volume annuel fourni"
    assert chase.estimate == pytest.approx(51_436 * 0.3)
    low, high = wilson(30, 100)
    assert (chase.low, chase.high) == pytest.approx((51_436 * low, 51_436 * high))
    assert chase.arithmetic.startswith(
        "telephone — relance : 30 sur 100 contacts relevés = 30,0 % ; "
        "51 436 contacts par an (volume annuel fourni) × 30,0 % = 15 431 par an (IC 95 % : "
    )
    phone_failure = lines[("telephone", FAILURE)]
    assert phone_failure.estimate == pytest.approx(51_436 * 0.4)
    mail_failure = lines[("courriel", FAILURE)]
    assert mail_failure.estimate == pytest.approx(76_892 * 0.25)
    # No yearly volume for the reception desk: its 4 contacts in 4 weeks make 52 a year.
    desk = lines[("accueil", "valeur")]
    assert desk.yearly_volume == 52 and desk.volume_source == "échantillon annualisé"
    assert lines[("accueil", FAILURE)].estimate == 0
    assert result.yearly_contacts == 51_436 + 76_892 + 52
    assert result.yearly_failure == pytest.approx(51_436 * 0.4 + 76_892 * 0.25)
    assert result.failure_share == pytest.approx(result.yearly_failure / result.yearly_contacts)
    text = result.text()
    assert "accueil : pas de volume annuel, 4 × 52 / 4 semaines = 52 contacts par an" in text
    assert (
        "telephone : 100 contacts relevés en 4 semaines, soit 1 300 par an au même rythme "
        "pour 51 436 reçus (2,5 % relevés)." in text
    )
    assert "Total : 39 797 contacts d'échec sur 128 380 par an, soit 31,0 %." in text


def test_extrapolation_errors():
    with pytest.raises(ValueError, match="semaines"):
        extrapolate(SAMPLE, weeks=0, yearly_volumes={})
    with pytest.raises(ValueError, match="colonne « canal » absente"):
        extrapolate(SAMPLE, weeks=2, yearly_volumes={}, channel="canal")


def test_a_rule_needs_a_known_demand_and_match():
    with pytest.raises(ValueError, match="match"):
        DemandRule("x", "x", keywords=("a",), match="some")
