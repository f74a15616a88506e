"""The mining order's three paths give the same results.

A *grouped* frame (each case's events in one block, in mining order inside it, as exported
logs usually are) is put in mining order by sorting the blocks only (``_grouped_order``); a
frame in time order (cases interleaved, rows in (start, timestamp, position) order) by a
stable sort on the case number alone (``_in_time_order``); any other frame by the general
sort. Each test checks which path a frame takes, so all are covered, and compares with a
plain Python reference or with the general sort: sorted and
shuffled copies of one log, ties in timestamps kept in file order, a case split in two
blocks, start timestamps, and variants of more than 256 and 65,536 activities (codes of
two and four bytes).
"""

import random
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from relais.journeys import mining
from relais.journeys.eventlogs import ColumnMapping, read_event_log
from relais.journeys.mining import mine, sort_events
from tests.journeys.test_mining import _reference

ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)


def _log_rows(seed: int, *, n_cases: int = 80, activities: str = "ABCDE", has_start=False):
    """Rows (case, activity, end, start, position) grouped by case in mining order, with
    equal timestamps inside cases (ties) and equal starts; positions follow the rows."""
    rng = random.Random(seed)
    rows = []
    for number in rng.sample(range(1, 1000), n_cases):  # ids sort as text ≠ as numbers
        moment = ORIGIN + timedelta(days=rng.randint(0, 300))
        events = []
        for _ in range(rng.randint(1, 9)):
            moment += timedelta(seconds=rng.choice([0, 0, 1, 60, 3600]))  # ties
            start = moment - timedelta(seconds=rng.choice([0, 30, 7200]))
            events.append((f"c{number}", rng.choice(activities), moment, start))
        if has_start:  # within the block: (start, end) ascending, ties in block order
            events.sort(key=lambda event: (event[3], event[2]))
        rows.extend(events)
    return [(*row, position) for position, row in enumerate(rows)]


def _frame(rows, *, has_start=False, channels=False) -> pl.DataFrame:
    columns = {
        "case_id": [r[0] for r in rows],
        "activity": [r[1] for r in rows],
        "timestamp": pl.Series([r[2] for r in rows]).dt.cast_time_unit("us"),
        "position": pl.Series([r[4] for r in rows], dtype=pl.UInt64),
    }
    if has_start:
        columns["start_timestamp"] = pl.Series([r[3] for r in rows]).dt.cast_time_unit("us")
    if channels:
        columns["channel"] = [("web", "téléphone", "courrier")[r[4] % 3] for r in rows]
    return pl.DataFrame(columns)


def _general_only(monkeypatch):
    monkeypatch.setattr(mining, "_grouped_order", lambda events: None)


def _full(events: pl.DataFrame) -> dict:
    result = mine(events, repeat_window=timedelta(hours=1), expected_ends={"E"})
    return result.as_dict(extended=True)


def _check_against_reference(result, rows, has_start):
    expected = _reference(rows, has_start)
    assert result.dfg == expected["dfg"]
    assert dict(result.variants) == expected["variants"]
    assert result.case_durations == expected["durations"]
    assert result.rework_cases_per_activity == expected["rework"]
    assert result.start_activities == dict(expected["starts"])
    assert result.end_activities == dict(expected["ends"])
    for edge, stats in expected["performance"].items():
        for name, value in stats.items():
            assert result.performance_dfg[edge][name] == (
                None if value is None else pytest.approx(value, rel=1e-9, abs=1e-6)
            ), (edge, name)


@pytest.mark.parametrize("has_start", [False, True], ids=["end-only", "with-start"])
def test_a_grouped_log_takes_the_block_path_and_matches_the_reference(has_start):
    rows = _log_rows(7, has_start=has_start)
    events = _frame(rows, has_start=has_start)
    assert mining._grouped_order(events) is not None
    _check_against_reference(mine(events), rows, has_start)


@pytest.mark.parametrize("has_start", [False, True], ids=["end-only", "with-start"])
def test_sorted_and_shuffled_copies_give_identical_results(monkeypatch, has_start):
    rows = _log_rows(11, has_start=has_start)
    grouped = _frame(rows, has_start=has_start, channels=True)
    # the same events in another row order, each keeping its position (its file line)
    shuffled = grouped[random.Random(3).sample(range(grouped.height), grouped.height)]
    assert mining._grouped_order(grouped) is not None
    assert mining._grouped_order(shuffled) is None
    fast, general = _full(grouped), _full(shuffled)
    # service times are per event, summed in the frame's row order (not the mining order):
    # the same up to the last bits of a float sum
    fast_services, general_services = fast.pop("service_times"), general.pop("service_times")
    assert fast == general
    assert fast_services.keys() == general_services.keys()
    for activity, stats in fast_services.items():
        assert stats == pytest.approx(general_services[activity], rel=1e-12), activity
    fast["service_times"] = fast_services
    assert sort_events(grouped).equals(sort_events(shuffled))
    _general_only(monkeypatch)
    assert _full(grouped) == fast  # the general sort on the grouped frame: the same
    _check_against_reference(mine(grouped), rows, has_start)


def test_blocks_in_any_order_give_the_results_of_the_sorted_log():
    rows = _log_rows(5)
    blocks: dict[str, list] = {}
    for row in rows:
        blocks.setdefault(row[0], []).append(row)
    order = list(blocks)
    random.Random(9).shuffle(order)
    moved = [
        (*row[:4], position) for position, row in enumerate(r for c in order for r in blocks[c])
    ]
    events = _frame(moved)
    assert mining._grouped_order(events) is not None
    assert _full(events) == _full(_frame(rows))  # no ties between blocks: positions moot
    _check_against_reference(mine(events), moved, False)


def test_ties_in_timestamps_keep_the_file_order_on_both_paths(tmp_path, monkeypatch):
    path = tmp_path / "ties.csv"
    path.write_text(
        "case,activity,timestamp\n"
        "B,b1,2024-03-01T10:00:00+01:00\n"
        "A,z,2024-03-01T09:00:00Z\n"
        "A,y,2024-03-01T09:00:00Z\n"
        "A,x,2024-03-01T10:00:00+01:00\n"  # the same instant as the two above
        "A,w,2024-03-01T09:30:00Z\n"
        "B,b2,2024-03-01T09:00:00Z\n",  # B is not in one block: the general path
        encoding="utf-8",
    )
    mapping = ColumnMapping(case="case", activity="activity", timestamp="timestamp")
    events = read_event_log(path, mapping)
    assert mining._grouped_order(events) is None
    assert mine(events).variants == [(("z", "y", "x", "w"), 1), (("b1", "b2"), 1)]
    grouped = events.filter(pl.col("case_id") == "A")
    assert mining._grouped_order(grouped) is not None
    assert mine(grouped).variants == [(("z", "y", "x", "w"), 1)]
    assert mine(grouped).dfg == {("z", "y"): 1, ("y", "x"): 1, ("x", "w"): 1}
    _general_only(monkeypatch)
    assert mine(grouped).variants == [(("z", "y", "x", "w"), 1)]


def test_a_tie_whose_positions_go_down_is_not_taken_as_in_order():
    # same instant, positions 5 then 4 in the rows: the mining order puts 4 first
    events = pl.DataFrame(
        {
            "case_id": ["A", "A"],
            "activity": ["late", "early"],
            "timestamp": pl.Series([ORIGIN, ORIGIN]).dt.cast_time_unit("us"),
            "position": pl.Series([5, 4], dtype=pl.UInt64),
        }
    )
    assert mining._grouped_order(events) is None
    assert mine(events).variants == [(("early", "late"), 1)]


def test_a_timestamp_going_back_inside_a_block_falls_back_to_the_sort():
    rows = [
        ("A", "second", ORIGIN + timedelta(hours=1), None, 0),
        ("A", "first", ORIGIN, None, 1),
        ("B", "only", ORIGIN, None, 2),
    ]
    events = _frame(rows)
    assert mining._grouped_order(events) is None
    result = mine(events)
    assert result.variants == [(("first", "second"), 1), (("only",), 1)]
    assert result.performance_dfg[("first", "second")]["min"] == 3600.0


def test_start_timestamps_decide_before_end_timestamps_in_a_block():
    # by end alone the block is in order; by (start, end) the second event comes first
    rows = [
        ("A", "long", ORIGIN + timedelta(hours=3), ORIGIN, 0),
        ("A", "short", ORIGIN + timedelta(hours=4), ORIGIN - timedelta(hours=1), 1),
    ]
    events = _frame(rows, has_start=True)
    assert mining._grouped_order(events) is None
    assert mine(events).variants == [(("short", "long"), 1)]
    assert mining._grouped_order(_frame(rows)) is not None
    assert mine(_frame(rows)).variants == [(("long", "short"), 1)]


def test_case_ids_sort_as_text_on_the_block_path():
    rows = [
        ("9", "a", ORIGIN, None, 0),
        ("9", "c", ORIGIN, None, 1),
        ("10", "b", ORIGIN, None, 2),
        ("10", "d", ORIGIN, None, 3),
    ]
    events = _frame(rows)
    assert mining._grouped_order(events) is not None
    result = mine(events)
    assert list(result.case_durations) == ["10", "9"]
    assert result.variants == [(("b", "d"), 1), (("a", "c"), 1)]  # ties: first case first
    assert sort_events(events).get_column("position").to_list() == [2, 3, 0, 1]


@pytest.mark.parametrize("n_activities", [300, 70_000], ids=["two-byte", "four-byte"])
def test_variants_of_many_activities(n_activities):
    rng = random.Random(n_activities)
    names = [f"étape {i}" for i in range(n_activities)]
    rows = []
    for case in range(max(n_activities // 4, 40)):
        moment = ORIGIN + timedelta(minutes=case)
        for _ in range(rng.randint(1, 6)):
            moment += timedelta(seconds=rng.choice([0, 5]))
            rows.append((f"k{case:06d}", rng.choice(names[: 3 + case % n_activities]), moment))
    rows = [(*row, None, position) for position, row in enumerate(rows)]
    # every name once in a last case, so codes reach the top of their width
    last = ORIGIN + timedelta(days=400)
    rows += [("zz", name, last, None, len(rows) + i) for i, name in enumerate(names)]
    result = mine(_frame(rows), only=frozenset({"variants"}))
    expected = _reference(rows, False)["variants"]
    assert dict(result.variants) == expected
    assert result.variants[-1] == (tuple(names), 1)  # the last case's, last of the ones
    counts = [n for _v, n in result.variants]
    assert counts == sorted(counts, reverse=True)


def test_the_collector_is_left_as_it_was():
    import gc

    events = _frame(_log_rows(2))
    assert gc.isenabled()
    mine(events)
    assert gc.isenabled()
    gc.disable()
    try:
        mine(events)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("has_start", [False, True], ids=["end-only", "with-start"])
def test_a_log_in_time_order_takes_the_stable_case_sort(monkeypatch, has_start):
    # cases interleaved, rows in (start, timestamp, position) order, ties across cases
    grouped = _log_rows(13, has_start=has_start)
    key = (lambda r: (r[3], r[2], r[4])) if has_start else (lambda r: (r[2], r[4]))
    rows = [(*row[:4], position) for position, row in enumerate(sorted(grouped, key=key))]
    events = _frame(rows, has_start=has_start, channels=True)
    assert mining._grouped_order(events) is None
    assert mining._in_time_order(events)
    timed = _full(events)
    _check_against_reference(mine(events), rows, has_start)
    monkeypatch.setattr(mining, "_in_time_order", lambda events: False)
    assert _full(events) == timed  # the general sort: the same


def test_a_log_out_of_time_order_is_not_taken_as_in_order():
    rows = [
        ("A", "x", ORIGIN + timedelta(hours=1), None, 0),
        ("B", "y", ORIGIN, None, 1),
        ("A", "z", ORIGIN + timedelta(hours=2), None, 2),
    ]
    events = _frame(rows)
    assert mining._grouped_order(events) is None
    assert not mining._in_time_order(events)
    assert mine(events).variants == [(("x", "z"), 1), (("y",), 1)]
    ties = _frame([("A", "x", ORIGIN, None, 1), ("B", "y", ORIGIN, None, 0)])
    assert not mining._in_time_order(ties)  # equal instants, positions going down
