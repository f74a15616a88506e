"""Reading jobs: a user's own job, a workspace's job list, a file to download."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.jobs.access import (
    job_user_may_cancel,
    job_user_may_download,
    job_user_may_enter,
    job_user_supervises,
)
from relais.core.jobs.models import Job


def job_get_for_user(*, user, public_id) -> Job | None:
    """The job ``public_id`` if ``user`` started it (its progress page)."""
    try:
        public_id = public_id_or_not_found(public_id)
    except NotFound:
        return None
    return Job.objects.filter(owner=user, public_id=public_id).first()


def job_list(*, user, workspace) -> QuerySet[Job]:
    """The jobs of ``workspace`` that ``user`` follows, newest first: everyone's for a
    supervisor, their own otherwise. ``NotFound`` if they may not enter the workspace."""
    if not job_user_may_enter(user=user, workspace=workspace):
        raise NotFound(_("Espace de travail introuvable."))
    jobs = Job.objects.filter(workspace=workspace)
    if not job_user_supervises(user=user, workspace=workspace):
        jobs = jobs.filter(owner=user)
    return jobs.select_related("owner", "workspace", "cancel_request").order_by(
        "-created_at", "-pk"
    )


def job_get_for_cancel(*, user, public_id) -> Job:
    """The job ``public_id`` if ``user`` may cancel it (see ``job_user_may_cancel``): from the
    job list, or from the progress page of a job that has no workspace yet."""
    job = (
        Job.objects.filter(public_id=public_id_or_not_found(public_id))
        .select_related("workspace")
        .first()
    )
    if job is None or not job_user_may_cancel(user=user, job=job):
        raise NotFound(_("Tâche introuvable."))
    return job


def job_get_for_download(*, user, public_id) -> Job:
    """The job ``public_id`` whose file ``user`` may download now: they started it, and today
    they still may enter its workspace and hold what its kind requires. A membership revoked
    since the job ran means *not found*."""
    job = (
        Job.objects.filter(owner=user, public_id=public_id_or_not_found(public_id))
        .select_related("workspace")
        .first()
    )
    if job is None or not job_user_may_download(user=user, job=job):
        raise NotFound(_("Fichier introuvable."))
    return job
