"""A kept event log's events round-trip through its Parquet file, with counts and period."""

from datetime import UTC, datetime

import polars as pl
import pytest

from relais.journeys.eventlog_store import delete_frame, load_frame, store_frame
from relais.journeys.eventlogs import ColumnMapping, to_canonical
from relais.journeys.models import EventLog

pytestmark = pytest.mark.django_db


def _frame():
    raw = pl.DataFrame(
        {
            "dossier": ["A", "A", "B"],
            "etape": ["Dépôt", "Relance", "Dépôt"],
            "date": ["2026-01-05T09:00:00+01:00", "2026-01-09 10:30", "2026-02-01"],
        }
    )
    return to_canonical(raw, ColumnMapping(case="dossier", activity="etape", timestamp="date"))


def test_a_stored_log_reads_back_the_same_frame_and_knows_its_counts(organization):
    log = EventLog.objects.create(organization=organization, name="Affiliations 2026")
    frame = _frame()
    store_frame(log, frame)
    log.refresh_from_db()
    assert (log.n_events, log.n_cases, log.n_activities) == (3, 2, 2)
    assert log.first_event_at == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert log.last_event_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert load_frame(log).equals(frame)
    assert load_frame(log, columns=["case_id"]).columns == ["case_id"]


def test_a_log_without_events_says_so_in_french_and_deleting_removes_the_file(organization):
    log = EventLog.objects.create(organization=organization, name="Vide")
    with pytest.raises(FileNotFoundError, match="n'a pas d'événements"):
        load_frame(log)
    store_frame(log, _frame())
    delete_frame(log)
    with pytest.raises(FileNotFoundError):
        load_frame(log)
