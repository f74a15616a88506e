"""Reads of kept event logs, volumes, surveys and the recorded sample, checked against who asks.

Everything belongs to an organization; a log of another organization (or a malformed id) is
not found, like a designed journey.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import polars as pl
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.journeys import eventlogs
from relais.journeys.access import ensure_journey_permission
from relais.journeys.models import EventLog, EventLogStatus
from relais.journeys.models_observed import ChannelVolume, SampleContact, StepSurvey
from relais.journeys.permissions import Permission

PREVIEW_ROWS = 10
# A preview reads the start of the file only: enough for the header and the first rows.
PREVIEW_BYTES = 1024 * 1024


def log_list(*, user, organization, deleted: bool = False) -> QuerySet[EventLog]:
    """The organization's logs (or those in its bin), newest first."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    logs = EventLog.objects.filter(organization=organization)
    logs = logs.filter(deleted_at__isnull=not deleted)
    return logs.select_related("created_by", "job").order_by("-created_at", "-id")


def log_ready_list(*, user, organization) -> QuerySet[EventLog]:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return EventLog.objects.filter(organization=organization).ready().order_by("name", "id")


def log_get(
    *, user, organization, public_id, deleted: bool = False, permission: str | None = None
) -> EventLog:
    """One log of the organization (``NotFound`` otherwise)."""
    ensure_journey_permission(user, permission or Permission.JOURNEYS_VIEW, organization)
    key = public_id_or_not_found(public_id, _("Journal introuvable."))
    log = (
        EventLog.objects.filter(
            organization=organization, public_id=key, deleted_at__isnull=not deleted
        )
        .select_related("job", "created_by", "organization")
        .first()
    )
    if log is None:
        raise NotFound(_("Journal introuvable."))
    return log


def log_get_ready(*, user, organization, public_id) -> EventLog:
    log = log_get(user=user, organization=organization, public_id=public_id)
    if log.status != EventLogStatus.READY:
        raise NotFound(_("Ce journal n'est pas prêt."))
    return log


# --- Preview of an upload ---------------------------------------------------------------------


@dataclass
class Preview:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    error: str = ""
    separator: str | None = None


def log_upload_preview(log: EventLog) -> Preview:
    """The columns and first rows of a pending log's uploaded file (its start only)."""
    if not log.upload_path:
        return Preview(columns=[], error=_("Le fichier importé n'est plus disponible."))
    path = Path(settings.MEDIA_ROOT) / log.upload_path
    fmt = eventlogs.log_format(path)
    try:
        if fmt in ("csv", "csv.gz"):
            return _csv_preview(path)
        if fmt in ("xes", "xes.gz"):
            return _xes_preview(path)
        return _parquet_preview(path)
    except (OSError, EOFError, ValueError, pl.exceptions.PolarsError) as error:
        return Preview(columns=[], error=_("Fichier illisible : %(error)s") % {"error": error})


def _head(path: Path) -> bytes:
    with path.open("rb") as raw:
        magic = raw.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rb") as handle:
        return handle.read(PREVIEW_BYTES)


def _csv_preview(path: Path) -> Preview:
    data = _head(path)
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    end = data.rfind(b"\n")
    if end > 0:
        data = data[: end + 1]  # whole lines only
    separator = eventlogs._sniff_separator(data)
    text = data.decode("utf-8", errors="replace")
    frame = pl.read_csv(
        io.StringIO(text), separator=separator, infer_schema=False, n_rows=PREVIEW_ROWS
    )
    return Preview(
        columns=frame.columns,
        rows=[[("" if v is None else str(v)) for v in row] for row in frame.iter_rows()],
        separator=separator,
    )


def _parquet_preview(path: Path) -> Preview:
    frame = pl.scan_parquet(path).head(PREVIEW_ROWS).collect()
    return Preview(
        columns=frame.columns,
        rows=[[("" if v is None else str(v)) for v in row] for row in frame.iter_rows()],
    )


class _Enough(Exception):
    pass


def _xes_preview(path: Path) -> Preview:
    """The first events of an XES file (trace attributes as ``case:<key>``)."""
    rows: list[dict[str, str]] = []
    trace: dict[str, str] = {}
    where = {"trace": False, "event": None}

    def start(name, attrs):
        name = name.rsplit(":", 1)[-1]
        if name == "trace":
            where["trace"] = True
            trace.clear()
        elif name == "event":
            where["event"] = {}
        elif "key" in attrs and where["event"] is not None:
            where["event"][attrs["key"]] = attrs.get("value", "")
        elif "key" in attrs and where["trace"]:
            trace["case:" + attrs["key"]] = attrs.get("value", "")

    def end(name):
        name = name.rsplit(":", 1)[-1]
        if name == "event" and where["event"] is not None:
            rows.append({**trace, **where["event"]})
            where["event"] = None
            if len(rows) >= PREVIEW_ROWS:
                raise _Enough
        elif name == "trace":
            where["trace"] = False

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(_head(path), False)
    except _Enough:
        pass
    except expat.ExpatError:
        if not rows:
            raise ValueError(_("XML invalide.")) from None
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return Preview(columns=columns, rows=[[row.get(c, "") for c in columns] for row in rows])


# --- Volumes, surveys, sample -----------------------------------------------------------------


def volumes_list(*, user, organization) -> QuerySet[ChannelVolume]:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return ChannelVolume.objects.filter(organization=organization).order_by("-year", "channel")


def yearly_volumes(*, user, organization, year: int | None = None) -> tuple[int | None, dict]:
    """(year, {channel code: contacts}) of the latest year known (or ``year``)."""
    volumes = volumes_list(user=user, organization=organization)
    if year is None:
        latest = volumes.first()
        if latest is None:
            return None, {}
        year = latest.year
    return year, {v.channel: v.contacts for v in volumes.filter(year=year)}


def surveys_list(*, user, organization) -> QuerySet[StepSurvey]:
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return StepSurvey.objects.filter(organization=organization).order_by(
        "-year", "procedure", "step"
    )


def sample_list(*, user, organization) -> QuerySet[SampleContact]:
    """The recorded contacts (whoever reads journeys; every role that records them does)."""
    ensure_journey_permission(user, Permission.JOURNEYS_VIEW, organization)
    return SampleContact.objects.filter(organization=organization).select_related("recorded_by")


def sample_get(*, user, organization, public_id) -> SampleContact:
    key = public_id_or_not_found(public_id, _("Contact introuvable."))
    contact = sample_list(user=user, organization=organization).filter(public_id=key).first()
    if contact is None:
        raise NotFound(_("Contact introuvable."))
    return contact
