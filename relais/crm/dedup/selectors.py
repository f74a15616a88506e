"""Reads of the de-duplication screens. Each takes the user and the workspace; another
workspace's pair, merge or batch is reported as not found."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.jobs.models import Job
from relais.core.workspaces.models import Workspace
from relais.crm.dedup.review import SEARCH_JOB_KIND
from relais.crm.dedup.weights import SURE
from relais.crm.models import CandidateStatus, CleaningBatch, CustomerMerge, DuplicateCandidate
from relais.crm.permissions import Permission

LEVELS = {"surs": "sure", "probables": "probable"}


def duplicate_search_latest(*, user, workspace: Workspace) -> Job | None:
    """The user's last duplicate search in ``workspace``, to show its progress. No permission
    check of its own: only the user's own job is read, and the list checks CRM_VIEW."""
    return (
        Job.objects.filter(owner=user, workspace=workspace, kind=SEARCH_JOB_KIND)
        .order_by("-created_at", "-id")
        .first()
    )


def candidate_list(
    *, user, workspace: Workspace, level: str = "", status: str = CandidateStatus.PENDING
) -> QuerySet[DuplicateCandidate]:
    """Candidate pairs of the workspace, best score first; ``level`` "sure" (score ≥ SURE)
    or "probable" (below)."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    rows = (
        DuplicateCandidate.objects.in_workspace(workspace)
        .filter(status=status)
        .select_related("customer_a__person", "customer_a__company")
        .select_related("customer_b__person", "customer_b__company", "decided_by")
        .defer("explanation")
    )
    if level == "sure":
        rows = rows.filter(score__gte=SURE)
    elif level == "probable":
        rows = rows.filter(score__lt=SURE)
    return rows.order_by("-score", "id")


def candidate_counts(*, user, workspace: Workspace) -> dict[str, int]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    pending = Q(status=CandidateStatus.PENDING)
    counts = DuplicateCandidate.objects.in_workspace(workspace).aggregate(
        sure=Count("pk", filter=pending & Q(score__gte=SURE)),
        total=Count("pk", filter=pending),
        dismissed=Count("pk", filter=Q(status=CandidateStatus.DISMISSED)),
    )
    return {**counts, "probable": counts["total"] - counts["sure"]}


def candidate_get(*, user, workspace: Workspace, public_id) -> DuplicateCandidate:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    candidate = (
        DuplicateCandidate.objects.in_workspace(workspace)
        .select_related("customer_a__person", "customer_a__company", "customer_a__owner")
        .select_related("customer_b__person", "customer_b__company", "customer_b__owner")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if candidate is None:
        raise NotFound(_("Paire de doublons introuvable."))
    return candidate


def merge_list(*, user, workspace: Workspace) -> QuerySet[CustomerMerge]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return (
        CustomerMerge.objects.in_workspace(workspace)
        .select_related("survivor__person", "survivor__company", "actor")
        .defer("snapshot")
        .order_by("-created_at", "-id")
    )


def merge_get(*, user, workspace: Workspace, public_id) -> CustomerMerge:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    merge = (
        CustomerMerge.objects.in_workspace(workspace)
        .select_related("survivor__person", "survivor__company", "actor", "workspace")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if merge is None:
        raise NotFound(_("Fusion introuvable."))
    return merge


def cleaning_batches(*, user, workspace: Workspace) -> QuerySet[CleaningBatch]:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    return (
        CleaningBatch.objects.in_workspace(workspace)
        .select_related("actor")
        .defer("changes")
        .order_by("-created_at", "-id")
    )


def cleaning_batch_get(*, user, workspace: Workspace, public_id) -> CleaningBatch:
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    batch = (
        CleaningBatch.objects.in_workspace(workspace)
        .select_related("workspace", "actor")
        .filter(public_id=public_id_or_not_found(public_id))
        .first()
    )
    if batch is None:
        raise NotFound(_("Nettoyage introuvable."))
    return batch
