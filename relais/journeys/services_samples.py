"""Low-data mode: the body's yearly channel volumes and survey results (small CSV imports),
the contacts staff record by hand for a few weeks, and that sample as an event log.

CSV files (UTF-8, header first, comma or semicolon):

* volumes — ``annee,canal,contacts`` (``canal``: a channel code such as ``phone`` or its
  French label such as « Téléphone »; ``contacts``: a whole number, spaces allowed);
* surveys — ``annee,demarche,etape,repondants,satisfaction[,commentaire]`` (``satisfaction``:
  the mean mark out of 10, decimal comma or point).

An import is all or nothing: the first bad line is reported in French with its number and
nothing is written; a line for a (year, channel) — or (year, procedure, step) — already known
replaces it.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.text import fold_words
from relais.journeys.access import ensure_can_edit, ensure_journey_permission
from relais.journeys.eventlogs import ColumnMapping, to_canonical
from relais.journeys.models import Channel, EventLog, EventLogSource
from relais.journeys.models_observed import (
    ChannelVolume,
    Demand,
    FailureKind,
    SampleContact,
    StepSurvey,
)
from relais.journeys.permissions import Permission
from relais.journeys.services_logs import log_store_frame

SMALL_CSV_MAX_BYTES = 1024 * 1024
VOLUME_COLUMNS = ("annee", "canal", "contacts")
SURVEY_COLUMNS = ("annee", "demarche", "etape", "repondants", "satisfaction")


def _rows(data: bytes, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by folded header) of a small CSV; French errors with the line."""
    if len(data) > SMALL_CSV_MAX_BYTES:
        raise ValidationError(_("Le fichier dépasse 1 Mo."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            _("Ligne %(line)s : le fichier n'est pas encodé en UTF-8.") % {"line": line}
        ) from None
    if not text.strip():
        raise ValidationError(_("Le fichier est vide."))
    header_line = text.split("\n", 1)[0]
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    header = [fold_words(name).replace(" ", "_") for name in next(reader)]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            _("Colonne « %(column)s » absente de l'en-tête (attendu : %(expected)s).")
            % {"column": missing[0], "expected": ", ".join(required)}
        )
    out = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise ValidationError(
                _("Ligne %(line)s : %(found)s valeurs pour %(expected)s colonnes.")
                % {"line": reader.line_num, "found": len(values), "expected": len(header)}
            )
        out.append((reader.line_num, dict(zip(header, (v.strip() for v in values), strict=True))))
    if not out:
        raise ValidationError(_("Le fichier ne contient aucune ligne de données."))
    return out


def _line_error(line: int, message: str) -> ValidationError:
    return ValidationError(_("Ligne %(line)s : %(message)s") % {"line": line, "message": message})


def _whole(line: int, value: str, label: str, *, low: int = 0, high: int | None = None) -> int:
    cleaned = value.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if not cleaned.isdigit():
        raise _line_error(
            line,
            _("%(label)s « %(value)s » n'est pas un nombre entier.")
            % {"label": label, "value": value[:40]},
        )
    number = int(cleaned)
    if number < low or (high is not None and number > high):
        raise _line_error(
            line, _("%(label)s hors limites : %(value)s.") % {"label": label, "value": number}
        )
    return number


def _channel(line: int, value: str) -> str:
    wanted = fold_words(value)
    for code, label in Channel.choices:
        if wanted in (fold_words(code), fold_words(str(label))):
            return code
    raise _line_error(
        line,
        _("canal « %(value)s » inconnu (attendu : %(expected)s).")
        % {"value": value[:40], "expected": ", ".join(code for code, _label in Channel.choices)},
    )


def volumes_import(*, actor, organization, data: bytes) -> int:
    """Import yearly channel volumes (see the module docstring); returns the lines read."""
    ensure_can_edit(actor, organization)
    parsed = []
    for line, row in _rows(data, VOLUME_COLUMNS):
        year = _whole(line, row["annee"], _("Année"), low=2000, high=2100)
        parsed.append(
            (year, _channel(line, row["canal"]), _whole(line, row["contacts"], _("Contacts")))
        )
    with transaction.atomic():
        for year, channel, contacts in parsed:
            ChannelVolume.objects.update_or_create(
                organization=organization,
                year=year,
                channel=channel,
                defaults={"contacts": contacts},
            )
        audit_log(
            actor=actor,
            action="journeys.volumes.import",
            target=organization,
            after={"lines": len(parsed)},
        )
    return len(parsed)


def surveys_import(*, actor, organization, data: bytes) -> int:
    """Import survey results per step (see the module docstring); returns the lines read."""
    ensure_can_edit(actor, organization)
    parsed = []
    for line, row in _rows(data, SURVEY_COLUMNS):
        year = _whole(line, row["annee"], _("Année"), low=2000, high=2100)
        procedure, step = row["demarche"][:160], row["etape"][:160]
        if not procedure or not step:
            raise _line_error(line, _("la démarche et l'étape sont obligatoires."))
        respondents = _whole(line, row["repondants"], _("Répondants"))
        try:
            satisfaction = float(row["satisfaction"].replace(",", "."))
        except ValueError:
            raise _line_error(
                line,
                _("satisfaction « %(value)s » illisible.") % {"value": row["satisfaction"][:40]},
            ) from None
        if not 0 <= satisfaction <= 10:
            raise _line_error(line, _("la satisfaction est une note entre 0 et 10."))
        parsed.append(
            (year, procedure, step, respondents, satisfaction, row.get("commentaire", "")[:500])
        )
    with transaction.atomic():
        for year, procedure, step, respondents, satisfaction, comment in parsed:
            StepSurvey.objects.update_or_create(
                organization=organization,
                year=year,
                procedure=procedure,
                step=step,
                defaults={
                    "respondents": respondents,
                    "satisfaction": satisfaction,
                    "comment": comment,
                },
            )
        audit_log(
            actor=actor,
            action="journeys.surveys.import",
            target=organization,
            after={"lines": len(parsed)},
        )
    return len(parsed)


# --- The recorded sample ----------------------------------------------------------------------


@transaction.atomic
def sample_record(
    *,
    actor,
    organization,
    channel: str,
    reason: str,
    demand: str,
    failure_kind: str = "",
    procedure: str = "",
    step: str = "",
    case_reference: str = "",
    contacted_at: datetime | None = None,
) -> SampleContact:
    """Record one contact of the sample (low-data mode). A failure needs its kind; a value
    contact has none."""
    ensure_journey_permission(actor, Permission.JOURNEYS_SAMPLE, organization)
    sample = SampleContact(
        organization=organization,
        contacted_at=contacted_at or timezone.now(),
        channel=channel,
        reason=(reason or "").strip(),
        demand=demand,
        failure_kind=failure_kind if demand == Demand.FAILURE else "",
        procedure=(procedure or "").strip(),
        step=(step or "").strip(),
        case_reference=(case_reference or "").strip(),
        recorded_by=actor,
    )
    errors = {}
    if not sample.reason:
        errors["reason"] = _("Notez le motif du contact, dans les mots de l'usager.")
    if demand == Demand.FAILURE and not failure_kind:
        errors["failure_kind"] = _("Précisez la nature de l'échec.")
    if errors:
        raise ValidationError(errors)
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def sample_delete(*, actor, contact: SampleContact) -> None:
    """Remove a recorded contact (a slip of the keyboard): its author or an editor."""
    if contact.recorded_by_id != getattr(actor, "pk", None):
        ensure_can_edit(actor, contact.organization)
    contact.delete()


def sample_frame(contacts) -> pl.DataFrame:
    """The recorded contacts as a frame for ``failure_sample.extrapolate``: channel (French
    label), kind (``valeur`` or the failure's label) and demand (``valeur`` / ``échec``)."""
    channel_label = dict(Channel.choices)
    kind_label = dict(FailureKind.choices)
    rows = [
        {
            "channel": str(channel_label.get(c.channel, c.channel)),
            "rule": "valeur"
            if c.demand == Demand.VALUE
            else str(kind_label.get(c.failure_kind, "échec")),
            "demand": "valeur" if c.demand == Demand.VALUE else "échec",
        }
        for c in contacts
    ]
    return pl.DataFrame(rows, schema={"channel": pl.String, "rule": pl.String, "demand": pl.String})


def log_from_sample(*, actor, organization, name: str, contacts) -> EventLog:
    """The recorded sample as a ready event log (source *sample*): one event per contact; the
    case is the file's reference when staff noted one, else the contact itself."""
    contacts = list(contacts)
    if not contacts:
        raise ValidationError(_("Aucun contact relevé : rien à transformer en journal."))
    channel_label = dict(Channel.choices)
    kind_label = dict(FailureKind.choices)
    raw = pl.DataFrame(
        {
            "case": [c.case_reference or f"contact-{c.public_id}" for c in contacts],
            "activity": [
                (f"{c.procedure} — {c.step}" if c.step else c.procedure)
                or str(kind_label.get(c.failure_kind, _("Contact")))
                for c in contacts
            ],
            "timestamp": [c.contacted_at for c in contacts],
            "channel": [c.channel for c in contacts],
            "reason": [c.reason for c in contacts],
            "demand": ["valeur" if c.demand == Demand.VALUE else "échec" for c in contacts],
            "failure_kind": [str(kind_label.get(c.failure_kind, "")) for c in contacts],
            "channel_label": [str(channel_label.get(c.channel, c.channel)) for c in contacts],
            "procedure": [c.procedure for c in contacts],
        },
        schema_overrides={"timestamp": pl.Datetime("us", "UTC")},
    )
    frame = to_canonical(
        raw,
        ColumnMapping(case="case", activity="activity", timestamp="timestamp", channel="channel"),
    )
    return log_store_frame(
        actor=actor,
        organization=organization,
        name=name,
        source=EventLogSource.SAMPLE,
        frame=frame,
        description=_("%(n)s contacts relevés.") % {"n": len(contacts)},
    )
