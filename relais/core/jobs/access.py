"""Who may see, cancel and download which job — checked against today's memberships and roles,
never against what was true when the job started."""

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.jobs.models import Job
from relais.core.jobs.registry import job_kinds
from relais.core.workspaces.selectors import workspaces_for_user

# Who may follow and cancel everyone's jobs in a workspace: those who may read its audit
# log (supervisors, trainers, administrators), not agents or learners.
SUPERVISE_PERMISSION = "audit.view"


def _may(user, permission: str, workspace) -> bool:
    try:
        ensure_permission(user, permission, workspace)
    except (AccessDenied, NotFound):
        return False
    return True


def job_user_may_enter(*, user, workspace) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and workspaces_for_user(user=user).filter(pk=workspace.pk).exists()
    )


def job_user_supervises(*, user, workspace) -> bool:
    """Whether ``user`` follows every job of ``workspace``, not only their own."""
    return workspace is not None and _may(user, SUPERVISE_PERMISSION, workspace)


def job_kind_access_check(*, user, kind: str, workspace) -> None:
    """Raise (``NotFound``/``AccessDenied``) unless ``user`` may today have what a job of
    ``kind`` in ``workspace`` produces: enter the workspace and hold the kind's permission, or
    pass the kind's own check. A kind no app registers (a left-over row) needs the workspace."""
    registered = job_kinds().get(kind)
    if registered is not None and registered.access is not None:
        registered.access(user, workspace)
        return
    permission = registered.permission if registered is not None else None
    if permission is not None:
        ensure_permission(user, permission, workspace)
    elif workspace is not None and not job_user_may_enter(user=user, workspace=workspace):
        raise NotFound


def job_user_may_download(*, user, job: Job) -> bool:
    """The owner of a finished job with a file, if they still may have it (see above)."""
    if job.owner_id != getattr(user, "pk", None) or not job.result_file:
        return False
    try:
        job_kind_access_check(user=user, kind=job.kind, workspace=job.workspace)
    except (AccessDenied, NotFound):
        return False
    return True


def job_user_may_cancel(*, user, job: Job, supervises: bool | None = None) -> bool:
    """The owner (while they may still enter the job's workspace) or a supervisor of that
    workspace; ``supervises`` saves the query when the caller already knows."""
    if user is None or not user.is_authenticated:
        return False
    if job.workspace_id is None:
        return job.owner_id == user.pk
    if supervises is None:
        supervises = job_user_supervises(user=user, workspace=job.workspace)
    if supervises:
        return True
    return job.owner_id == user.pk and job_user_may_enter(user=user, workspace=job.workspace)
