"""What the observed pages show of a kept event log, computed on the columnar engine and cached.

``observed_summary(log, filters)`` mines the log's canonical frame (:mod:`mining`), adds what
the charts need (process graph laid out in columns, channel flows, duration distribution,
waiting before each step, variants, failure demand per step and channel) and returns one
JSON-ready dict. It is written once per (log, filters) as a JSON file beside the log's Parquet
file (``<public id>.observed/<key>.json``) and read back afterwards: a page on a million-event
log costs one mining the first time (done by the import job for the unfiltered view) and a
file read after. The key holds the Parquet file's size and modification time, and
``observed_invalidate`` removes the folder when the events are replaced or purged.

``observed_mining(log)`` is the mining result in ``mine_journeys``' JSON form (without the
case durations), for the modelled-vs-observed comparison.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from relais.journeys import failure_demand
from relais.journeys.eventlog_store import load_frame
from relais.journeys.eventlogs import (
    ACTIVITY,
    CANONICAL,
    CASE,
    CHANNEL,
    POSITION,
    START,
    TIMESTAMP,
)
from relais.journeys.mining import channel_switches, code_events, mine, repeat_contacts_coded
from relais.journeys.models import Channel, EventLog

# Bump when the summary's shape changes: old cache files are then ignored.
VERSION = 4
GRAPH_EDGES = 60  # the most frequent edges drawn; the table lists them all
VARIANTS_SHOWN = 20
SANKEY_DEPTH = 5  # channel flows over the first contacts of a case
SEGMENT_MAX_VALUES = 40  # an attribute with more distinct values is not offered as a filter
# Case durations, in days: the histogram's bins (upper bounds).
DURATION_BINS = (1, 7, 14, 30, 60, 90, 180, 365)
REPEAT_WINDOW = timedelta(days=7)  # « repeats »: the same activity again within a week
# Channels on which the body, not the person, has the ball (failure demand's waiting steps).
BACK_OFFICE_CHANNELS = ("back_office",)
# Attribute names that hold a contact's reason or its recorded kind of demand.
REASON_COLUMNS = ("reason", "motif", "raison")
DEMAND_COLUMNS = ("demand", "demande")


@dataclass(frozen=True)
class Filters:
    """Which events a view keeps: a period (dates included, UTC), a channel, the cases of one
    value of a segment attribute (a case attribute such as ``branch`` or ``region``)."""

    since: date | None = None
    until: date | None = None
    channel: str = ""
    segment: str = ""
    segment_value: str = ""

    @classmethod
    def from_key(cls, data: dict[str, str]) -> Filters:
        """The filters back from :meth:`key` (a job's parameters)."""
        return cls(
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            channel=data.get("channel") or "",
            segment=data.get("segment") or "",
            segment_value=data.get("segment_value") or "",
        )

    def key(self) -> dict[str, str]:
        data = asdict(self)
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}

    @property
    def active(self) -> bool:
        return any(self.key().values())


def _data_file(log: EventLog) -> Path:
    return Path(settings.MEDIA_ROOT) / log.data_path


def _cache_dir(log: EventLog) -> Path:
    return _data_file(log).with_suffix(".observed")


def observed_invalidate(log: EventLog) -> None:
    """Forget every cached view of ``log`` (its events changed or are gone)."""
    if log.data_path:
        shutil.rmtree(_cache_dir(log), ignore_errors=True)


def _target(log: EventLog, name: str, parts: dict) -> Path:
    stat = _data_file(log).stat()
    material = json.dumps(
        {"v": VERSION, "name": name, "size": stat.st_size, "mtime": stat.st_mtime_ns, **parts},
        sort_keys=True,
    )
    return _cache_dir(log) / f"{name}-{hashlib.sha256(material.encode()).hexdigest()[:24]}.json"


def _write(target: Path, result: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)


def _cached(log: EventLog, name: str, parts: dict, compute) -> dict[str, Any]:
    target = _target(log, name, parts)
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    result = compute()
    _write(target, result)
    return result


def observed_summary(log: EventLog, filters: Filters | None = None) -> dict[str, Any]:
    """The observed pages' data for ``log`` under ``filters`` (cached, see the module)."""
    filters = filters or Filters()
    return _cached(log, "summary", filters.key(), lambda: summarise(load_frame(log), filters))


def observed_cached(log: EventLog, filters: Filters | None = None) -> dict[str, Any] | None:
    """The cached summary of ``log`` under ``filters``, or ``None`` when it is not computed
    yet (nothing is computed here)."""
    try:
        target = _target(log, "summary", (filters or Filters()).key())
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def observed_compute(
    log: EventLog, filters: Filters | None = None, *, step: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Compute and cache the summary of ``log`` under ``filters`` (the background job's
    body); ``step`` is called after each stage (reading, then each part of ``summarise``)."""
    filters = filters or Filters()
    target = _target(log, "summary", filters.key())
    frame = load_frame(log)
    if step:
        step()
    result = summarise(frame, filters, step=step)
    _write(target, result)
    return result


def observed_job_marker(log: EventLog, filters: Filters | None = None) -> str | None:
    """The public id of the last job started to compute this view (see ``observed_job_mark``)."""
    try:
        path = _target(log, "summary", (filters or Filters()).key()).with_suffix(".job")
        return path.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def observed_job_mark(log: EventLog, filters: Filters | None, job_public_id: str) -> None:
    """Remember which job computes this view, beside its (future) cache file, so that every
    reader of the page follows the same job instead of starting another."""
    path = _target(log, "summary", (filters or Filters()).key()).with_suffix(".job")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(job_public_id), encoding="ascii")


def observed_mining(log: EventLog) -> dict[str, Any]:
    """``mine_journeys``' JSON for the whole log, without ``case_durations`` (cached)."""

    def compute():
        result = mine(load_frame(log), only=frozenset({"dfg", "variants", "activities", "rework"}))
        data = result.as_dict()
        data.pop("case_durations", None)
        return data

    return _cached(log, "mining", {}, compute)


# --- Computation ------------------------------------------------------------------------------


def apply_filters(frame: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The events kept by ``filters``. The period and the segment keep whole cases (a case
    started in the period, a case of that segment value); the channel keeps the events on it."""
    if filters.since or filters.until:
        first = frame.group_by(CASE).agg(pl.col(TIMESTAMP).min().alias("__first"))
        condition = pl.lit(True)
        if filters.since:
            since = datetime.combine(filters.since, time.min).replace(tzinfo=UTC)
            condition = condition & (pl.col("__first") >= since)
        if filters.until:
            until = datetime.combine(filters.until + timedelta(days=1), time.min)
            condition = condition & (pl.col("__first") < until.replace(tzinfo=UTC))
        frame = frame.filter(pl.col(CASE).is_in(first.filter(condition).get_column(CASE).implode()))
    if filters.segment and filters.segment in frame.columns:
        cases = frame.filter(pl.col(filters.segment).cast(pl.String) == filters.segment_value)
        frame = frame.filter(pl.col(CASE).is_in(cases.get_column(CASE).unique().implode()))
    if filters.channel and CHANNEL in frame.columns:
        frame = frame.filter(pl.col(CHANNEL) == filters.channel)
    return frame


def segment_attributes(frame: pl.DataFrame) -> dict[str, list[str]]:
    """Attribute columns with few distinct values (the filters a page offers)."""
    out: dict[str, list[str]] = {}
    for name in frame.columns:
        if name in CANONICAL or name in REASON_COLUMNS or name in DEMAND_COLUMNS:
            continue
        values = frame.get_column(name).cast(pl.String).drop_nulls().unique()
        values = values.filter(values.str.strip_chars() != "")
        if 1 < len(values) <= SEGMENT_MAX_VALUES:
            out[name] = sorted(values.to_list())
    return out


SUMMARY_STAGES = 5  # calls of ``step`` by ``summarise`` on a non-empty view


def summarise(
    events: pl.DataFrame, filters: Filters | None = None, *, step: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Every figure of the observed pages (see the module docstring), JSON-ready. ``step``
    (a job's progress) is called after each of its ``SUMMARY_STAGES`` stages."""
    filters = filters or Filters()
    step = step or (lambda: None)
    channels = (
        sorted(events.get_column(CHANNEL).drop_nulls().unique().to_list())
        if CHANNEL in events.columns
        else []
    )
    summary: dict[str, Any] = {
        "filters": filters.key(),
        "channels": channels,
        "segments": segment_attributes(events),
        "has_start": START in events.columns,
    }
    frame = apply_filters(events, filters)
    summary["n_events"] = frame.height
    if frame.height == 0:
        summary["empty"] = True
        return summary
    # The mining order once, on the few columns the views need; the engine's parts that the
    # pages do not show (service times, the per-case dict of durations) are not computed.
    # The mining order is computed once (integer codes of cases and activities) and shared by
    # the mining, the repeats and the charts.
    slim = frame.select(CASE, ACTIVITY, TIMESTAMP, POSITION, *_start(frame))
    coded = code_events(slim)
    ordered = coded.sorted(
        frame, ACTIVITY, TIMESTAMP, *_start(frame), *([CHANNEL] if CHANNEL in frame.columns else [])
    )
    result = mine(slim, only=frozenset({"dfg", "variants", "activities", "rework"}), coded=coded)
    begin = START if START in frame.columns else TIMESTAMP
    step()
    repeats = repeat_contacts_coded(coded, ordered.get_column(begin), REPEAT_WINDOW)
    switches = channel_switches(ordered.select(CASE, CHANNEL)) if CHANNEL in frame.columns else {}
    instants = frame.get_column(TIMESTAMP)
    graph = _graph(ordered, result)
    step()
    durations, waiting = _durations(ordered), _waiting(ordered)
    step()
    sankey = _sankey(ordered) if CHANNEL in frame.columns else None
    step()
    failure = _failure(frame)
    step()
    summary.update(
        empty=False,
        n_cases=result.n_cases,
        n_activities=result.n_activities,
        n_variants=result.n_variants,
        first=instants.min().isoformat(),
        last=instants.max().isoformat(),
        activities=[
            {
                "activity": name,
                "count": count,
                "start": result.start_activities.get(name, 0),
                "end": result.end_activities.get(name, 0),
                "rework": result.rework_cases_per_activity.get(name, 0),
                "repeats": repeats.get(name, 0),
            }
            for name, count in result.activity_counts.items()
        ],
        graph=graph,
        durations=durations,
        waiting=waiting,
        variants=[
            {"activities": list(sequence), "count": count, "share": count / result.n_cases}
            for sequence, count in result.variants[:VARIANTS_SHOWN]
        ],
        switches=[
            {"from": channel_label(a), "to": channel_label(b), "count": n}
            for (a, b), n in sorted(switches.items(), key=lambda kv: -kv[1])
        ],
        sankey=sankey,
        failure=failure,
    )
    return summary


def _graph(ordered: pl.DataFrame, result) -> dict[str, Any]:
    """Nodes placed in columns by their mean position in a case (left: early), edges with
    their frequency and mean and median time; the ``GRAPH_EDGES`` most frequent are drawn.
    ``ordered``: the events in mining order."""
    rank = ordered.with_columns(_rank_in_case(pl.col(CASE)).alias("rank"))
    columns = (
        rank.group_by(ACTIVITY).agg(pl.col("rank").mean().alias("rank")).sort("rank", ACTIVITY)
    )
    placed: dict[int, int] = {}
    nodes = []
    for name, mean_rank in columns.iter_rows():
        column = round(mean_rank)
        row = placed.get(column, 0)
        placed[column] = row + 1
        nodes.append(
            {
                "name": name,
                "count": result.activity_counts.get(name, 0),
                "x": column * 260,
                "y": row * 90 + (column % 2) * 40,
            }
        )
    edges = [
        {
            "source": a,
            "target": b,
            "count": count,
            "mean": result.performance_dfg[(a, b)]["mean"],
            "median": result.performance_dfg[(a, b)]["median"],
        }
        for (a, b), count in sorted(result.dfg.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"nodes": nodes, "edges": edges, "drawn": min(len(edges), GRAPH_EDGES)}


def channel_label(code: str) -> str:
    """A channel's French label (« Traitement interne » for ``back_office``); another value
    of the log's channel column as it is."""
    return str(dict(Channel.choices).get(code, code))


def _rank_in_case(case: pl.Expr) -> pl.Expr:
    """0, 1, 2… along each case of a frame sorted by case: the row number minus the row
    number where the case began (no grouping on the text ids, which costs seconds at a
    million events)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    begins = (case != case.shift(1)).fill_null(True)
    return row - pl.when(begins).then(row).forward_fill()


def _start(frame: pl.DataFrame) -> list[str]:
    return [START] if START in frame.columns else []


def _durations(ordered: pl.DataFrame) -> dict[str, Any]:
    """Histogram of case durations (latest − earliest timestamp) in days, in the bins of
    ``DURATION_BINS``, and quantiles. ``ordered``: sorted by case (grouped on integers)."""
    case_no = (pl.col(CASE) != pl.col(CASE).shift(1)).fill_null(True).cum_sum()
    spans = (
        ordered.lazy()
        .select(case_no.alias("case_no"), TIMESTAMP)
        .group_by("case_no")
        .agg((pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).alias("span"))
        .collect()
    )
    values = spans.get_column("span").dt.total_microseconds() / (86_400 * 1_000_000)
    bins = []
    low = 0
    for high in DURATION_BINS:
        count = int(((values >= low) & (values < high)).sum())
        bins.append({"low": low, "high": high, "cases": count})
        low = high
    bins.append({"low": low, "high": None, "cases": int((values >= low).sum())})
    return {
        "bins": bins,
        "mean": float(values.mean()),
        "median": float(values.median()),
        "p90": float(values.quantile(0.9, interpolation="linear")),
    }


def _waiting(ordered: pl.DataFrame) -> list[dict[str, Any]]:
    """Per activity, the wait before it: its start (its timestamp when the log has no start)
    minus the previous event's timestamp in the case, in days. ``ordered``: mining order."""
    begin = pl.col(START) if START in ordered.columns else pl.col(TIMESTAMP)
    waits = (
        ordered.lazy()
        .with_columns(
            ((begin - pl.col(TIMESTAMP).shift(1)).dt.total_seconds() / 86_400).alias("days"),
            (pl.col(CASE) == pl.col(CASE).shift(1)).alias("same"),
        )
        .filter(pl.col("same"))
        .group_by(ACTIVITY)
        .agg(
            pl.len().alias("count"),
            pl.col("days").mean().alias("mean"),
            pl.col("days").median().alias("median"),
            pl.col("days").quantile(0.9, interpolation="linear").alias("p90"),
        )
        .sort("mean", descending=True)
        .collect()
    )
    return waits.to_dicts()


def _sankey(ordered: pl.DataFrame) -> dict[str, Any] | None:
    """Channel flows: each case's channels in order (consecutive repeats merged), over its
    first ``SANKEY_DEPTH`` channels; a node is « n. channel » so the flow has no cycle.
    ``ordered``: the events in mining order."""
    ordered = ordered.select(CASE, CHANNEL).filter(pl.col(CHANNEL).is_not_null())
    changed = (pl.col(CHANNEL) != pl.col(CHANNEL).shift(1)) | (
        pl.col(CASE) != pl.col(CASE).shift(1)
    )
    steps = (
        ordered.filter(changed.fill_null(True))
        .with_columns(_rank_in_case(pl.col(CASE)).alias("depth"))
        .filter(pl.col("depth") < SANKEY_DEPTH)
        .with_columns(
            pl.col(CHANNEL).shift(-1).alias("next"),
            (pl.col(CASE) == pl.col(CASE).shift(-1)).fill_null(False).alias("has_next"),
        )
        .filter(pl.col("has_next"))
        .group_by("depth", CHANNEL, "next")
        .len()
        .sort(["depth", "len", CHANNEL, "next"], descending=[False, True, False, False])
    )
    if steps.height == 0:
        return None
    links = [
        {
            "source": f"{depth + 1}. {channel_label(a)}",
            "target": f"{depth + 2}. {channel_label(b)}",
            "value": n,
        }
        for depth, a, b, n in steps.iter_rows()
    ]
    names = sorted({link["source"] for link in links} | {link["target"] for link in links})
    return {"nodes": names, "links": links}


def _first_present(frame: pl.DataFrame, names) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _failure(frame: pl.DataFrame) -> dict[str, Any] | None:
    """Failure demand per step and channel (``failure_demand.analyse`` with its default
    rules). Contacts: the activities that carry a recorded demand when the log has such a
    column, else every event with a channel other than the back office; steps on the back
    office are where the body has the ball (waiting)."""
    if CHANNEL not in frame.columns:
        return None
    reason = _first_present(frame, REASON_COLUMNS)
    demand = _first_present(frame, DEMAND_COLUMNS)
    # What each activity is, from one pass grouped on the few activity names.
    back_office = pl.col(CHANNEL).is_in(BACK_OFFICE_CHANNELS)
    marked = (
        pl.col(demand).cast(pl.String).str.strip_chars().fill_null("") != ""
        if demand is not None
        else ~back_office
    )
    kinds = (
        frame.lazy()
        .group_by(ACTIVITY)
        .agg(marked.any().alias("contact"), back_office.any().alias("waiting"))
        .sort(ACTIVITY)
        .collect()
    )
    contact_activities = kinds.filter("contact").get_column(ACTIVITY).to_list()
    if not contact_activities:
        return None
    waiting = kinds.filter("waiting").get_column(ACTIVITY).to_list()
    kept = [CASE, TIMESTAMP, ACTIVITY, CHANNEL, *([reason] if reason else [])]
    # Only the cases with a contact can hold failure demand: the others are left out.
    with_contact = (
        frame.lazy()
        .filter(pl.col(ACTIVITY).is_in(contact_activities))
        .select(pl.col(CASE).unique())
        .collect()
        .get_column(CASE)
    )
    report = failure_demand.analyse(
        frame.lazy().select(kept).filter(pl.col(CASE).is_in(with_contact.implode())).collect(),
        failure_demand.Columns(
            case=CASE, timestamp=TIMESTAMP, activity=ACTIVITY, channel=CHANNEL, text=reason
        ),
        contact_activities=contact_activities,
        waiting_steps=waiting,
    )
    return {
        "n_contacts": report.n_contacts,
        "n_value": report.n_value,
        "n_failure": report.n_failure,
        "share": report.failure_share,
        "per_value": report.failure_per_value,
        "repeat": report.repeat_contacts,
        "chasing": report.chasing_contacts,
        "by_step": report.by_step.to_dicts(),
        "by_channel": [
            {**row, "channel": channel_label(row["channel"])}
            for row in report.by_channel.to_dicts()
        ],
        "by_rule": report.by_rule.to_dicts(),
    }
