"""Background jobs with progress that the UI and the command line can show.

A service starts a job by its kind (``job_start``); the task registered for that kind
(``relais.core.jobs.registry``) runs the job's body through ``job_run``, reports progress with
``JobProgress`` — each report is also where a cancelled job stops — and may attach a result
file (``job_attach_file``).
"""

import mimetypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.exceptions import NotFound
from relais.core.jobs.access import job_kind_access_check, job_user_may_cancel
from relais.core.jobs.models import Job, JobCancelRequest, JobStatus
from relais.core.jobs.registry import job_kind
from relais.core.notifications.services import notify


class JobCancelled(Exception):
    """Raised at a progress checkpoint of a job whose cancellation was asked for."""


class JobProgress:
    """Handed to the job's body: ``progress.advance(n)`` updates the row at most ~50 times.

    Every write is a checkpoint: if someone asked to cancel the job, ``JobCancelled`` is raised
    there, which rolls back the body's open transaction and ends the job as cancelled.
    """

    def __init__(self, job: Job):
        self.job = job
        self._step = 1

    def checkpoint(self) -> None:
        """Stop here (``JobCancelled``) if the job's cancellation was asked for."""
        if JobCancelRequest.objects.filter(job_id=self.job.pk).exists():
            raise JobCancelled

    def start(self, total: int) -> None:
        self.checkpoint()
        self.job.total = total
        self._step = max(1, total // 50)
        self.job.status = JobStatus.RUNNING
        self.job.save(update_fields=["total", "status", "updated_at"])

    def advance(self, count: int = 1) -> None:
        before = self.job.done
        self.job.done = min(self.job.total, self.job.done + count)
        if self.job.done // self._step != before // self._step or self.job.done == self.job.total:
            self.checkpoint()
            Job.objects.filter(pk=self.job.pk).update(done=self.job.done, updated_at=timezone.now())


def job_create(*, owner, workspace, kind: str, label: str) -> Job:
    """A pending job; queue it with ``job_enqueue`` (or use ``job_start`` for both)."""
    return Job.objects.create(owner=owner, workspace=workspace, kind=kind, label=label)


def job_start(*, actor, workspace, kind: str, label: str, params: dict | None = None) -> Job:
    """Create a job of the registered ``kind`` for ``actor`` and queue its task with ``params``
    (keyword arguments after the job's id) once the surrounding transaction commits.

    The caller has checked what the action needs; the kind's own check (the permission its
    file requires) is made again here, so that nobody starts a job whose result they could not
    fetch.
    """
    job_kind(kind)  # an unknown kind fails here, before any row is written
    job_kind_access_check(user=actor, kind=kind, workspace=workspace)
    job = job_create(owner=actor, workspace=workspace, kind=kind, label=label)
    job_enqueue(job, params=params)
    return job


def job_run(job_id: int, body: Callable[[Job, JobProgress], str]) -> None:
    """Run ``body`` for the job, recording success, failure or cancellation. Called by the
    task. A job cancelled while it waited in the queue does not run."""
    started = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, updated_at=timezone.now()
    )
    if not started:
        return  # cancelled before it started (or already run)
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    try:
        message = body(job, progress)
    except JobCancelled:
        job.refresh_from_db()
        job.status = JobStatus.CANCELLED
        job.message = _("Tâche annulée avant la fin : rien n'a été enregistré après l'arrêt.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        return
    except Exception as exc:  # the job's owner must see the failure, not a spinner forever
        job.refresh_from_db()
        job.status = JobStatus.FAILED
        job.message = str(exc)[:500] or exc.__class__.__name__
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        _notify_owner(job)
        raise
    job.refresh_from_db()
    job.status = JobStatus.SUCCEEDED
    job.done = job.total
    job.message = message or ""
    job.finished_at = timezone.now()
    job.save()
    _notify_owner(job)


def _notify_owner(job: Job) -> None:
    """Tell the job's owner it ended, wherever they are in Relais (not for batch loaders)."""
    if _run_here.get() or job.owner_id is None:
        return
    succeeded = job.status == JobStatus.SUCCEEDED
    title = (_("« %(label)s » est terminé.") if succeeded else _("« %(label)s » a échoué.")) % {
        "label": job.label
    }
    notify(
        recipient=job.owner,
        title=title,
        body=job.message,
        url=reverse("jobs:job-detail", args=[job.public_id]),
        category="jobs.finished" if succeeded else "jobs.failed",
        workspace=job.workspace,
    )


_run_here: ContextVar[bool] = ContextVar("relais_jobs_run_here", default=False)


@contextmanager
def jobs_run_here() -> Iterator[None]:
    """Within this block, jobs run at once in the caller's process and transaction instead of
    being queued for the worker: for batch loaders (the demo) that need a job's result before
    they go on, and would otherwise see it run a second time after they commit."""
    token = _run_here.set(True)
    try:
        yield
    finally:
        _run_here.reset(token)


def job_enqueue(job: Job, *, params: dict | None = None) -> None:
    """Queue the task of the job's kind, ``task(job.pk, **params)``, once the surrounding
    transaction has committed (or run it now inside ``jobs_run_here``)."""
    task = job_kind(job.kind).task
    params = dict(params or {})
    if _run_here.get():
        getattr(task, "call_local", task)(job.pk, **params)
        return
    transaction.on_commit(lambda: task(job.pk, **params))


def job_attach_file(
    job: Job,
    *,
    filename: str,
    content: bytes | str | None = None,
    path: str | Path | None = None,
    content_type: str = "",
) -> Job:
    """Store the job's result file (``content``, or the file at ``path``) in the default storage
    under MEDIA_ROOT, replacing any earlier one; ``filename`` is the name offered at download
    (any characters) and ``content_type`` its type, guessed from the name when not given."""
    if (content is None) == (path is None):
        raise ValueError("job_attach_file needs either content or path.")
    if job.result_file:
        job.result_file.delete(save=False)
    stored_as = f"{job.public_id.hex[:12]}-{Path(filename).name}"
    if path is not None:
        with Path(path).open("rb") as handle:
            job.result_file.save(stored_as, File(handle), save=False)
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
        job.result_file.save(stored_as, ContentFile(data), save=False)
    job.result_filename = filename[:255]
    job.result_content_type = (
        content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    )
    job.save(update_fields=["result_file", "result_filename", "result_content_type", "updated_at"])
    return job


def job_cancel(*, actor, job: Job) -> Job:
    """Cancel ``job``: a queued job will not run; a running one stops at its next progress
    checkpoint. Only the job's owner, or a supervisor of its workspace, may cancel it; a job
    the actor may not see is *not found*."""
    if not job_user_may_cancel(user=actor, job=job):
        raise NotFound(_("Tâche introuvable."))
    with transaction.atomic():
        cancelled_now = Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
            status=JobStatus.CANCELLED,
            message=_("Tâche annulée avant son démarrage."),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not cancelled_now:
            if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
                raise ValidationError(
                    _("Cette tâche est déjà terminée : elle ne peut plus être annulée.")
                )
            JobCancelRequest.objects.get_or_create(job=job, defaults={"requested_by": actor})
        audit_log(
            actor=actor,
            action="job.cancel",
            target=job,
            after={"kind": job.kind, "while": "pending" if cancelled_now else "running"},
        )
    job.refresh_from_db()
    return job
