"""Background jobs with progress that the UI and the command line can show."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from relais.core.jobs.models import Job, JobStatus


class JobProgress:
    """Handed to the job's body: ``progress.advance(n)`` updates the row at most ~50 times."""

    def __init__(self, job: Job):
        self.job = job
        self._step = 1

    def start(self, total: int) -> None:
        self.job.total = total
        self._step = max(1, total // 50)
        self.job.status = JobStatus.RUNNING
        self.job.save(update_fields=["total", "status", "updated_at"])

    def advance(self, count: int = 1) -> None:
        before = self.job.done
        self.job.done = min(self.job.total, self.job.done + count)
        if self.job.done // self._step != before // self._step or self.job.done == self.job.total:
            Job.objects.filter(pk=self.job.pk).update(done=self.job.done, updated_at=timezone.now())


def job_create(*, owner, workspace, kind: str, label: str) -> Job:
    return Job.objects.create(owner=owner, workspace=workspace, kind=kind, label=label)


def job_run(job_id: int, body: Callable[[Job, JobProgress], str]) -> None:
    """Run ``body`` for the job, recording success or failure. Called by the worker."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status", "updated_at"])
    try:
        message = body(job, progress)
    except Exception as exc:  # the job's owner must see the failure, not a spinner forever
        job.refresh_from_db()
        job.status = JobStatus.FAILED
        job.message = str(exc)[:500] or exc.__class__.__name__
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        raise
    job.refresh_from_db()
    job.status = JobStatus.SUCCEEDED
    job.done = job.total
    job.message = message or ""
    job.finished_at = timezone.now()
    job.save()


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


def job_enqueue(task, job: Job, *args) -> None:
    """Queue ``task(job.pk, *args)`` once the surrounding transaction has committed
    (or run it now inside ``jobs_run_here``)."""
    if _run_here.get():
        task.call_local(job.pk, *args)
        return
    transaction.on_commit(lambda: task(job.pk, *args))
