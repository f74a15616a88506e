"""CSV logs read in batches (``iter_csv``) and streamed into the kept log's Parquet file
(``store_batches``): the same events as a whole read whatever the batch size (records cut at
their end only, quoted fields spanning lines kept whole, gzip), positions and line numbers
running on across batches, and a bad line in a late batch leaving nothing stored."""

import gzip
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from relais.journeys.eventlog_store import load_frame, store_batches
from relais.journeys.eventlogs import ColumnMapping, EventLogError, iter_csv, read_csv
from relais.journeys.models import EventLog

MAPPING = ColumnMapping(case="c", activity="a", timestamp="t")


def _rows(count: int) -> str:
    lines = ["c,a,t,note"]
    for number in range(count):
        # Every third note is quoted and spans two lines, with an escaped quote.
        note = f'"ligne {number}\n""suite"""' if number % 3 == 0 else f"n{number}"
        lines.append(f"C{number % 7},étape {number % 4},2026-01-01T00:{number % 60:02d}:00Z,{note}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("batch_bytes", [16, 57, 100, 1 << 20])
def test_any_batch_size_gives_the_same_events(tmp_path, batch_bytes):
    path = tmp_path / "log.csv"
    path.write_text(_rows(50), encoding="utf-8")
    whole = pl.read_csv(path, infer_schema=False)
    assert whole.height == 50 and whole["note"][0] == 'ligne 0\n"suite"'
    batches = list(iter_csv(path, MAPPING, batch_bytes=batch_bytes))
    if batch_bytes < 1000:
        assert len(batches) > 3
    frame = pl.concat(batches)
    assert frame["position"].to_list() == list(range(50))
    assert frame["note"].to_list() == whole["note"].to_list()
    assert_frame_equal(frame, read_csv(path, MAPPING))


def test_gzip_is_streamed_too(tmp_path):
    plain = tmp_path / "log.csv"
    plain.write_text(_rows(30), encoding="utf-8")
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert_frame_equal(
        pl.concat(iter_csv(packed, MAPPING, batch_bytes=40)),
        pl.concat(iter_csv(plain, MAPPING)),
    )


def test_a_bad_line_in_a_late_batch_has_its_line_number(tmp_path):
    text = _rows(40).replace("2026-01-01T00:35:00Z", "2026-13-01T00:35:00Z")
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    # The header is line 1; a quoted note spanning two lines counts once.
    with pytest.raises(EventLogError) as caught:
        list(iter_csv(path, MAPPING, batch_bytes=64))
    assert caught.value.line == 37
    assert "horodatage illisible « 2026-13-01T00:35:00Z »" in str(caught.value)


def test_not_utf8_in_a_late_batch_gives_its_physical_line(tmp_path):
    path = tmp_path / "log.csv"
    body = "c,a,t\n" + "".join(f"A,x,2026-01-01T00:00:{n:02d}Z\n" for n in range(30))
    path.write_bytes(body.encode() + "A,Déclaration,2026-01-02\n".encode("latin-1"))
    with pytest.raises(EventLogError) as caught:
        list(iter_csv(path, MAPPING, batch_bytes=50))
    assert caught.value.line == 32 and "UTF-8" in str(caught.value)


def test_a_header_alone_checks_columns_then_says_no_event(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("c,a,t", encoding="utf-8")
    with pytest.raises(EventLogError, match="aucun événement"):
        list(iter_csv(path, MAPPING))
    with pytest.raises(EventLogError, match="Colonne « x »"):
        list(iter_csv(path, ColumnMapping(case="x", activity="a", timestamp="t")))


@pytest.mark.django_db
def test_store_batches_writes_one_file_and_the_counts(tmp_path, organization, settings):
    path = tmp_path / "log.csv"
    path.write_text(_rows(50), encoding="utf-8")
    log = EventLog.objects.create(organization=organization, name="Flux")
    store_batches(log, iter_csv(path, MAPPING, batch_bytes=64))
    log.refresh_from_db()
    assert (log.n_events, log.n_cases, log.n_activities) == (50, 7, 4)
    assert log.first_event_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert_frame_equal(load_frame(log), read_csv(path, MAPPING))


@pytest.mark.django_db
def test_a_bad_late_batch_stores_nothing(tmp_path, organization, settings):
    path = tmp_path / "log.csv"
    path.write_text(_rows(40).replace("2026-01-01T00:35:00Z", "hier"), encoding="utf-8")
    log = EventLog.objects.create(organization=organization, name="Flux")
    stored = []
    with pytest.raises(EventLogError):
        store_batches(
            log, iter_csv(path, MAPPING, batch_bytes=64), on_batch=lambda: stored.append(1)
        )
    assert len(stored) > 3  # earlier batches were written to the partial file, then removed
    log.refresh_from_db()
    assert log.data_path == "" and log.n_events == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
