"""Background jobs: success, failure, progress, and who may see them."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from relais.core.jobs import registry
from relais.core.jobs.models import Job, JobStatus
from relais.core.jobs.selectors import job_get_for_user
from relais.core.jobs.services import (
    JobProgress,
    job_create,
    job_enqueue,
    job_run,
    jobs_run_here,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(agent, workspace):
    return job_create(owner=agent, workspace=workspace, kind="export", label="Export des clients")


def stored(job):
    return Job.objects.get(pk=job.pk)


def test_job_create_starts_pending(job, agent, workspace):
    job = stored(job)
    assert job.status == JobStatus.PENDING
    assert (job.owner, job.workspace, job.kind, job.label) == (
        agent,
        workspace,
        "export",
        "Export des clients",
    )
    assert (job.done, job.total, job.percent, job.is_finished) == (0, 0, 0, False)


def test_job_run_success(job, fixed_clock):
    seen = {}

    def body(running, progress):
        seen["status"] = stored(running).status
        progress.start(10)
        for _ in range(10):
            progress.advance()
        running.result_file.save("clients.csv", ContentFile(b"nom\nDupont\n"), save=True)
        return "10 clients exportés."

    fixed_clock.shift(30)
    job_run(job.pk, body)
    job = stored(job)
    assert seen["status"] == JobStatus.RUNNING
    assert job.status == JobStatus.SUCCEEDED
    assert job.message == "10 clients exportés."
    assert (job.done, job.total, job.percent) == (10, 10, 100)
    assert job.finished_at == timezone.now()
    assert job.is_finished
    assert job.result_file.name.endswith(".csv")
    assert job.result_file.read() == b"nom\nDupont\n"


def test_job_run_success_without_message_or_progress(job):
    job_run(job.pk, lambda running, progress: None)
    job = stored(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.message == ""
    assert job.percent == 100


def test_job_run_failure_is_recorded_and_raised(job):
    def body(running, progress):
        progress.start(100)
        progress.advance(40)
        raise RuntimeError("Le fichier est illisible.")

    with pytest.raises(RuntimeError):
        job_run(job.pk, body)
    job = stored(job)
    assert job.status == JobStatus.FAILED
    assert job.message == "Le fichier est illisible."
    assert job.finished_at == timezone.now()
    assert job.is_finished
    # The progress made before the failure is kept, and not turned into 100 %.
    assert (job.done, job.total, job.percent) == (40, 100, 40)


def test_job_run_failure_without_message_names_the_error(job):
    def body(running, progress):
        raise KeyError

    with pytest.raises(KeyError):
        job_run(job.pk, body)
    assert stored(job).message == "KeyError"


def test_job_run_failure_message_is_cut_to_the_column(job):
    def body(running, progress):
        raise ValueError("x" * 600)

    with pytest.raises(ValueError):
        job_run(job.pk, body)
    assert stored(job).message == "x" * 500


def test_progress_is_written_in_steps_and_at_the_end(job):
    job.status = JobStatus.RUNNING
    progress = JobProgress(job)
    progress.start(1000)  # one write every 20 items
    assert stored(job).total == 1000
    progress.advance(19)
    assert stored(job).done == 0
    progress.advance(1)
    assert stored(job).done == 20
    progress.advance(5)
    assert stored(job).done == 20
    progress.advance(970)
    assert stored(job).done == 995
    progress.advance(10)  # never past the total
    assert job.done == 1000
    assert stored(job).done == 1000
    assert stored(job).percent == 100


def test_progress_of_a_small_job_is_written_at_every_step(job):
    progress = JobProgress(job)
    progress.start(3)
    progress.advance()
    assert stored(job).done == 1
    assert stored(job).percent == 33


def test_percent_of_a_running_job(job):
    job.total, job.done, job.status = 8, 2, JobStatus.RUNNING
    assert job.percent == 25


class _Task:
    """The shape of a Huey task that ``job_enqueue`` relies on: called to queue, or run here."""

    def __init__(self):
        self.queued, self.ran = [], []

    def __call__(self, *args, **kwargs):
        self.queued.append((args, kwargs))

    def call_local(self, *args, **kwargs):
        self.ran.append((args, kwargs))


@pytest.fixture
def kinds():
    """The registry as the apps left it, restored after the test."""
    saved = dict(registry._KINDS)
    yield registry
    registry._KINDS.clear()
    registry._KINDS.update(saved)


@pytest.fixture
def task(kinds):
    task = _Task()
    kinds.register_job_kind("export", task, label="Export de test")
    return task


def test_job_enqueue_waits_for_the_commit(job, task, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        job_enqueue(job, params={"arg": "x"})
        assert task.queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert task.queued == [((job.pk,), {"arg": "x"})]


def test_jobs_run_here_runs_at_once_and_queues_nothing(
    job, task, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with jobs_run_here():
            job_enqueue(job, params={"arg": "x"})
        assert task.ran == [((job.pk,), {"arg": "x"})]
        # Outside the block, jobs are queued for the worker again.
        job_enqueue(job, params={"arg": "y"})
    assert len(callbacks) == 1
    assert task.queued == [((job.pk,), {"arg": "y"})]


def test_job_get_for_user_returns_the_owners_job(job, agent):
    assert job_get_for_user(user=agent, public_id=job.public_id) == job
    assert job_get_for_user(user=agent, public_id=str(job.public_id)) == job


def test_job_get_for_user_refuses_other_users(job, supervisor, other_agent):
    # Even a supervisor of the same workspace does not see another user's job.
    assert job_get_for_user(user=supervisor, public_id=job.public_id) is None
    assert job_get_for_user(user=other_agent, public_id=job.public_id) is None


@pytest.mark.parametrize("value", ["", "pas-un-uuid", "1", None])
def test_job_get_for_user_with_a_malformed_id(job, agent, value):
    assert job_get_for_user(user=agent, public_id=value) is None


def test_job_get_for_user_with_an_unknown_id(job, agent):
    assert job_get_for_user(user=agent, public_id=uuid.uuid4()) is None


def test_job_pages_are_the_owners_only(job, client, agent, supervisor):
    job_run(job.pk, lambda running, progress: running.result_file.save("a.csv", ContentFile(b"x")))
    url = f"/taches/{job.public_id}/"
    client.force_login(supervisor)
    assert client.get(url).status_code == 404
    assert client.get(url + "fichier/").status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 200
    response = client.get(url + "fichier/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"x"


def test_the_owner_is_notified_when_the_job_ends(job, agent, other_agent):
    from relais.core.notifications.models import Notification

    job_run(job.pk, lambda running, progress: "10 clients exportés.")
    notification = Notification.objects.get()
    assert notification.recipient == agent
    assert notification.category == "jobs.finished"
    assert notification.title == "« Export des clients » est terminé."
    assert notification.body == "10 clients exportés."
    assert notification.url == reverse("jobs:job-detail", args=[job.public_id])
    assert not Notification.objects.filter(recipient=other_agent).exists()


def test_the_owner_is_notified_of_a_failure_but_not_of_a_batch_loaders_jobs(agent, workspace):
    from relais.core.notifications.models import Notification

    failing = job_create(owner=agent, workspace=workspace, kind="export", label="Import")

    def body(running, progress):
        raise RuntimeError("Le fichier est illisible.")

    with pytest.raises(RuntimeError):
        job_run(failing.pk, body)
    assert Notification.objects.get().category == "jobs.failed"
    inline = job_create(owner=agent, workspace=workspace, kind="export", label="Démo")
    with jobs_run_here():
        job_run(inline.pk, lambda running, progress: "")
    assert Notification.objects.count() == 1
