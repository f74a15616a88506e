"""The interaction log as an event log for journey analytics (process mining), streamed.

Two formats, both generators of text chunks so that a million rows never sit in memory:

- CSV (RFC 4180, comma, UTF-8, header first), one row per touchpoint, with the XES attribute
  names as column names so that process-mining tools map them without help::

      case:concept:name,concept:name,time:timestamp,relais:ended_at,relais:event_label,
      relais:channel,relais:direction,relais:outcome,relais:outcome_label,relais:case_key,
      relais:contact,relais:visitor_key,relais:interaction

- XES (IEEE 1849-2016 XML): one ``<trace>`` per case, its ``<event>`` elements in time order.

The *case* of a touchpoint is its ``case_key``, else the public id of its person, else of its
company, else its visitor key. ``concept:name`` is the stable event code (the display label is
``relais:event_label``); timestamps are ISO 8601 with their offset, in the current time zone.
No free text leaves the log (``topic``, ``summary``): an export for analytics carries the
journey, not what was said.

Feed them ``for_export(queryset).iterator()`` (one query, only the columns written), and for
XES ``by_case(for_export(queryset)).iterator()``; ``manage.py export_interactions`` does.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.db.models import Case as SqlCase
from django.db.models import CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from relais.core.interactions.events import event_label, outcome_label
from relais.core.interactions.models import Interaction

_ATTRIBUTES = (
    "relais:event_label",
    "relais:channel",
    "relais:direction",
    "relais:outcome",
    "relais:outcome_label",
    "relais:case_key",
    "relais:contact",
    "relais:visitor_key",
    "relais:interaction",
)
CSV_COLUMNS = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "relais:ended_at",
    *_ATTRIBUTES,
)

XES_NAMESPACE = "http://www.xes-standard.org/"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def case_of(interaction: Interaction) -> str:
    """The case id of a touchpoint: its case key, else its contact's public id, else its
    visitor key."""
    if interaction.case_key:
        return interaction.case_key
    contact = interaction.person if interaction.person_id else interaction.company
    if contact is not None:
        return str(contact.public_id)
    return interaction.visitor_key


def _group_of(interaction: Interaction) -> tuple:
    """What ``by_case`` sorts on, without reading the contact rows."""
    if interaction.case_key:
        return ("k", interaction.case_key)
    if interaction.person_id:
        return ("p", interaction.person_id)
    if interaction.company_id:
        return ("c", interaction.company_id)
    return ("v", interaction.visitor_key)


_READ = (
    "public_id",
    "event_code",
    "case_key",
    "visitor_key",
    "channel",
    "direction",
    "outcome",
    "started_at",
    "ended_at",
    "person__public_id",
    "company__public_id",
)


def for_export(rows: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """``rows`` with only the columns an export reads (contacts' public ids included): the
    rest of a person's row would cost more to load than the export to write."""
    return rows.select_related("person", "company").only(*_READ)


def by_case(rows: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """``rows`` sorted case by case, each case in time order: what the XES export needs."""
    group = SqlCase(
        When(~Q(case_key=""), then=Concat(Value("k:"), F("case_key"))),
        When(person__isnull=False, then=Concat(Value("p:"), Cast("person_id", CharField()))),
        When(company__isnull=False, then=Concat(Value("c:"), Cast("company_id", CharField()))),
        default=Concat(Value("v:"), F("visitor_key")),
        output_field=CharField(),
    )
    return rows.annotate(export_case=group).order_by("export_case", "started_at", "id")


class _Formatter:
    """One export's time zone and labels, read once: a translation lookup per row would cost
    more than the rest of the row."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.labels: dict[str, str] = {}
        self.outcomes: dict[tuple[str, str], str] = {}

    def timestamp(self, moment) -> str:
        return moment.astimezone(self.zone).isoformat() if moment else ""

    def attributes(self, interaction: Interaction) -> dict[str, str]:
        """The ``relais:`` attributes of a touchpoint, in ``_ATTRIBUTES`` order."""
        code, outcome = interaction.event_code, interaction.outcome
        label = self.labels.get(code)
        if label is None:
            label = self.labels[code] = event_label(code)
        shown = self.outcomes.get((code, outcome))
        if shown is None:
            shown = outcome_label(outcome, event_code=code)
            if len(self.outcomes) < 10_000:  # free-text outcomes would grow it without end
                self.outcomes[code, outcome] = shown
        contact = interaction.person if interaction.person_id else interaction.company
        return {
            "relais:event_label": label,
            "relais:channel": interaction.channel,
            "relais:direction": interaction.direction,
            "relais:outcome": outcome,
            "relais:outcome_label": shown,
            "relais:case_key": interaction.case_key,
            "relais:contact": str(contact.public_id) if contact is not None else "",
            "relais:visitor_key": interaction.visitor_key,
            "relais:interaction": str(interaction.public_id),
        }


ROWS_PER_CHUNK = 200


def export_interactions_csv(rows: Iterable[Interaction]) -> Iterator[str]:
    """The CSV event log of ``rows`` (see the module's docstring), a few hundred lines a chunk.

    ``rows`` is read once, in its own order: pass ``QuerySet.iterator()`` for a large window,
    with ``person`` and ``company`` selected (``interactions_of_workspace`` does)."""
    formatter = _Formatter()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    for count, interaction in enumerate(rows, start=1):
        attributes = formatter.attributes(interaction)
        writer.writerow(
            (
                case_of(interaction),
                interaction.event_code,
                formatter.timestamp(interaction.started_at),
                formatter.timestamp(interaction.ended_at),
                *(attributes[key] for key in _ATTRIBUTES),
            )
        )
        if count % ROWS_PER_CHUNK == 0:
            yield flush()
    yield flush()


def _xml(value: str) -> str:
    """``value`` as an XML attribute value: escaped, without the characters XML forbids."""
    value = _NOT_XML.sub("", str(value))
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _string(key: str, value: str, indent: str) -> str:
    return f'{indent}<string key="{_xml(key)}" value="{_xml(value)}"/>\n'


def _date(key: str, value: str, indent: str) -> str:
    return f'{indent}<date key="{key}" value="{value}"/>\n'


def export_interactions_xes(rows: Iterable[Interaction], *, log_name: str = "") -> Iterator[str]:
    """The XES (IEEE 1849-2016) event log of ``rows``, streamed one trace at a time.

    ``rows`` must come case by case, each case in time order: pass ``by_case(queryset)``
    (``.iterator()`` for a large window). A case met again later would open a second trace.
    """
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<log xes.version="1849-2016" xes.features="" xmlns="{XES_NAMESPACE}">\n'
        '  <extension name="Concept" prefix="concept" '
        'uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '  <global scope="trace">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        "  </global>\n"
        '  <global scope="event">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        '    <date key="time:timestamp" value="1970-01-01T00:00:00+00:00"/>\n'
        "  </global>\n"
        '  <classifier name="Event code" keys="concept:name"/>\n'
        + _string("concept:name", log_name or "relais", "  ")
    )
    formatter = _Formatter()
    current = None
    chunk: list[str] = []
    for count, interaction in enumerate(rows, start=1):
        group = _group_of(interaction)
        if group != current:
            if current is not None:
                chunk.append("  </trace>\n")
            chunk.append("  <trace>\n" + _string("concept:name", case_of(interaction), "    "))
            current = group
        chunk.append("    <event>\n")
        chunk.append(_string("concept:name", interaction.event_code, "      "))
        chunk.append(_date("time:timestamp", formatter.timestamp(interaction.started_at), "      "))
        if interaction.ended_at:
            ended = formatter.timestamp(interaction.ended_at)
            chunk.append(_date("relais:ended_at", ended, "      "))
        for key, value in formatter.attributes(interaction).items():
            if value:
                chunk.append(_string(key, value, "      "))
        chunk.append("    </event>\n")
        if count % ROWS_PER_CHUNK == 0:
            yield "".join(chunk)
            chunk = []
    chunk.append(("  </trace>\n" if current is not None else "") + "</log>\n")
    yield "".join(chunk)


def export_interactions(
    rows: QuerySet[Interaction],
    *,
    format: str,
    log_name: str = "",
    chunk_size: int = 2000,
    progress=None,
) -> Iterator[str]:
    """``rows`` (a window of the log) as CSV or XES text, streamed: the one entry point of the
    export page and of ``manage.py export_interactions``. ``progress`` wraps the row iterator
    (the command's counter)."""
    rows = for_export(rows)
    if format == "xes":
        ordered = by_case(rows).iterator(chunk_size)
        return export_interactions_xes(
            progress(ordered) if progress else ordered, log_name=log_name
        )
    ordered = rows.iterator(chunk_size)
    return export_interactions_csv(progress(ordered) if progress else ordered)
