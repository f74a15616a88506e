"""Reading the knowledge base: staff lists and search, public search of validated entries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.knowledge.access import ensure_entry_access, ensure_organization_access
from relais.core.knowledge.models import Entry
from relais.core.knowledge.permissions import Permission
from relais.core.knowledge.search import ENTRY_INDEX
from relais.core.search import snippet
from relais.core.workspaces.selectors import workspace_ids_for_user

MAX_RESULTS = 100


@dataclass(frozen=True)
class EntryHit:
    entry: Entry
    score: float
    snippet: SafeString  # escaped extract of the answer, matching words in <mark>


def _visible(*, user, organization) -> QuerySet[Entry]:
    ensure_organization_access(user, organization, Permission.KNOWLEDGE_VIEW)
    entries = Entry.objects.filter(organization=organization)
    if not user.is_superuser:
        entries = entries.filter(
            Q(workspace__isnull=True) | Q(workspace_id__in=workspace_ids_for_user(user=user))
        )
    return entries


def entries_list(*, user, organization, status: str | None = None) -> QuerySet[Entry]:
    """The organization's entries the user may see, newest change first."""
    entries = _visible(user=user, organization=organization)
    if status:
        entries = entries.filter(status=status)
    return entries.select_related("validated_by").order_by("-updated_at", "-id")


def _hits(entries: QuerySet[Entry], query: str, limit: int) -> list[EntryHit]:
    hits = ENTRY_INDEX.search(entries, query, limit=max(0, min(limit, MAX_RESULTS)))
    # The hits were found among ``entries`` already: fetch them by key, without compiling and
    # running the visibility filter a second time.
    by_pk = Entry.objects.in_bulk([hit.pk for hit in hits])
    return [
        EntryHit(entry=by_pk[hit.pk], score=hit.score, snippet=snippet(by_pk[hit.pk].answer, query))
        for hit in hits
        if hit.pk in by_pk
    ]


def entries_search(
    *,
    user,
    organization,
    query: str,
    status: str | None = Entry.Status.VALIDATED,
    limit: int = 20,
) -> list[EntryHit]:
    """Entries matching ``query`` (French full text: accents, case and inflection ignored),
    best first; ``status=None`` searches every status."""
    entries = _visible(user=user, organization=organization)
    if status:
        entries = entries.filter(status=status)
    return _hits(entries, query, limit)


def entry_get(*, user, public_id) -> Entry:
    """One entry the user may see; anything else is ``NotFound``."""
    entry = (
        Entry.objects.select_related("organization", "workspace", "validated_by", "created_by")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if entry is None:
        raise NotFound
    ensure_entry_access(user, entry, Permission.KNOWLEDGE_VIEW)
    return entry


def entries_due_for_review(*, user, organization, today: date | None = None) -> QuerySet[Entry]:
    """Validated entries whose review date has come, oldest first."""
    today = today or timezone.localdate()
    return (
        _visible(user=user, organization=organization)
        .filter(status=Entry.Status.VALIDATED, review_date__lte=today)
        .order_by("review_date", "id")
    )


def _public(organization) -> QuerySet[Entry]:
    # Public pages show the organization-wide base only, never a workspace's own entries.
    return Entry.objects.filter(
        organization=organization, status=Entry.Status.VALIDATED, workspace__isnull=True
    )


def public_entries_search(*, organization, query: str, limit: int = 20) -> list[EntryHit]:
    """For anonymous visitors: the organization's validated entries matching ``query``."""
    return _hits(_public(organization), query, limit)


def public_entry_get(*, organization, public_id) -> Entry:
    """For anonymous visitors: one validated entry of the organization, else ``NotFound``."""
    entry = _public(organization).filter(public_id=public_id_or_not_found(public_id)).first()
    if entry is None:
        raise NotFound
    return entry
