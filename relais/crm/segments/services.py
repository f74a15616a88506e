"""Segment actions: save, rename, duplicate, delete, export. Each checks the actor's role in
the segment's workspace and validates the definition before anything is written."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.downloads import csv_content, csv_safe, xlsx_content
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_start
from relais.core.workspaces.models import Workspace
from relais.crm.models import Segment
from relais.crm.permissions import Permission
from relais.crm.segments.definition import validate_definition
from relais.crm.segments.query import segment_queryset
from relais.crm.services.exports import _columns as customer_columns

EXPORT_JOB_KIND = "crm.segment_export"
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Up to this many rows the file is built while the user waits; beyond, a background job.
INLINE_EXPORT_MAX = 2000
CHUNK_SIZE = 500
NAME_MAX = 120


@dataclass(frozen=True)
class SegmentExport:
    content: bytes
    rows: int
    filename: str
    content_type: str


def _clean_name(name: str, *, workspace: Workspace, exclude: Segment | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au segment.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("%(max)s caractères au plus.") % {"max": NAME_MAX}})
    taken = Segment.objects.in_workspace(workspace).filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            {"name": _("Un segment porte déjà ce nom dans cet espace : choisissez-en un autre.")}
        )
    return name


def _clean_definition(definition) -> dict:
    try:
        return validate_definition(definition)
    except ValidationError as exc:
        raise ValidationError({"definition": exc.messages}) from exc


@transaction.atomic
def segment_create(
    *, actor, workspace: Workspace, name: str, description: str = "", definition
) -> Segment:
    """Save a new segment in ``workspace``, owned by ``actor``."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    segment = Segment.objects.create(
        workspace=workspace,
        name=_clean_name(name, workspace=workspace),
        description=(description or "").strip(),
        definition=_clean_definition(definition),
        owner=actor,
    )
    audit_log(actor=actor, action="segment.create", target=segment)
    return segment


@transaction.atomic
def segment_update(
    *, actor, segment: Segment, name: str, description: str = "", definition
) -> Segment:
    """Change a segment's name, description and conditions."""
    ensure_permission(actor, Permission.CRM_EDIT, segment.workspace)
    before = {
        "name": segment.name,
        "description": segment.description,
        "definition": segment.definition,
    }
    segment.name = _clean_name(name, workspace=segment.workspace, exclude=segment)
    segment.description = (description or "").strip()
    segment.definition = _clean_definition(definition)
    segment.save()
    after = {
        "name": segment.name,
        "description": segment.description,
        "definition": segment.definition,
    }
    audit_log(
        actor=actor,
        action="segment.update",
        target=segment,
        before={key: value for key, value in before.items() if value != after[key]},
        after={key: value for key, value in after.items() if value != before[key]},
    )
    return segment


@transaction.atomic
def segment_rename(
    *, actor, segment: Segment, name: str, description: str | None = None
) -> Segment:
    """Rename a segment (and change its description when one is given)."""
    ensure_permission(actor, Permission.CRM_EDIT, segment.workspace)
    before = segment.name
    segment.name = _clean_name(name, workspace=segment.workspace, exclude=segment)
    if description is not None:
        segment.description = description.strip()
    segment.save()
    audit_log(
        actor=actor,
        action="segment.rename",
        target=segment,
        before={"name": before},
        after={"name": segment.name},
    )
    return segment


@transaction.atomic
def segment_duplicate(*, actor, segment: Segment) -> Segment:
    """A copy of ``segment`` named « Copie de … » (numbered if that name is taken)."""
    ensure_permission(actor, Permission.CRM_EDIT, segment.workspace)
    base = _("Copie de %(name)s") % {"name": segment.name}
    base = base[:NAME_MAX]
    taken = set(
        Segment.objects.in_workspace(segment.workspace)
        .filter(name__istartswith=base[:100])
        .values_list("name", flat=True)
    )
    taken = {name.lower() for name in taken}
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: NAME_MAX - len(suffix)] + suffix
        number += 1
    copy = Segment.objects.create(
        workspace=segment.workspace,
        name=name,
        description=segment.description,
        definition=segment.definition,
        owner=actor,
    )
    audit_log(actor=actor, action="segment.duplicate", target=copy, before={"from": segment.name})
    return copy


@transaction.atomic
def segment_delete(*, actor, segment: Segment) -> None:
    """Delete a saved segment (its customers are untouched)."""
    ensure_permission(actor, Permission.CRM_EDIT, segment.workspace)
    audit_log(
        actor=actor,
        action="segment.delete",
        target=segment,
        before={"name": segment.name, "definition": segment.definition},
    )
    segment.delete()


# --- export ------------------------------------------------------------------------------


def _members(segment: Segment, today: datetime.date | None = None):
    """The segment's customers; a clear French ``ValidationError`` when its saved conditions
    no longer validate (a field removed since, a definition edited by hand)."""
    try:
        return segment_queryset(segment.definition, workspace=segment.workspace, today=today)
    except ValidationError as exc:
        raise ValidationError(
            _(
                "Les conditions enregistrées du segment « %(name)s » ne sont plus valides "
                "(%(reason)s) : modifiez le segment, puis exportez-le de nouveau."
            )
            % {
                "name": segment.name,
                "reason": " ; ".join(m.rstrip(".") for m in exc.messages[:3]),
            }
        ) from exc


def export_filename(segment: Segment, fmt: str) -> str:
    slug = slugify(segment.name)[:60] or "segment"
    return f"segment-{slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def segment_export(
    *,
    actor,
    segment: Segment,
    fmt: str,
    today: datetime.date | None = None,
    progress: JobProgress | None = None,
) -> SegmentExport:
    """The segment's customers, in its order, as CSV (French Excel: UTF-8 with BOM, ``;``) or
    xlsx; cells a spreadsheet would run as formulas are neutralised."""
    ensure_permission(actor, Permission.CRM_VIEW, segment.workspace)
    return segment_export_file(segment=segment, fmt=fmt, today=today, progress=progress)


def segment_export_file(
    *, segment: Segment, fmt: str, today: datetime.date | None = None, progress=None
) -> SegmentExport:
    """The export itself, without an access check: for ``segment_export`` and for the
    ``export_segment`` command (run by whoever administers the server). ``progress`` has
    ``start(total)`` and ``advance(n)``, like ``JobProgress``."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Format d'export inconnu : choisissez CSV ou Excel (xlsx)."))
    customers = _members(segment, today).select_related("person", "company", "owner")
    total = customers.count()
    if progress is not None:
        progress.start(total)
    columns = customer_columns()
    headers = [header for header, _value in columns]

    count = 0

    def rows():
        nonlocal count
        yield headers
        for customer in customers.iterator(chunk_size=CHUNK_SIZE):
            yield [csv_safe(value(customer)) for _header, value in columns]
            count += 1
            if progress is not None:
                progress.advance(1)

    if fmt == "csv":
        content = csv_content(rows())
    else:
        content = xlsx_content(rows(), sheet_title=_("Clients"))
    return SegmentExport(
        content=content,
        rows=count,
        filename=export_filename(segment, fmt),
        content_type=EXPORT_FORMATS[fmt],
    )


@transaction.atomic
def segment_export_start(*, actor, segment: Segment, fmt: str) -> Job:
    """Queue the export of a large segment as a background job with progress."""
    ensure_permission(actor, Permission.CRM_VIEW, segment.workspace)
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Format d'export inconnu : choisissez CSV ou Excel (xlsx)."))
    return job_start(
        actor=actor,
        workspace=segment.workspace,
        kind=EXPORT_JOB_KIND,
        label=_("Export %(format)s du segment « %(name)s »")
        % {"format": fmt.upper(), "name": segment.name},
        params={"segment_pk": segment.pk, "fmt": fmt},
    )


def segment_export_is_large(*, actor, segment: Segment) -> bool:
    ensure_permission(actor, Permission.CRM_VIEW, segment.workspace)
    return _members(segment)[: INLINE_EXPORT_MAX + 1].count() > INLINE_EXPORT_MAX


def segment_export_request(*, actor, segment: Segment, fmt: str) -> SegmentExport | Job:
    """The export the user asked for: the file itself for a small segment, the queued
    background job for a large one."""
    if segment_export_is_large(actor=actor, segment=segment):
        return segment_export_start(actor=actor, segment=segment, fmt=fmt)
    return segment_export(actor=actor, segment=segment, fmt=fmt)
