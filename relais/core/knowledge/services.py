"""Writing the knowledge base: create, edit, publish (validate), retract, archive.

A validation vouches for one text: ``text_hash`` records the SHA-256 of the normalised question
and answer when an entry is published, and an edit that changes them suspends the entry until
someone validates it again (the previous validator and date stay, as history). Every write is
audited and keeps the full-text index in step.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log, snapshot
from relais.core.exceptions import NotFound
from relais.core.knowledge.access import ensure_entry_access, ensure_organization_access
from relais.core.knowledge.models import Entry
from relais.core.knowledge.permissions import Permission
from relais.core.knowledge.search import ENTRY_INDEX
from relais.core.workspaces.selectors import workspaces_for_user

EDITABLE_FIELDS = (
    "question",
    "answer",
    "answer_format",
    "tags",
    "origin",
    "origin_app",
    "origin_ref",
    "source_text",
    "source_url",
    "review_date",
)


def _save(entry: Entry) -> None:
    entry.full_clean()
    entry.save()
    ENTRY_INDEX.index([entry])


@transaction.atomic
def entry_create(
    *,
    user,
    organization,
    question: str,
    answer: str,
    workspace=None,
    answer_format: str = Entry.Format.MARKDOWN,
    tags: str = "",
    origin: str = Entry.Origin.ARTICLE,
    origin_app: str = "",
    origin_ref: str = "",
    source_text: str = "",
    source_url: str = "",
    review_date: date | None = None,
) -> Entry:
    """Create a draft entry in ``organization``'s base (limited to ``workspace`` if given)."""
    ensure_organization_access(user, organization, Permission.KNOWLEDGE_EDIT)
    if workspace is not None and (
        workspace.organization_id != organization.pk
        or not workspaces_for_user(user=user).filter(pk=workspace.pk).exists()
    ):
        raise NotFound(_("Espace de travail introuvable."))
    entry = Entry(
        organization=organization,
        workspace=workspace,
        question=question.strip(),
        answer=answer.strip(),
        answer_format=answer_format,
        tags=tags.strip(),
        origin=origin,
        origin_app=origin_app,
        origin_ref=origin_ref,
        source_text=source_text.strip(),
        source_url=source_url.strip(),
        review_date=review_date,
        status=Entry.Status.DRAFT,
        created_by=user,
    )
    _save(entry)
    audit_log(actor=user, action="knowledge.entry.create", target=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def entry_update(*, user, entry: Entry, **changes) -> Entry:
    """Change the entry's text or metadata (fields of ``EDITABLE_FIELDS``).

    On a validated entry, a change of the question or the answer (its normalised hash) suspends
    the entry: it needs a new validation. The validator and date stay, as history.
    """
    ensure_entry_access(user, entry, Permission.KNOWLEDGE_EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"entry_update() got unexpected fields: {', '.join(sorted(unknown))}")
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    before = snapshot(entry)
    for field, value in changes.items():
        setattr(entry, field, value.strip() if isinstance(value, str) else value)
    if entry.status == Entry.Status.VALIDATED and entry.current_hash != entry.text_hash:
        entry.status = Entry.Status.SUSPENDED
        entry.status_reason = _("Texte modifié après sa validation : à valider de nouveau.")
    _save(entry)
    audit_log(
        actor=user,
        action="knowledge.entry.update",
        target=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def entry_publish(*, user, entry: Entry) -> Entry:
    """Validate the entry as it reads now: validator, date and text hash are recorded."""
    ensure_entry_access(user, entry, Permission.KNOWLEDGE_VALIDATE)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == Entry.Status.ARCHIVED:
        raise ValidationError(_("Une entrée archivée ne peut plus être publiée."))
    if entry.status == Entry.Status.VALIDATED and entry.current_hash == entry.text_hash:
        raise ValidationError(_("Cette entrée est déjà validée."))
    before = snapshot(entry)
    entry.status = Entry.Status.VALIDATED
    entry.status_reason = ""
    entry.validated_by = user
    entry.validated_at = timezone.now()
    entry.text_hash = entry.current_hash
    _save(entry)
    audit_log(
        actor=user,
        action="knowledge.entry.publish",
        target=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def entry_retract(*, user, entry: Entry, reason: str, archive: bool = False) -> Entry:
    """Withdraw the entry from search: suspended (may be validated again) or archived (final).

    A reason is required; it is shown to editors and kept in the audit log.
    """
    ensure_entry_access(user, entry, Permission.KNOWLEDGE_VALIDATE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du retrait.")})
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == Entry.Status.ARCHIVED:
        raise ValidationError(_("Cette entrée est déjà archivée."))
    before = snapshot(entry)
    entry.status = Entry.Status.ARCHIVED if archive else Entry.Status.SUSPENDED
    entry.status_reason = reason[:300]
    _save(entry)
    audit_log(
        actor=user,
        action="knowledge.entry.archive" if archive else "knowledge.entry.retract",
        target=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


def entry_archive(*, user, entry: Entry, reason: str) -> Entry:
    """Archive the entry for good (``entry_retract`` with ``archive=True``)."""
    return entry_retract(user=user, entry=entry, reason=reason, archive=True)


def entry_text_changed(entry: Entry) -> bool:
    """Whether a validated text was edited since (always ``False`` for a never-validated one)."""
    return bool(entry.text_hash) and entry.current_hash != entry.text_hash
