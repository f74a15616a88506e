"""Mining metrics on small logs, every expected value computed by hand from ``data/``.

basic.csv, once ordered by (case, timestamp, position) — instants in UTC:

* A: Dépôt 09:00 → Relance 10:30 (line 4) → Relance 10:30 (line 5, same instant: file
  order) → Décision 11:00:00.5 (written 12:00:00.5+01:00)
* B: Dépôt 08:00 (written 09:00+0100) → Appel 09:00 (line 2) → Décision 09:00 (line 9)
* C: Dépôt (one event, date only) · D: Dépôt 08:00 → Relance 08:30 · E: Dépôt (one event,
  written 10:00-05:00)

intervals.csv (start; end), ordered by (case, start, end, position):

* X: Dépôt 08:00;08:30 → Instruction 09:00;12:00 → Contrôle 11:00;11:30 → Décision
  12:00;12:45 (by end alone Contrôle would come before Instruction)
* Y: Dépôt 08:00;08:00 → Instruction 08:00;08:10 → Contrôle 08:00;08:20 (equal starts: by end)
"""

import math
from datetime import timedelta

import polars as pl
import pytest

from relais.journeys.eventlogs import XES_MAPPING, ColumnMapping, read_event_log
from relais.journeys.mining import mine, mine_by_group, sort_events
from tests.journeys.logs import BASIC, INTERVALS, write_parquet, write_xes

BASIC_MAPPING = ColumnMapping(
    case="case", activity="activity", timestamp="timestamp", channel="channel"
)
INTERVALS_MAPPING = ColumnMapping(
    case="case", activity="activity", timestamp="end", start_timestamp="start"
)
SQRT2 = math.sqrt(2)


def _one(value: float) -> dict:
    return {"mean": value, "median": value, "min": value, "max": value, "sum": value, "stdev": None}


@pytest.fixture(scope="module")
def basic():
    return mine(read_event_log(BASIC, BASIC_MAPPING))


@pytest.fixture(scope="module")
def intervals():
    return mine(read_event_log(INTERVALS, INTERVALS_MAPPING))


def test_order_is_case_as_text_then_time_then_position():
    ordered = sort_events(read_event_log(BASIC, BASIC_MAPPING))
    assert ordered.select("case_id", "activity", "position").rows() == [
        ("A", "Dépôt", 1),
        ("A", "Relance", 2),
        ("A", "Relance", 3),
        ("A", "Décision", 4),
        ("B", "Dépôt", 5),
        ("B", "Appel", 0),
        ("B", "Décision", 7),
        ("C", "Dépôt", 6),
        ("D", "Dépôt", 8),
        ("D", "Relance", 9),
        ("E", "Dépôt", 10),
    ]


def test_case_ids_sort_as_text():
    frame = pl.DataFrame(
        {
            "case_id": ["9", "10", "9", "10"],
            "activity": ["a", "b", "c", "d"],
            "timestamp": pl.Series(["2024-01-01"] * 4).str.to_datetime(time_zone="UTC"),
            "position": pl.Series([0, 1, 2, 3], dtype=pl.UInt64),
        }
    )
    result = mine(frame)
    assert list(result.case_durations) == ["10", "9"]
    # ties: in the order of their first case, "10" before "9"
    assert result.variants == [(("b", "d"), 1), (("a", "c"), 1)]


def test_counts(basic):
    assert (basic.n_cases, basic.n_events, basic.n_activities) == (5, 11, 4)
    assert basic.activity_counts == {"Dépôt": 5, "Relance": 3, "Décision": 2, "Appel": 1}
    assert basic.start_activities == {"Dépôt": 5}
    assert basic.end_activities == {"Dépôt": 2, "Décision": 2, "Relance": 1}


def test_directly_follows_graph_counts_self_loops(basic):
    assert basic.dfg == {
        ("Appel", "Décision"): 1,
        ("Dépôt", "Appel"): 1,
        ("Dépôt", "Relance"): 2,
        ("Relance", "Décision"): 1,
        ("Relance", "Relance"): 1,
    }


def test_performance_with_ties_and_a_sample_deviation(basic):
    assert basic.performance_dfg[("Dépôt", "Relance")] == {
        # A: 10:30 − 09:00 = 5400 s; D: 08:30 − 08:00 = 1800 s
        "mean": 3600.0,
        "median": 3600.0,
        "min": 1800.0,
        "max": 5400.0,
        "sum": 7200.0,
        "stdev": pytest.approx(1800 * SQRT2, abs=1e-9),
    }
    assert basic.performance_dfg[("Relance", "Relance")] == _one(0.0)
    assert basic.performance_dfg[("Relance", "Décision")] == _one(1800.5)
    assert basic.performance_dfg[("Dépôt", "Appel")] == _one(3600.0)
    assert basic.performance_dfg[("Appel", "Décision")] == _one(0.0)


def test_variants_most_frequent_first_then_by_first_case(basic):
    assert basic.variants == [
        (("Dépôt",), 2),  # C and E
        (("Dépôt", "Relance", "Relance", "Décision"), 1),  # A
        (("Dépôt", "Appel", "Décision"), 1),  # B
        (("Dépôt", "Relance"), 1),  # D
    ]
    assert basic.n_variants == 4


def test_case_durations_and_rework(basic):
    assert basic.case_durations == {"A": 7200.5, "B": 3600.0, "C": 0.0, "D": 1800.0, "E": 0.0}
    assert basic.rework_cases_per_activity == {"Relance": 1}


def test_start_timestamps_order_events_and_give_negative_waits(intervals):
    assert intervals.variants == [
        (("Dépôt", "Instruction", "Contrôle", "Décision"), 1),  # X
        (("Dépôt", "Instruction", "Contrôle"), 1),  # Y
    ]
    assert intervals.dfg == {
        ("Contrôle", "Décision"): 1,
        ("Dépôt", "Instruction"): 2,
        ("Instruction", "Contrôle"): 2,
    }
    assert intervals.performance_dfg[("Dépôt", "Instruction")] == {
        # X: 09:00 − 08:30 = 1800; Y: 08:00 − 08:00 = 0
        "mean": 900.0,
        "median": 900.0,
        "min": 0.0,
        "max": 1800.0,
        "sum": 1800.0,
        "stdev": pytest.approx(900 * SQRT2, abs=1e-9),
    }
    assert intervals.performance_dfg[("Instruction", "Contrôle")] == {
        # X: 11:00 − 12:00 = −3600; Y: 08:00 − 08:10 = −600 — not clipped at zero
        "mean": -2100.0,
        "median": -2100.0,
        "min": -3600.0,
        "max": -600.0,
        "sum": -4200.0,
        "stdev": pytest.approx(1500 * SQRT2, abs=1e-9),
    }
    assert intervals.performance_dfg[("Contrôle", "Décision")] == _one(1800.0)
    assert intervals.start_activities == {"Dépôt": 2}
    assert intervals.end_activities == {"Contrôle": 1, "Décision": 1}


def test_case_duration_ignores_start_timestamps(intervals):
    # X: 12:45 − 08:30 (not 08:00, a start); Y: 08:20 − 08:00
    assert intervals.case_durations == {"X": 15300.0, "Y": 1200.0}
    assert intervals.rework_cases_per_activity == {}


def test_service_and_waiting_times(intervals):
    assert intervals.service_times["Instruction"] == {
        "mean": 5700.0,  # 3 h and 10 min
        "median": 5700.0,
        "min": 600.0,
        "max": 10800.0,
        "sum": 11400.0,
        "stdev": pytest.approx(5100 * SQRT2, abs=1e-9),
    }
    assert intervals.service_times["Décision"] == _one(2700.0)
    assert intervals.waiting_times["Contrôle"]["mean"] == -2100.0
    assert intervals.waiting_times["Décision"] == _one(1800.0)
    assert "Dépôt" not in intervals.waiting_times  # a first event waits for nothing


def test_channel_switches_repeat_contacts_and_drop_offs():
    events = read_event_log(BASIC, BASIC_MAPPING)
    result = mine(events, repeat_window=timedelta(days=1), expected_ends={"Décision"})
    assert result.channel_switches == {("téléphone", "courrier"): 2, ("web", "téléphone"): 3}
    assert result.repeat_contacts == {"Relance": 1}  # A's second Relance, 0 s after the first
    assert result.drop_offs == {"Dépôt": 2, "Relance": 1}  # C, E and D end elsewhere
    strict = mine(events, repeat_window=timedelta(0))
    assert strict.repeat_contacts == {}
    assert basic_has_no_extras(mine(events))


def basic_has_no_extras(result) -> bool:
    return result.repeat_contacts == {} and result.drop_offs == {} and result.service_times == {}


def test_mining_per_segment_keeps_cases_whole():
    mapping = ColumnMapping(case="case", activity="activity", timestamp="timestamp")
    groups = mine_by_group(read_event_log(BASIC, mapping), by="segment")
    assert list(groups) == ["artiste", "diffuseur"]
    artists, publishers = groups["artiste"], groups["diffuseur"]
    assert (artists.n_cases, artists.n_events) == (2, 7)
    assert (publishers.n_cases, publishers.n_events) == (3, 4)
    assert publishers.dfg == {("Dépôt", "Relance"): 1}
    assert publishers.variants == [(("Dépôt",), 2), (("Dépôt", "Relance"), 1)]
    assert artists.performance_dfg[("Dépôt", "Relance")] == _one(5400.0)


def test_mining_per_period_uses_the_first_event_of_each_case():
    events = read_event_log(INTERVALS, INTERVALS_MAPPING)
    assert list(mine_by_group(events, by="period", period="month")) == ["2024-01-01"]
    with pytest.raises(ValueError, match="Période inconnue"):
        mine_by_group(events, by="period", period="week")
    with pytest.raises(ValueError, match="absente"):
        mine_by_group(events, by="segment")


def test_every_format_gives_the_same_results(tmp_path, basic):
    mapping = ColumnMapping(case="case", activity="activity", timestamp="timestamp")
    from_csv = mine(read_event_log(BASIC, mapping)).as_dict()
    from_xes = mine(read_event_log(write_xes(tmp_path / "l.xes.gz", compress=True), XES_MAPPING))
    from_parquet = mine(read_event_log(write_parquet(tmp_path / "l.parquet"), mapping))
    assert from_xes.as_dict() == from_csv
    assert from_parquet.as_dict() == from_csv
    assert from_csv["dfg"]["Dépôt -> Relance"] == 2


def test_as_dict_shapes_edges_and_variants(basic):
    out = basic.as_dict()
    assert list(out) == [
        "n_cases",
        "n_events",
        "n_activities",
        "activity_counts",
        "start_activities",
        "end_activities",
        "dfg",
        "performance_dfg",
        "n_variants",
        "variants",
        "case_durations",
        "rework_cases_per_activity",
    ]
    assert out["variants"][0] == {"activities": ["Dépôt"], "count": 2}
    assert out["performance_dfg"]["Relance -> Décision"]["mean"] == 1800.5
    assert "channel_switches" in basic.as_dict(extended=True)


def test_only_some_metrics():
    events = read_event_log(BASIC, BASIC_MAPPING)
    partial = mine(events, only=frozenset({"dfg", "variants"}))
    full = mine(events)
    assert (partial.dfg, partial.performance_dfg, partial.variants) == (
        full.dfg,
        full.performance_dfg,
        full.variants,
    )
    assert partial.case_durations == {} and partial.activity_counts == {}
    assert partial.n_cases == 5
    with pytest.raises(ValueError, match="Métriques inconnues : durée"):
        mine(events, only=frozenset({"durée"}))


def test_an_empty_frame_gives_an_empty_result():
    events = read_event_log(BASIC, BASIC_MAPPING).clear()
    assert mine(events).as_dict() == {
        "n_cases": 0,
        "n_events": 0,
        "n_activities": 0,
        "activity_counts": {},
        "start_activities": {},
        "end_activities": {},
        "dfg": {},
        "performance_dfg": {},
        "n_variants": 0,
        "variants": [],
        "case_durations": {},
        "rework_cases_per_activity": {},
    }


def test_mining_per_channel_splits_events():
    events = read_event_log(BASIC, BASIC_MAPPING)
    groups = mine_by_group(events, by="channel", per_event=True)
    assert list(groups) == ["courrier", "téléphone", "web"]
    assert groups["web"].activity_counts == {"Dépôt": 5}
    assert groups["téléphone"].dfg == {("Relance", "Relance"): 1}  # A's two phone calls
    assert groups["téléphone"].variants == [
        (("Relance", "Relance"), 1),  # A
        (("Appel",), 1),  # B
        (("Relance",), 1),  # D
    ]
    by_first_channel = mine_by_group(events, by="channel")
    assert list(by_first_channel) == ["web"]  # every case starts on the web
    assert by_first_channel["web"].n_events == 11


def test_seconds_are_the_nearest_float_to_the_microsecond(tmp_path):
    path = tmp_path / "ms.csv"
    path.write_text(
        "c,a,t\nA,x,2024-01-01T00:00:00.000+00:00\nA,y,2024-01-01T00:00:13.534+00:00\n"
        "B,x,2024-01-01T00:00:00Z\nB,y,2024-01-01T00:00:00.000007Z\n",
        encoding="utf-8",
    )
    result = mine(read_event_log(path, ColumnMapping(case="c", activity="a", timestamp="t")))
    # 13,534,000 µs × 1e-6 would give 13.533999999999999
    assert result.case_durations == {"A": 13.534, "B": 0.000007}
    assert result.performance_dfg[("x", "y")]["max"] == 13.534
    assert result.performance_dfg[("x", "y")]["min"] == 0.000007


def _reference(rows, has_start):
    """The conventions written as plain Python (sorted, statistics), for the cross-check."""
    import statistics
    from collections import Counter, defaultdict

    key = (lambda r: (r[0], r[3], r[2], r[4])) if has_start else (lambda r: (r[0], r[2], r[4]))
    cases = defaultdict(list)
    for row in sorted(rows, key=key):
        cases[row[0]].append(row)
    gaps = defaultdict(list)
    variants, rework = Counter(), Counter()
    for events in cases.values():
        variants[tuple(e[1] for e in events)] += 1
        for activity, n in Counter(e[1] for e in events).items():
            rework[activity] += n > 1
        for a, b in zip(events, events[1:], strict=False):
            begin = b[3] if has_start else b[2]
            gaps[(a[1], b[1])].append((begin - a[2]).total_seconds())
    performance = {
        edge: {
            "mean": statistics.fmean(v),
            "median": statistics.median(v),
            "min": min(v),
            "max": max(v),
            "sum": math.fsum(v),
            "stdev": statistics.stdev(v) if len(v) > 1 else None,
        }
        for edge, v in gaps.items()
    }
    durations = {
        case: (max(e[2] for e in ev) - min(e[2] for e in ev)).total_seconds()
        for case, ev in cases.items()
    }
    return {
        "dfg": {edge: len(v) for edge, v in gaps.items()},
        "performance": performance,
        "variants": dict(variants),
        "durations": durations,
        "rework": {a: n for a, n in rework.items() if n},
        "starts": Counter(ev[0][1] for ev in cases.values()),
        "ends": Counter(ev[-1][1] for ev in cases.values()),
    }


@pytest.mark.parametrize("has_start", [False, True], ids=["end-only", "with-start"])
def test_matches_a_plain_python_reference_on_seeded_random_logs(has_start):
    import random
    from datetime import UTC, datetime

    rng = random.Random(20261206)
    origin = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for position in range(600):
        case = f"c{rng.randint(1, 60)}"
        end = origin + timedelta(seconds=rng.choice([0, 0, 60, 3600]) * rng.randint(0, 50))
        start = end - timedelta(seconds=rng.choice([0, 30, 7200]))
        rows.append((case, rng.choice("ABCDE"), end, start, position))
    columns = {
        "case_id": [r[0] for r in rows],
        "activity": [r[1] for r in rows],
        "timestamp": pl.Series([r[2] for r in rows]).dt.cast_time_unit("us"),
        "position": pl.Series([r[4] for r in rows], dtype=pl.UInt64),
    }
    if has_start:
        columns["start_timestamp"] = pl.Series([r[3] for r in rows]).dt.cast_time_unit("us")
    result = mine(pl.DataFrame(columns))
    expected = _reference(rows, has_start)
    assert result.dfg == expected["dfg"]
    assert dict(result.variants) == expected["variants"]
    counts = [n for _v, n in result.variants]
    assert counts == sorted(counts, reverse=True)
    assert result.case_durations == expected["durations"]
    assert result.rework_cases_per_activity == expected["rework"]
    assert result.start_activities == dict(expected["starts"])
    assert result.end_activities == dict(expected["ends"])
    assert set(result.performance_dfg) == set(expected["performance"])
    for edge, stats in expected["performance"].items():
        for name, value in stats.items():
            assert result.performance_dfg[edge][name] == (
                None if value is None else pytest.approx(value, rel=1e-9, abs=1e-6)
            ), (edge, name)
