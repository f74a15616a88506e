from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Workspace


def interactions_for_contact(
    *, workspace: Workspace, person=None, company=None
) -> QuerySet[Interaction]:
    """Timeline of a person and/or company, newest first, within one workspace."""
    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(person=person)
    if company is not None:
        condition |= Q(company=company)
    return (
        Interaction.objects.in_workspace(workspace)
        .filter(condition)
        .select_related("actor", "source_type")
        .order_by("-started_at", "-id")
    )


def interactions_in_window(
    *,
    workspace: Workspace,
    since: datetime | None = None,
    until: datetime | None = None,
    channels: Iterable[str] | None = None,
    event_codes: Iterable[str] | None = None,
    case_key: str | None = None,
) -> QuerySet[Interaction]:
    """``workspace``'s touchpoints with ``since <= started_at < until``, oldest first
    (``started_at``, ``id``), for trusted callers (a management command, a task that already
    checked access); users go through ``interactions_of_workspace``.

    The filters narrow to some channels, some event codes, one case. The reads run on the
    ``(workspace, started_at)``, ``(workspace, event_code, started_at)`` and ``(workspace,
    case_key, started_at)`` indexes. Contacts are joined for the export's case ids.
    """
    rows = Interaction.objects.in_workspace(workspace)
    if since is not None:
        rows = rows.filter(started_at__gte=since)
    if until is not None:
        rows = rows.filter(started_at__lt=until)
    if channels is not None:
        rows = rows.filter(channel__in=list(channels))
    if event_codes is not None:
        rows = rows.filter(event_code__in=list(event_codes))
    if case_key is not None:
        # The case index holds only rows with a case: the condition lets the planner use it.
        rows = rows.filter(case_key=case_key).exclude(case_key="")
    return rows.select_related("person", "company").order_by("started_at", "id")


def interactions_of_workspace(
    *,
    user,
    workspace: Workspace,
    since: datetime | None = None,
    until: datetime | None = None,
    channels: Iterable[str] | None = None,
    event_codes: Iterable[str] | None = None,
    case_key: str | None = None,
) -> QuerySet[Interaction]:
    """The touchpoints of ``workspace`` that ``user`` may read, oldest first, in a time window
    (``since`` included, ``until`` excluded) and optionally of some channels, some event codes
    or one case. Needs ``interactions.view`` in ``workspace`` (``NotFound`` for a workspace the
    user may not enter, ``AccessDenied`` without the permission)."""
    ensure_permission(user, Permission.INTERACTIONS_VIEW, workspace)
    return interactions_in_window(
        workspace=workspace,
        since=since,
        until=until,
        channels=channels,
        event_codes=event_codes,
        case_key=case_key,
    )
