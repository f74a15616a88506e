"""Process mining on the canonical event frame of :mod:`relais.journeys.eventlogs`, in Polars.

Conventions (those of PM4Py's pandas functions, written down; the bench checks them on real
logs):

* **Order.** Events are ordered by (case id as text, start timestamp when the log has one,
  timestamp, position in the file) — one stable order used for everything below. The activity
  is the activity column alone (no lifecycle appended or filtered).
* **Directly-follows graph.** Every consecutive pair (a, b) of a case counts, self-loops
  included. Its *performance* is ``start(b) − timestamp(a)`` in seconds, where ``start(b)`` is
  b's start timestamp when the log has one and its timestamp otherwise; it is **not** clipped
  at zero (a b that started before a ended gives a negative value). Per edge: mean, median,
  min, max, sum and sample standard deviation (``None`` for a single occurrence).
* **Variants.** A variant is the sequence of activities of a case in that order; listed most
  frequent first, ties in the order of their first case (case ids sorted as text). PM4Py's
  ``get_variants`` returns a dict in its own order and ``get_variant_statistics`` breaks ties
  by descending sequence; the counts are the same (the bench compares them as a multiset).
* **Case duration** = latest timestamp − earliest timestamp of the case (start timestamps not
  used). **Rework** of an activity = the number of cases in which it occurs more than once.
* Durations are seconds as floats (microsecond precision of the instants).

Beyond PM4Py, when the log has them: *service time* (timestamp − start of an event, per
activity), *waiting time* (start(b) − timestamp(a) attributed to b), *channel switches*
(consecutive events of a case on different channels), *repeat contacts* (an event following
another of the same case on the same activity within a window) and *drop-offs* (cases that
end on an activity which is not an expected end). :func:`mine_by_group` gives every metric per
segment, channel or period.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np
import polars as pl

from relais.journeys.eventlogs import ACTIVITY, CASE, CHANNEL, POSITION, START, TIMESTAMP

_SECONDS = 1_000_000.0  # microseconds in a second
_GAP = "gap"

# Statistics of a set of durations, in the order written out.
STAT_KEYS = ("mean", "median", "min", "max", "sum", "stdev")


@dataclass
class MiningResult:
    """Everything :func:`mine` computes; :meth:`as_dict` is the JSON of ``mine_journeys``."""

    n_cases: int
    n_events: int
    activity_counts: dict[str, int]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    dfg: dict[tuple[str, str], int]
    performance_dfg: dict[tuple[str, str], dict[str, float | None]]
    variants: list[tuple[tuple[str, ...], int]]
    case_durations: dict[str, float]
    rework_cases_per_activity: dict[str, int]
    service_times: dict[str, dict[str, float | None]] = field(default_factory=dict)
    waiting_times: dict[str, dict[str, float | None]] = field(default_factory=dict)
    channel_switches: dict[tuple[str, str], int] = field(default_factory=dict)
    repeat_contacts: dict[str, int] = field(default_factory=dict)
    drop_offs: dict[str, int] = field(default_factory=dict)

    @property
    def n_activities(self) -> int:
        return len(self.activity_counts)

    @property
    def n_variants(self) -> int:
        return len(self.variants)

    def as_dict(self, *, extended: bool = False) -> dict[str, Any]:
        """Plain JSON-ready dict: edges as ``"A -> B"``, variants as lists."""
        out: dict[str, Any] = {
            "n_cases": self.n_cases,
            "n_events": self.n_events,
            "n_activities": self.n_activities,
            "activity_counts": self.activity_counts,
            "start_activities": self.start_activities,
            "end_activities": self.end_activities,
            "dfg": {edge_label(edge): count for edge, count in self.dfg.items()},
            "performance_dfg": {
                edge_label(edge): stats for edge, stats in self.performance_dfg.items()
            },
            "n_variants": self.n_variants,
            "variants": [
                {"activities": list(sequence), "count": count} for sequence, count in self.variants
            ],
            "case_durations": self.case_durations,
            "rework_cases_per_activity": self.rework_cases_per_activity,
        }
        if extended:
            out["service_times"] = self.service_times
            out["waiting_times"] = self.waiting_times
            out["channel_switches"] = {
                edge_label(edge): count for edge, count in self.channel_switches.items()
            }
            out["repeat_contacts"] = self.repeat_contacts
            out["drop_offs"] = self.drop_offs
        return out


def edge_label(edge: tuple[str, str]) -> str:
    return f"{edge[0]} -> {edge[1]}"


def sort_events(events: pl.DataFrame) -> pl.DataFrame:
    """The mining order: (case id as text, start timestamp if any, timestamp, position)."""
    _n_cases, numbers = _ordered_numbers(events)
    return events[numbers.get_column("row")]


def _ordered_numbers(
    events: pl.DataFrame, names: list[str] | None = None, *, position: bool = True
) -> tuple[int, pl.DataFrame]:
    """(number of distinct case ids, the integer columns in mining order): ``case_no`` (rank
    of the case id among the distinct ids sorted as text, from 0), start timestamp if any,
    timestamp, position, ``row`` (the permutation) and, with ``names``, ``code`` (rank of the
    activity among ``names``). Text is never compared nor moved at millions of rows, only
    these integers. ``position=False``: the position column may be left out."""
    has_start = START in events.columns
    keys = ["case_no", *([START] if has_start else []), TIMESTAMP, POSITION]
    grouped = _grouped_order(events)
    if grouped is not None:
        n_cases, case_no, row = grouped
        kept = keys[1:] if position else keys[1:-1]
        columns = {
            "case_no": case_no,
            **{name: events.get_column(name).gather(row) for name in kept},
            "row": row,
        }
        if names is not None:
            columns["code"] = _activity_codes(events.get_column(ACTIVITY), names).gather(row)
        return n_cases, pl.DataFrame(columns)
    case_no = _case_numbers(events.get_column(CASE))
    n_cases = int(case_no.max()) + 1 if events.height else 0
    if _in_time_order(events) and not case_no.null_count():
        # rows already in (start, timestamp, position) order: a stable sort on the case
        # number alone gives the mining order (five times less work than the sort on all keys)
        row = pl.Series("row", np.argsort(case_no.to_numpy(), kind="stable").astype(np.uint32))
        kept = keys[1:] if position else keys[1:-1]
        columns = {
            "case_no": case_no.gather(row),
            **{name: events.get_column(name).gather(row) for name in kept},
            "row": row,
        }
        if names is not None:
            columns["code"] = _activity_codes(events.get_column(ACTIVITY), names).gather(row)
        return n_cases, pl.DataFrame(columns)
    columns = {
        "case_no": case_no,
        **({START: events.get_column(START)} if has_start else {}),
        TIMESTAMP: events.get_column(TIMESTAMP),
        POSITION: events.get_column(POSITION),
        "row": pl.int_range(events.height, dtype=pl.UInt32, eager=True),
    }
    if names is not None:
        columns["code"] = _activity_codes(events.get_column(ACTIVITY), names)
    return n_cases, pl.DataFrame(columns).sort(keys)


def _not_before_previous(columns: list[str]) -> pl.Expr:
    """True where the row's key (``columns``, compared lexicographically) is not smaller than
    the previous row's; null on the first row. Built from the last column outwards."""
    in_order = pl.lit(True)
    for name in reversed(columns):
        value, before = pl.col(name), pl.col(name).shift(1)
        in_order = (value > before) | ((value == before) & in_order)
    return in_order


def _in_time_order(events: pl.DataFrame) -> bool:
    """Whether the rows are in (start, timestamp, position) order across all cases, as a log
    exported in time order is: then only the case numbers need a (stable) sort."""
    columns = [*([START] if START in events.columns else []), TIMESTAMP, POSITION]
    if not 0 < events.height < 2**32 or any(
        events.get_column(name).null_count() for name in columns
    ):
        return False
    return bool(events.select(_not_before_previous(columns).fill_null(True).all()).item())


def _grouped_order(events: pl.DataFrame) -> tuple[int, pl.Series, pl.Series] | None:
    """The mining order without a sort of the events, when the frame is *grouped*: each
    case's events in one contiguous block, in mining order within it ((start, timestamp,
    position) non-decreasing), as exported logs usually are (XES by construction, most CSV
    exports). Then the mining order is the blocks sorted by case id as text, each block kept
    as it is: only the block's first ids are sorted (one per case), and checking costs a few
    vectorised comparisons with the previous row. (number of cases, ``case_no`` in mining
    order, ``row`` the permutation), or None when the frame is not grouped (or has nulls),
    for the general sort."""
    case = events.get_column(CASE)
    if not 0 < events.height < 2**31 or case.dtype != pl.String or case.null_count():
        return None  # (the row arithmetic below is on 32 bits)
    columns = [*([START] if START in events.columns else []), TIMESTAMP, POSITION]
    if any(events.get_column(name).null_count() for name in columns):
        return None
    first = (case != case.shift(1)).fill_null(True)
    # each row after the first of its block: its (start, timestamp, position) not smaller
    in_order = pl.lit(first) | _not_before_previous(columns)
    if not events.select(in_order.fill_null(True).all()).item():
        return None
    starts = first.arg_true()
    if len(starts) * 2 > events.height:
        # blocks of fewer than two events on average: cases interleaved (a log in time
        # order, or shuffled), where sorting the blocks would cost as much as the general
        # sort before failing the check below
        return None
    ids = case.gather(starts)
    if ids.n_unique() != len(ids):
        return None  # a case in two blocks (hashing the ids: cheaper than sorting them)
    order = ids.arg_sort().to_numpy()
    begin = starts.to_numpy().astype(np.int64)
    length = np.diff(begin, append=events.height)[order]
    begin = begin[order]
    # rows of the k-th block in id order: begin[k], begin[k] + 1, … — one arange over all
    # rows, shifted per block by where the block starts minus where it lands
    shift = np.repeat((begin - (np.cumsum(length) - length)).astype(np.int32), length)
    shift += np.arange(events.height, dtype=np.int32)
    row = pl.Series("row", shift.view(np.uint32))
    case_no = pl.Series("case_no", np.repeat(np.arange(len(begin), dtype=np.uint32), length))
    return len(begin), case_no, row


def _activity_codes(activities: pl.Series, names: list[str]) -> pl.Series:
    """Each activity's rank among ``names`` (its distinct values, sorted): the physical
    code of an enum of those names, a hash look-up per row (twice as fast as a replace)."""
    return activities.cast(pl.Enum(names)).to_physical().cast(pl.UInt32)


def _case_numbers(case_ids: pl.Series) -> pl.Series:
    """Each case id's rank among the distinct ids sorted as text, from 0. Only the distinct
    ids are sorted; an enum whose categories are those sorted ids then gives every row its
    rank as the enum's physical code (twice as fast at 10 million rows as a dense rank,
    which sorts every row's text)."""
    if case_ids.dtype != pl.String:
        return (case_ids.rank("dense") - 1).cast(pl.UInt32)
    distinct = case_ids.drop_nulls().unique().sort()
    return case_ids.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32)


def _stats(values: pl.Expr) -> list[pl.Expr]:
    return [
        values.mean().alias("mean"),
        values.median().alias("median"),
        values.min().alias("min"),
        values.max().alias("max"),
        values.sum().alias("sum"),
        values.std(ddof=1).alias("stdev"),
    ]


def _clean(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _stats_dict(row: dict[str, Any]) -> dict[str, float | None]:
    return {key: _clean(row[key]) for key in STAT_KEYS}


def _seconds(expr: pl.Expr) -> pl.Expr:
    """A duration as float seconds, the nearest float to the exact microsecond value.

    Polars divides by multiplying with the reciprocal (13,534,000 µs gives
    13.533999999999999); NumPy's true division is correctly rounded (13.534), as PM4Py's
    is. Element-wise only (not inside an aggregation)."""
    return expr.dt.total_microseconds().map_batches(
        _exact_seconds, return_dtype=pl.Float64, is_elementwise=True
    )


def _exact_seconds(micros: pl.Series) -> pl.Series:
    values = micros.cast(pl.Float64).to_numpy()  # exact below 2**53 µs (285 years)
    return pl.Series(micros.name, values / _SECONDS, nan_to_null=True)


class _Coded:
    """The events in mining order with integers instead of text: ``case_no`` is the case
    id's rank among the distinct ids sorted as text, ``code`` the activity's rank among the
    names sorted, so ordering the integers orders the texts. Only integer columns are
    sorted (text is never compared nor moved at millions of rows); ``order`` is the
    permutation, to bring any other column into mining order."""

    def __init__(self, events: pl.DataFrame) -> None:
        self.names: list[str] = events.get_column(ACTIVITY).unique().sort().to_list()
        n_cases, numbers = _ordered_numbers(events, self.names, position=False)
        self._case_ids = events.get_column(CASE)
        has_start = START in events.columns
        self.order = numbers.get_column("row")
        case = pl.col("case_no")
        begin = pl.col(START) if has_start else pl.col(TIMESTAMP)
        self.core = numbers.select(
            case.set_sorted(),
            pl.col("code"),
            pl.col(TIMESTAMP),
            (case == case.shift(-1)).fill_null(False).alias("has_next"),
            (case != case.shift(1)).fill_null(True).alias("is_first"),
            _seconds(begin.shift(-1) - pl.col(TIMESTAMP)).alias(_GAP),
            pl.col("code").shift(-1).alias("next_code"),
        )
        self.n_cases = n_cases

    @cached_property
    def cases(self) -> list[str]:
        """The case ids in order (``case_no`` is the index)."""
        return self._case_ids.unique().sort().to_list()

    def sorted(self, events: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """``columns`` of ``events`` (and the case id) in mining order."""
        return events.select(CASE, *columns)[self.order]

    def counts(self, frame: pl.DataFrame) -> dict[str, int]:
        """Activity → rows of ``frame``, most first, then by name."""
        counted = frame.group_by("code").len().sort(["len", "code"], descending=[True, False])
        names = self.names
        return {names[code]: n for code, n in counted.iter_rows()}


def mine(
    events: pl.DataFrame,
    *,
    expected_ends: set[str] | None = None,
    repeat_window: timedelta | None = None,
    only: frozenset[str] | None = None,
    coded: _Coded | None = None,
) -> MiningResult:
    """Every metric of the module docstring on the canonical frame ``events``.

    ``coded``: ``code_events(events)`` when the caller already has it (the observed pages
    share one mining order between several analyses); computed here otherwise.

    ``only``: compute just these of ``"dfg"`` (frequency and performance), ``"variants"``,
    ``"activities"`` (counts, start and end), ``"case_durations"``, ``"rework"``, ``"extra"``
    (service and waiting times, channel switches, repeat contacts, drop-offs); the others
    stay empty. Default: all.

    ``expected_ends``: the activities a case should end on; the others count as drop-offs
    (empty when not given). ``repeat_window``: an event is a *repeat contact* when the
    previous event of the case with the same activity happened less than this long before
    (empty when not given).
    """
    wanted = only if only is not None else frozenset(_PARTS)
    unknown = wanted - set(_PARTS)
    if unknown:
        raise ValueError(f"Métriques inconnues : {', '.join(sorted(unknown))}.")
    if events.height == 0:
        return MiningResult(0, 0, {}, {}, {}, {}, {}, [], {}, {})
    coded = coded if coded is not None else _Coded(events)
    core = coded.core

    dfg: dict[tuple[str, str], int] = {}
    performance: dict[tuple[str, str], dict[str, float | None]] = {}
    if "dfg" in wanted:
        dfg, performance = _directly_follows(coded)
    activities = "activities" in wanted or "extra" in wanted
    result = MiningResult(
        n_cases=coded.n_cases,
        n_events=events.height,
        activity_counts=coded.counts(core) if activities else {},
        start_activities=coded.counts(core.filter(pl.col("is_first"))) if activities else {},
        end_activities=coded.counts(core.filter(~pl.col("has_next"))) if activities else {},
        dfg=dfg,
        performance_dfg=performance,
        variants=_variants(coded) if "variants" in wanted else [],
        case_durations=_case_durations(coded) if "case_durations" in wanted else {},
        rework_cases_per_activity=_rework(coded) if "rework" in wanted else {},
    )
    if "extra" in wanted:
        _extras(result, events, coded, expected_ends=expected_ends, repeat_window=repeat_window)
    return result


def code_events(events: pl.DataFrame) -> _Coded:
    """The events' mining order with integer codes (see ``_Coded``): computed once, it serves
    :func:`mine` (``coded=``), ``coded.sorted`` and :func:`repeat_contacts_coded`."""
    return _Coded(events)


_PARTS = ("dfg", "variants", "activities", "case_durations", "rework", "extra")


def _directly_follows(coded: _Coded):
    """(frequency DFG, performance DFG), edges in activity order."""
    names = coded.names
    pairs = (
        coded.core.lazy()
        .filter(pl.col("has_next"))
        .group_by("code", "next_code")
        .agg(pl.len().alias("count"), *_stats(pl.col(_GAP)))
        .sort("code", "next_code")
        .collect()
    )
    dfg: dict[tuple[str, str], int] = {}
    performance: dict[tuple[str, str], dict[str, float | None]] = {}
    for row in pairs.iter_rows(named=True):
        edge = (names[row["code"]], names[row["next_code"]])
        dfg[edge] = row["count"]
        performance[edge] = _stats_dict(row)
    return dfg, performance


def _extras(
    result: MiningResult,
    events: pl.DataFrame,
    coded: _Coded,
    *,
    expected_ends: set[str] | None,
    repeat_window: timedelta | None,
) -> None:
    core, names = coded.core, coded.names
    if START in events.columns:
        result.service_times = _per_activity_stats(
            events.select(ACTIVITY, _seconds(pl.col(TIMESTAMP) - pl.col(START)).alias(_GAP))
        )
        waits = core.filter(pl.col("has_next")).select(
            pl.col("next_code").alias("code"), pl.col(_GAP)
        )
        result.waiting_times = _per_activity_stats(
            waits.with_columns(
                pl.col("code")
                .replace_strict(range(len(names)), names, return_dtype=pl.String)
                .alias(ACTIVITY)
            )
        )
    if CHANNEL in events.columns:
        result.channel_switches = channel_switches(coded.sorted(events, CHANNEL))
    if repeat_window is not None:
        begin = [START] if START in events.columns else [TIMESTAMP]
        result.repeat_contacts = repeat_contacts(
            coded.sorted(events, ACTIVITY, *begin), repeat_window
        )
    if expected_ends is not None:
        result.drop_offs = {
            activity: count
            for activity, count in result.end_activities.items()
            if activity not in expected_ends
        }


def _per_activity_stats(frame: pl.DataFrame) -> dict[str, dict[str, float | None]]:
    grouped = frame.group_by(ACTIVITY).agg(*_stats(pl.col(_GAP))).sort(ACTIVITY)
    return {row[ACTIVITY]: _stats_dict(row) for row in grouped.iter_rows(named=True)}


def _variants(coded: _Coded) -> list[tuple[tuple[str, ...], int]]:
    """Variants, most frequent first; ties in the order of their first case (case ids as
    text), which costs nothing, where comparing sequences would cost a sort of lists.

    A case's sequence is the bytes of its activity codes (one to four bytes each), a slice
    of one buffer of all the codes in mining order: counting them is a dict of bytes (first
    case first), and only the distinct variants become tuples of names (at 10 million
    events, three times faster than grouping lists in Polars and turning each into a
    tuple)."""
    core = coded.core
    width = 1 if len(coded.names) <= 0x100 else 2 if len(coded.names) <= 0x10000 else 4
    codes = core.get_column("code").to_numpy().astype(f"<u{width}", copy=False)
    buffer = codes.tobytes()
    starts = (core.get_column("is_first").arg_true() * width).to_list()
    ends = [*starts[1:], len(buffer)]
    with _collector_paused():
        counted = Counter([buffer[start:end] for start, end in zip(starts, ends, strict=True)])
        # most_common sorts stably: equal counts stay in the order of their first case
        ranked = counted.most_common()
        if width == 1:
            sequences: list = [sequence for sequence, _count in ranked]  # bytes: ints
        else:
            joined = b"".join(sequence for sequence, _count in ranked)
            flat = np.frombuffer(joined, dtype=f"<u{width}").tolist()
            sequences, at = [], 0
            for sequence, _count in ranked:
                sequences.append(flat[at : at + len(sequence) // width])
                at += len(sequence) // width
        # itemgetter picks all the names of a variant in one call (a tuple, or the name
        # alone for one code)
        names = coded.names
        variants = []
        for sequence, (_bytes, count) in zip(sequences, ranked, strict=True):
            picked = itemgetter(*sequence)(names)
            variants.append((picked if len(sequence) > 1 else (picked,), count))
    return variants


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while hundreds of thousands of tuples are built
    (none can be part of a cycle): each batch of new containers would otherwise start a
    collection that walks all the tuples built so far, which is most of the cost (0.6 s of
    0.85 s for 509,138 variants at 10 million events). Left as it was found."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _case_durations(coded: _Coded) -> dict[str, float]:
    """Case id → latest timestamp − earliest timestamp, in seconds, in case order."""
    durations = (
        coded.core.group_by("case_no", maintain_order=True)
        .agg((pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).alias("span"))
        .select(_seconds(pl.col("span")).alias("seconds"))
    )
    return dict(zip(coded.cases, durations.get_column("seconds").to_list(), strict=True))


def _rework(coded: _Coded) -> dict[str, int]:
    """Activity → number of cases in which it occurs more than once (absent when none)."""
    width = max(len(coded.names), 1)
    repeated = (
        coded.core.lazy()
        .select((pl.col("case_no").cast(pl.UInt64) * width + pl.col("code")).alias("key"))
        .group_by("key")
        .len()
        .filter(pl.col("len") > 1)
        .select((pl.col("key") % width).cast(pl.UInt32).alias("code"))
        .collect()
    )
    return coded.counts(repeated)


def channel_switches(frame: pl.DataFrame) -> dict[tuple[str, str], int]:
    """(channel of a, channel of b) → count, over consecutive events a, b of a case whose
    channels differ (events without a channel are skipped)."""
    switched = (
        frame.lazy()
        .filter(pl.col(CHANNEL).is_not_null())
        .select(
            pl.col(CHANNEL),
            pl.col(CHANNEL).shift(-1).alias("next_channel"),
            (pl.col(CASE) == pl.col(CASE).shift(-1)).alias("same"),
        )
        .filter(pl.col("same") & (pl.col(CHANNEL) != pl.col("next_channel")))
        .group_by(CHANNEL, "next_channel")
        .len()
        .sort(CHANNEL, "next_channel")
        .collect()
    )
    return {(a, b): n for a, b, n in switched.iter_rows()}


def repeat_contacts(frame: pl.DataFrame, window: timedelta) -> dict[str, int]:
    """Activity → number of events that repeat the previous event of the same case and
    activity less than ``window`` after its start (start timestamp when there is one)."""
    begin = pl.col(START) if START in frame.columns else pl.col(TIMESTAMP)
    # A stable sort on (case, activity) then one shift: ten times faster than a shift
    # ``over(case, activity)`` on text keys, and the same previous event (the frame's order
    # is kept within a case and activity).
    same = (pl.col(CASE) == pl.col(CASE).shift(1)) & (pl.col(ACTIVITY) == pl.col(ACTIVITY).shift(1))
    repeated = (
        frame.lazy()
        .select(CASE, ACTIVITY, begin.alias("at"))
        .sort(CASE, ACTIVITY, maintain_order=True)
        .with_columns(pl.when(same).then(pl.col("at") - pl.col("at").shift(1)).alias("since"))
        .filter(pl.col("since").is_not_null() & (pl.col("since") < window))
        .group_by(ACTIVITY)
        .len()
        .sort(ACTIVITY)
        .collect()
    )
    return {activity: n for activity, n in repeated.iter_rows()}


def repeat_contacts_coded(coded: _Coded, begin: pl.Series, window: timedelta) -> dict[str, int]:
    """:func:`repeat_contacts` on events already coded: ``begin`` is each event's start (its
    timestamp without one) in mining order. Sorting the integer codes of (case, activity)
    orders as the texts would, without comparing text."""
    width = max(len(coded.names), 1)
    same = pl.col("key") == pl.col("key").shift(1)
    repeated = (
        coded.core.lazy()
        .select(
            (pl.col("case_no").cast(pl.UInt64) * width + pl.col("code")).alias("key"),
            "code",
            pl.lit(begin).alias("at"),
        )
        .sort("key", maintain_order=True)
        .with_columns(pl.when(same).then(pl.col("at") - pl.col("at").shift(1)).alias("since"))
        .filter(pl.col("since").is_not_null() & (pl.col("since") < window))
        .group_by("code")
        .len()
        .collect()
    )
    names = coded.names
    return dict(sorted((names[code], n) for code, n in repeated.iter_rows()))


def case_groups(events: pl.DataFrame, by: str, *, period: str | None = None) -> pl.DataFrame:
    """Case id → group: the case's first value of column ``by`` (in mining order), or with
    ``by="period"`` the calendar ``period`` ("month", "quarter" or "year") of its first event,
    in UTC."""
    frame = sort_events(events)
    if by == "period":
        every = {"month": "1mo", "quarter": "1q", "year": "1y"}.get(period or "month")
        if every is None:
            raise ValueError(f"Période inconnue : {period!r} (month, quarter ou year).")
        value = pl.col(TIMESTAMP).first().dt.truncate(every).dt.strftime("%Y-%m-%d")
    else:
        if by not in frame.columns:
            raise ValueError(f"Colonne de regroupement absente : {by!r}.")
        value = pl.col(by).first().cast(pl.String)
    return frame.group_by(CASE, maintain_order=True).agg(value.alias("group"))


def mine_by_group(
    events: pl.DataFrame,
    *,
    by: str,
    period: str | None = None,
    per_event: bool = False,
    **options: Any,
) -> dict[str | None, MiningResult]:
    """:func:`mine` per group, groups in ascending order (events without a value last).

    By default a group is a set of whole cases (see :func:`case_groups`), so a journey is
    never cut in two: per segment, procedure or period. With ``per_event=True`` the events
    themselves are split on column ``by`` (e.g. the channel): each group holds the events of
    that value only, and a case's events on other channels are not in its sequences there."""
    ordered = sort_events(events)
    if per_event:
        if by not in ordered.columns:
            raise ValueError(f"Colonne de regroupement absente : {by!r}.")
        tagged = ordered.with_columns(pl.col(by).cast(pl.String).alias("_group"))
    else:
        groups = case_groups(events, by, period=period).rename({"group": "_group"})
        tagged = ordered.join(groups, on=CASE, how="left", maintain_order="left")
    out: dict[str | None, MiningResult] = {}
    for (group,), part in sorted(
        tagged.partition_by("_group", as_dict=True, maintain_order=True).items(),
        key=lambda item: (item[0][0] is None, item[0][0] or ""),
    ):
        out[group] = mine(part.drop("_group"), **options)
    return out
