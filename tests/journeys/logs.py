"""The small hand-checked logs of ``data/`` and writers that turn the same events into XES and
Parquet files (so every format is checked against the same hand-computed values)."""

import gzip
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

DATA = Path(__file__).parent / "data"
BASIC = DATA / "basic.csv"
INTERVALS = DATA / "intervals.csv"
_PLUS_ONE = timezone(timedelta(hours=1))

# basic.csv by hand: (case, activity, instant in UTC, channel, segment), in file order.
BASIC_EVENTS = [
    ("B", "Appel", datetime(2024, 3, 1, 9, 0, tzinfo=UTC), "téléphone", "artiste"),
    ("A", "Dépôt", datetime(2024, 3, 1, 9, 0, tzinfo=UTC), "web", "artiste"),
    ("A", "Relance", datetime(2024, 3, 1, 10, 30, tzinfo=UTC), "téléphone", "artiste"),
    ("A", "Relance", datetime(2024, 3, 1, 10, 30, tzinfo=UTC), "téléphone", "artiste"),
    ("A", "Décision", datetime(2024, 3, 1, 11, 0, 0, 500000, tzinfo=UTC), "courrier", "artiste"),
    ("B", "Dépôt", datetime(2024, 3, 1, 8, 0, tzinfo=UTC), "web", "artiste"),
    ("C", "Dépôt", datetime(2024, 3, 2, 0, 0, tzinfo=UTC), "web", "diffuseur"),
    ("B", "Décision", datetime(2024, 3, 1, 9, 0, tzinfo=UTC), "courrier", "artiste"),
    ("D", "Dépôt", datetime(2024, 3, 4, 8, 0, tzinfo=UTC), "web", "diffuseur"),
    ("D", "Relance", datetime(2024, 3, 4, 8, 30, tzinfo=UTC), "téléphone", "diffuseur"),
    ("E", "Dépôt", datetime(2024, 3, 5, 15, 0, tzinfo=UTC), "web", "diffuseur"),
]


def write_xes(path: Path, events=BASIC_EVENTS, *, compress: bool = False) -> Path:
    """The events as XES, one trace per case (cases in order of first appearance, events in
    file order), timestamps written with a +01:00 offset, the segment as a trace attribute
    written *after* the events of one trace (allowed, and it must still count)."""
    cases: dict[str, list] = {}
    for event in events:
        cases.setdefault(event[0], []).append(event)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">',
        '  <string key="concept:name" value="journal de test"/>',
    ]
    for number, (case, rows) in enumerate(cases.items()):
        lines.append("  <trace>")
        lines.append(f'    <string key="concept:name" value={quoteattr(case)}/>')
        segment = f'    <string key="segment" value={quoteattr(rows[0][4])}/>'
        if number != 1:
            lines.append(segment)
        for _case, activity, instant, channel, _segment in rows:
            local = instant.astimezone(_PLUS_ONE).isoformat()
            lines += [
                "    <event>",
                f'      <string key="concept:name" value={quoteattr(activity)}/>',
                f'      <date key="time:timestamp" value="{local}"/>',
                f'      <string key="channel" value={quoteattr(channel)}/>',
                "    </event>",
            ]
        if number == 1:
            lines.append(segment)
        lines.append("  </trace>")
    lines.append("</log>")
    data = "\n".join(lines).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def write_parquet(path: Path, events=BASIC_EVENTS) -> Path:
    """The events as Parquet with typed columns: the instant as a time-zoned datetime
    (Europe/Paris), the rest as text."""
    import polars as pl

    frame = pl.DataFrame(
        {
            "case": [e[0] for e in events],
            "activity": [e[1] for e in events],
            "timestamp": pl.Series([e[2] for e in events]).dt.convert_time_zone("Europe/Paris"),
            "channel": [e[3] for e in events],
            "segment": [e[4] for e in events],
        }
    )
    frame.write_parquet(path)
    return path
