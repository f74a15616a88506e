"""The review queue: running the duplicate search in the background, storing its candidate
pairs, and the reviewer's "not a duplicate" decisions (which later searches respect)."""

from collections.abc import Callable, Iterable
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.jobs.models import Job
from relais.core.jobs.services import job_start
from relais.core.workspaces.models import Workspace
from relais.crm.dedup.engine import Pair
from relais.crm.models import CandidateStatus, Customer, DuplicateCandidate
from relais.crm.permissions import Permission

SEARCH_JOB_KIND = "crm.dedup.search"
# bulk_update writes a CASE with one WHEN per row: SQLite caps an expression's depth at 1000.
UPDATE_BATCH = 250


def duplicate_search_start(*, actor, workspace: Workspace) -> Job:
    """Create the duplicate-search job of ``workspace`` and queue it after this transaction."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    return job_start(
        actor=actor, workspace=workspace, kind=SEARCH_JOB_KIND, label=_("Recherche des doublons")
    )


@transaction.atomic
def duplicate_candidates_store(
    *,
    workspace: Workspace,
    pairs: Iterable[Pair],
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Replace the workspace's pending candidates by ``pairs`` (customer public ids).

    Pairs dismissed earlier stay dismissed and are not proposed again; pending pairs found
    again keep their row (and public id: a reviewer's open page stays valid) with the new
    score. Returns counts: ``new``, ``updated``, ``dismissed`` (skipped), ``removed``."""
    ids = dict(Customer.objects.in_workspace(workspace).values_list("public_id", "pk"))
    ids = {str(k): v for k, v in ids.items()}
    existing = {
        (c.customer_a_id, c.customer_b_id): c
        for c in DuplicateCandidate.objects.in_workspace(workspace)
    }
    counts = {"new": 0, "updated": 0, "dismissed": 0, "removed": 0}
    seen, create, update = set(), [], []
    for pair in pairs:
        a, b = ids.get(pair.id_a), ids.get(pair.id_b)
        if a is None or b is None or a == b:
            continue
        low, high = sorted((a, b))
        if (low, high) in seen:
            continue
        seen.add((low, high))
        explanation = [asdict(f) for f in pair.fields]
        if a != low:  # the engine's A is our B: swap the sides of the explanation too
            for line in explanation:
                line["value_a"], line["value_b"] = line["value_b"], line["value_a"]
        row = existing.get((low, high))
        if row is not None and row.status == CandidateStatus.DISMISSED:
            counts["dismissed"] += 1
            continue
        values = {
            "score": pair.score,
            "sure": pair.sure,
            "swapped_names": pair.swapped_names,
            "explanation": explanation,
        }
        if row is None:
            create.append(
                DuplicateCandidate(
                    workspace=workspace, customer_a_id=low, customer_b_id=high, **values
                )
            )
            counts["new"] += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = timezone.now()
            update.append(row)
            counts["updated"] += 1
        if progress:
            progress(1)
    DuplicateCandidate.objects.bulk_create(create, batch_size=1000)
    DuplicateCandidate.objects.bulk_update(
        update,
        ["score", "sure", "swapped_names", "explanation", "updated_at"],
        batch_size=UPDATE_BATCH,
    )
    stale = [
        row.pk
        for key, row in existing.items()
        if key not in seen and row.status == CandidateStatus.PENDING
    ]
    DuplicateCandidate.objects.filter(pk__in=stale).delete()
    counts["removed"] = len(stale)
    return counts


@transaction.atomic
def duplicate_candidate_dismiss(*, actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Record that the two customers are different people: the pair leaves the queue and
    later searches do not propose it again."""
    ensure_permission(actor, Permission.CRM_EDIT, candidate.workspace)
    candidate.status = CandidateStatus.DISMISSED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(
        actor=actor,
        action="dedup.dismiss",
        target=candidate,
        after={
            "customer_a": str(candidate.customer_a.public_id),
            "customer_b": str(candidate.customer_b.public_id),
        },
    )
    return candidate


@transaction.atomic
def duplicate_candidate_reopen(*, actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Undo a dismissal: the pair goes back to the review queue."""
    ensure_permission(actor, Permission.CRM_EDIT, candidate.workspace)
    candidate.status = CandidateStatus.PENDING
    candidate.decided_by = None
    candidate.decided_at = None
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(actor=actor, action="dedup.reopen", target=candidate)
    return candidate
