"""The knowledge base in the REST API (mounted at ``/api/knowledge/``), read-only.

The base searched is that of the caller's organization; another organization's entries are
reported as not found (404), as on the web pages.
"""

from datetime import date, datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from relais.core.api import ERROR_RESPONSES
from relais.core.exceptions import NotFound
from relais.core.knowledge.models import Entry
from relais.core.knowledge.selectors import entries_search, entry_get

router = Router(tags=["Base de connaissances"])


class EntryOut(Schema):
    id: UUID = Field(alias="public_id")
    question: str
    answer: str
    answer_format: str
    tags: list[str] = Field(alias="tag_list")
    origin: str
    status: str
    source_text: str
    source_url: str
    validated_at: datetime | None
    review_date: date | None
    updated_at: datetime


class EntryHitOut(Schema):
    entry: EntryOut
    score: float
    snippet: str = Field(description="Extrait HTML échappé, mots trouvés dans <mark>.")


def _organization(request):
    organization = request.auth.organization
    if organization is None:
        raise NotFound(_("Base de connaissances introuvable."))
    return organization


@router.get("search", response={200: list[EntryHitOut], **ERROR_RESPONSES})
def search_knowledge(
    request, q: str, status: Entry.Status | None = Entry.Status.VALIDATED, limit: int = 20
):
    """Entries of your organization matching ``q`` (French full text), best first."""
    return entries_search(
        user=request.auth,
        organization=_organization(request),
        query=q,
        status=status,
        limit=max(1, min(limit, 100)),
    )


@router.get("entries/{uuid:knowledge_entry_id}", response={200: EntryOut, **ERROR_RESPONSES})
def get_knowledge_entry(request, knowledge_entry_id: UUID):
    """One entry of your organization's knowledge base."""
    return entry_get(user=request.auth, public_id=knowledge_entry_id)
