"""Where a kept event log's events live: its canonical frame as one Parquet file under
``MEDIA_ROOT/journeys/logs/``. Parquet keeps the types (UTC instants to the microsecond, text,
positions) and the columnar engine reads it back in one pass, far faster than rows of a table.

The file is written beside its final name and renamed into place, so a reader never sees half
a log and a failed import leaves nothing behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from django.conf import settings

from relais.journeys.eventlogs import ACTIVITY, CASE, TIMESTAMP
from relais.journeys.models import EventLog

LOGS_DIR = "journeys/logs"


# The log's fields that storing its events fills in.
STORED_FIELDS = [
    "data_path",
    "n_events",
    "n_cases",
    "n_activities",
    "first_event_at",
    "last_event_at",
    "updated_at",
]


def _absolute(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def store_frame(log: EventLog, frame: pl.DataFrame) -> EventLog:
    """Write ``frame`` (canonical, see :mod:`relais.journeys.eventlogs`) as ``log``'s events
    and fill its counts and period. The row is saved; the caller sets the status."""
    relative = f"{LOGS_DIR}/{log.organization_id}/{log.public_id}.parquet"
    target = _absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".parquet.partial")
    frame.write_parquet(partial, compression="zstd")
    os.replace(partial, target)
    log.data_path = relative
    log.n_events = frame.height
    log.n_cases = frame.get_column(CASE).n_unique() if frame.height else 0
    log.n_activities = frame.get_column(ACTIVITY).n_unique() if frame.height else 0
    if frame.height:
        instants = frame.get_column(TIMESTAMP)
        log.first_event_at = instants.min()
        log.last_event_at = instants.max()
    log.save(update_fields=STORED_FIELDS)
    return log


def store_batches(
    log: EventLog, batches: Iterable[pl.DataFrame], *, on_batch: Callable[[], None] | None = None
) -> EventLog:
    """Write the canonical frames ``batches`` (consecutive parts of one log, same columns)
    as ``log``'s events, one Parquet row group each, without holding the whole log in
    memory, and fill its counts and period (read back from the file). All or nothing: if a
    batch raises (a bad line), the partial file is removed and the log keeps what it had.
    ``on_batch`` is called after each batch (a job's progress)."""
    relative = f"{LOGS_DIR}/{log.organization_id}/{log.public_id}.parquet"
    target = _absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".parquet.partial")
    writer = None
    try:
        for batch in batches:
            table = batch.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema))
            if on_batch:
                on_batch()
        if writer is None:
            raise ValueError("no batch to store")
        writer.close()
        writer = None
        counts = (
            pl.scan_parquet(partial)
            .select(
                pl.len().alias("events"),
                pl.col(CASE).n_unique().alias("cases"),
                pl.col(ACTIVITY).n_unique().alias("activities"),
                pl.col(TIMESTAMP).min().alias("first"),
                pl.col(TIMESTAMP).max().alias("last"),
            )
            .collect()
            .row(0, named=True)
        )
    except BaseException:
        if writer is not None:
            writer.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    log.data_path = relative
    log.n_events = counts["events"]
    log.n_cases = counts["cases"]
    log.n_activities = counts["activities"]
    log.first_event_at = counts["first"]
    log.last_event_at = counts["last"]
    log.save(update_fields=STORED_FIELDS)
    return log


def load_frame(log: EventLog, columns: list[str] | None = None) -> pl.DataFrame:
    """The canonical frame of a kept log (only ``columns`` when given). Raises
    ``FileNotFoundError`` when the log has no stored events (not imported, or failed)."""
    if not log.data_path:
        raise FileNotFoundError(f"Le journal « {log.name} » n'a pas d'événements enregistrés.")
    return pl.read_parquet(_absolute(log.data_path), columns=columns)


def delete_frame(log: EventLog) -> None:
    """Remove the stored events of ``log`` (when the log itself is purged)."""
    if log.data_path:
        _absolute(log.data_path).unlink(missing_ok=True)
