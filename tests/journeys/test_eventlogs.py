"""Event-log readers: the canonical frame, time zones, every format, and clear French errors
with the line (or event) at fault."""

import gzip
from datetime import UTC, datetime

import polars as pl
import pytest

from relais.journeys.eventlogs import (
    XES_MAPPING,
    ColumnMapping,
    EventLogError,
    log_format,
    parse_instants,
    read_event_log,
)
from tests.journeys.logs import BASIC, BASIC_EVENTS, DATA, INTERVALS, write_parquet, write_xes

BASIC_MAPPING = ColumnMapping(case="case", activity="activity", timestamp="timestamp")


def _events(frame: pl.DataFrame) -> list[tuple]:
    return list(frame.select("case_id", "activity", "timestamp").iter_rows())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T10:00:00+01:00", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-03-01 10:00:00+0100", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        ("2024-03-01T10:00:00-05:30", datetime(2024, 3, 1, 15, 30, tzinfo=UTC)),
        ("2024-03-01T10:00:00.123456+02:00", datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2024-03-01T10:00:00.276", datetime(2024, 3, 1, 10, 0, 0, 276000, tzinfo=UTC)),
        ("2024-03-01 10:00:00", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        ("2024-03-01T10:00", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        ("2024-03-01", datetime(2024, 3, 1, 0, 0, tzinfo=UTC)),
        (" 2024-03-01T10:00:00+01:00 ", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
    ],
    ids=[
        "offset-colon",
        "offset-compact-space",
        "zulu",
        "negative-half-hour",
        "microseconds",
        "milliseconds-naive-is-utc",
        "naive-space-is-utc",
        "no-seconds",
        "date-only",
        "padded",
    ],
)
def test_parse_instants_converts_offsets_and_reads_naive_values_as_utc(text, expected):
    parsed = parse_instants(pl.Series([text]))
    assert parsed.dtype == pl.Datetime("us", "UTC")
    assert parsed.to_list() == [expected]


def test_parse_instants_mixes_offsets_in_one_column_and_leaves_garbage_null():
    parsed = parse_instants(
        pl.Series(["2011-03-27T01:30:00+01:00", "2011-03-27T03:30:00+02:00", "demain", None])
    )
    assert parsed.to_list() == [
        datetime(2011, 3, 27, 0, 30, tzinfo=UTC),
        datetime(2011, 3, 27, 1, 30, tzinfo=UTC),
        None,
        None,
    ]


@pytest.mark.parametrize(
    "values",
    [
        ["2024-01-01T10:00:00+02:00", "2024-01-01T10:00:00"],
        ["2024-01-01T10:00:00", "2024-01-01T10:00:00+02:00"],
    ],
    ids=["offset-first", "naive-first"],
)
def test_parse_instants_with_and_without_offsets_in_one_column(values):
    parsed = dict(zip(values, parse_instants(pl.Series(values)).to_list(), strict=True))
    assert parsed == {
        "2024-01-01T10:00:00+02:00": datetime(2024, 1, 1, 8, 0, tzinfo=UTC),
        "2024-01-01T10:00:00": datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
    }


def test_csv_gives_the_canonical_frame_in_file_order():
    frame = read_event_log(BASIC, BASIC_MAPPING)
    # an unmapped column named like a canonical one keeps its values under attr:<name>
    assert frame.columns == [
        "case_id",
        "activity",
        "timestamp",
        "position",
        "attr:channel",
        "segment",
    ]
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert _events(frame) == [(c, a, t) for c, a, t, _ch, _s in BASIC_EVENTS]
    assert frame.get_column("position").to_list() == list(range(len(BASIC_EVENTS)))


def test_mapping_names_channel_and_resource_and_chooses_attributes():
    mapping = ColumnMapping(
        case="case",
        activity="activity",
        timestamp="timestamp",
        channel="channel",
        resource="segment",
        attributes=(),
    )
    frame = read_event_log(BASIC, mapping)
    assert frame.columns == ["case_id", "activity", "timestamp", "channel", "resource", "position"]
    assert frame.row(0) == (
        "B",
        "Appel",
        datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        "téléphone",
        "artiste",
        0,
    )


def test_attribute_named_like_a_canonical_column_is_renamed(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("dossier,quoi,quand,activity\nA,Dépôt,2024-01-01,x\n", encoding="utf-8")
    frame = read_event_log(path, ColumnMapping(case="dossier", activity="quoi", timestamp="quand"))
    assert frame.get_column("activity").to_list() == ["Dépôt"]
    assert frame.get_column("attr:activity").to_list() == ["x"]


def test_semicolon_csv_with_start_timestamps():
    mapping = ColumnMapping(
        case="case", activity="activity", timestamp="end", start_timestamp="start"
    )
    frame = read_event_log(INTERVALS, mapping)
    assert frame.height == 7
    assert frame.row(3, named=True)["start_timestamp"] == datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    assert frame.row(3, named=True)["timestamp"] == datetime(2024, 1, 10, 12, 45, tzinfo=UTC)


def test_gzip_csv_reads_the_same_events(tmp_path):
    path = tmp_path / "basic.csv.gz"
    path.write_bytes(gzip.compress(BASIC.read_bytes()))
    assert read_event_log(path, BASIC_MAPPING).equals(read_event_log(BASIC, BASIC_MAPPING))


@pytest.mark.parametrize("compress", [False, True], ids=["xes", "xes-gz"])
def test_xes_reads_the_same_events_with_trace_attributes(tmp_path, compress):
    path = write_xes(tmp_path / ("log.xes.gz" if compress else "log.xes"), compress=compress)
    frame = read_event_log(path, XES_MAPPING)
    by_case = sorted(
        ((c, a, t) for c, a, t, _ch, _s in BASIC_EVENTS), key=lambda e: "BACDE".index(e[0])
    )
    assert _events(frame) == by_case  # traces in file order, events in trace order
    segments = dict(frame.select("case_id", "case:segment").unique().iter_rows())
    assert segments == {
        "A": "artiste",
        "B": "artiste",
        "C": "diffuseur",
        "D": "diffuseur",
        "E": "diffuseur",
    }
    assert frame.get_column("attr:channel").to_list()[:2] == ["téléphone", "web"]


def test_parquet_with_typed_time_zoned_instants(tmp_path):
    path = write_parquet(tmp_path / "log.parquet")
    frame = read_event_log(path, BASIC_MAPPING)
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert _events(frame) == [(c, a, t) for c, a, t, _ch, _s in BASIC_EVENTS]


def test_parquet_numeric_case_ids_become_text(tmp_path):
    path = tmp_path / "ids.parquet"
    pl.DataFrame(
        {"case": [10, 9], "activity": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"]}
    ).write_parquet(path)
    frame = read_event_log(path, BASIC_MAPPING)
    assert frame.get_column("case_id").to_list() == ["10", "9"]


# --- Errors -----------------------------------------------------------------------------------


def _error(path, mapping=BASIC_MAPPING) -> EventLogError:
    with pytest.raises(EventLogError) as caught:
        read_event_log(path, mapping)
    return caught.value


def test_missing_column_is_named_with_the_columns_present():
    error = _error(BASIC, ColumnMapping(case="dossier", activity="activity", timestamp="timestamp"))
    assert "Colonne « dossier » (identifiant de dossier) absente" in str(error)
    assert "case, activity, timestamp, channel, segment" in str(error)
    assert error.line is None


def test_unparsable_timestamp_gives_its_line_and_value():
    error = _error(
        DATA / "bad_timestamp.csv",
        ColumnMapping(case="dossier", activity="activite", timestamp="horodatage"),
    )
    assert error.line == 3
    assert str(error) == (
        "Ligne 3 : horodatage illisible « 2024-03-32T09:00:00Z » (colonne « horodatage »)."
    )


def test_empty_case_id_gives_its_line():
    error = _error(
        DATA / "empty_case.csv",
        ColumnMapping(case="dossier", activity="activite", timestamp="horodatage"),
    )
    assert error.line == 3
    assert "identifiant de dossier vide" in str(error)


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("c,a,t\nA,x,2024-01-01\nA,,2024-01-02\n", 3, "activité vide"),
        ("c,a,t\nA,x,2024-01-01\nA,y,2024-01-02\nB,z,\n", 4, "horodatage vide"),
        ("c,a,t\n  ,x,2024-01-01\n", 2, "identifiant de dossier vide"),
    ],
    ids=["empty-activity", "empty-timestamp", "blank-case"],
)
def test_empty_values_give_their_line(tmp_path, content, line, words):
    path = tmp_path / "log.csv"
    path.write_text(content, encoding="utf-8")
    error = _error(path, ColumnMapping(case="c", activity="a", timestamp="t"))
    assert error.line == line
    assert words in str(error)


def test_empty_start_timestamp_is_refused(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("c,a,s,t\nA,x,,2024-01-01\n", encoding="utf-8")
    error = _error(path, ColumnMapping(case="c", activity="a", timestamp="t", start_timestamp="s"))
    assert (error.line, error.message) == (2, "horodatage de début vide (colonne « s »).")


def test_not_utf8_gives_the_line(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes("c,a,t\nA,x,2024-01-01\nA,Déclaration,2024-01-02\n".encode("latin-1"))
    error = _error(path, ColumnMapping(case="c", activity="a", timestamp="t"))
    assert error.line == 3
    assert "UTF-8" in str(error)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("log.txt", b"x", "Format de fichier non reconnu"),
        ("log.csv", b"", "Le fichier est vide."),
        ("log.csv.gz", b"\x1f\x8b\x08\x00pas du gzip", "archive gzip corrompue"),
        ("log.parquet", b"PAR1 pas du parquet", "Fichier Parquet illisible"),
        ("log.xes", b"<log><trace><event></trace></log>", "XML invalide"),
        ("log.xes", b'<log><string key="a" value="b"/></log>', "aucun événement"),
        (
            "log.xes",
            b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x "xx">]><log>&x;</log>',
            "DTD et entités XML sont refusées",
        ),
    ],
    ids=["extension", "empty", "gzip", "parquet", "xml", "no-event", "entities"],
)
def test_unreadable_files_raise_a_french_message(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert words in str(_error(path, XES_MAPPING if "xes" in name else BASIC_MAPPING))


def test_missing_file():
    assert "Fichier introuvable" in str(_error(DATA / "absent.csv"))


def test_xes_error_gives_the_event_number(tmp_path):
    path = write_xes(tmp_path / "log.xes")
    text = path.read_text(encoding="utf-8").replace("2024-03-01T10:00:00+01:00", "hier", 1)
    path.write_text(text, encoding="utf-8")
    error = _error(path, XES_MAPPING)
    assert (error.event, error.line) == (1, None)
    assert str(error).startswith("Événement n° 1 : horodatage illisible « hier »")


def test_log_format_from_the_extension():
    assert [log_format(n) for n in ("a.CSV", "a.csv.gz", "a.xes", "a.XES.GZ", "a.parquet")] == [
        "csv",
        "csv.gz",
        "xes",
        "xes.gz",
        "parquet",
    ]
