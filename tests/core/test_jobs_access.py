"""Jobs seen from the users' side: starting by kind, result files, cancelling, the workspace's
job list, and downloads checked against the memberships of today."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.jobs import registry
from relais.core.jobs.models import Job, JobCancelRequest, JobStatus
from relais.core.jobs.selectors import job_get_for_cancel, job_get_for_download, job_list
from relais.core.jobs.services import (
    job_attach_file,
    job_cancel,
    job_create,
    job_run,
    job_start,
)
from relais.core.workspaces.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILE_NAME = "Clients à relancer.csv"


class _Task:
    def __init__(self):
        self.queued = []

    def __call__(self, job_id, **params):
        self.queued.append((job_id, params))

    def call_local(self, job_id, **params):
        self(job_id, **params)


@pytest.fixture
def task():
    saved = dict(registry._KINDS)
    task = _Task()
    registry.register_job_kind("tests.export", task, label="Export d'essai", permission="crm.view")
    registry.register_job_kind(
        "tests.audit", task, label="Export du journal", permission="audit.view"
    )
    yield task
    registry._KINDS.clear()
    registry._KINDS.update(saved)


@pytest.fixture
def colleague(workspace):
    return UserFactory(
        username="collegue",
        role=Role.AGENT,
        organization=workspace.organization,
        workspaces=[workspace],
    )


def start(actor, workspace, kind="tests.export", label="Export des clients"):
    return job_start(actor=actor, workspace=workspace, kind=kind, label=label, params={"n": 1})


def finished_with_file(job, content=b"nom;ville\r\nDupont;Lyon\r\n"):
    def body(running, progress):
        job_attach_file(running, filename=FILE_NAME, content=content)
        return "Prêt."

    job_run(job.pk, body)
    job.refresh_from_db()
    return job


# --- job_start ---------------------------------------------------------------------------------


def test_job_start_creates_and_queues_after_commit(
    task, agent, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(agent, workspace)
        assert task.queued == []
    assert task.queued == [(job.pk, {"n": 1})]
    assert (job.owner, job.workspace, job.kind, job.status) == (
        agent,
        workspace,
        "tests.export",
        JobStatus.PENDING,
    )


def test_job_start_of_an_unknown_kind_writes_nothing(task, agent, workspace):
    with pytest.raises(LookupError):
        start(agent, workspace, kind="tests.nothing")
    assert not Job.objects.exists()


def test_job_start_in_another_workspace_is_not_found(task, agent, other_workspace):
    with pytest.raises(NotFound):
        start(agent, other_workspace)
    assert not Job.objects.exists()


def test_job_start_needs_the_permission_of_the_kind(task, agent, supervisor, workspace):
    with pytest.raises(AccessDenied):
        start(agent, workspace, kind="tests.audit")
    assert start(supervisor, workspace, kind="tests.audit").owner == supervisor


# --- result files ------------------------------------------------------------------------------


def test_attach_bytes_keeps_the_name_and_guesses_the_type(task, agent, workspace, settings):
    job = finished_with_file(start(agent, workspace))
    assert job.status == JobStatus.SUCCEEDED
    assert job.result_filename == FILE_NAME
    assert job.download_name == FILE_NAME
    assert job.result_content_type == "text/csv"
    assert job.result_file.name.startswith("jobs/2025/06/")
    assert (
        settings.MEDIA_ROOT / job.result_file.name
    ).read_bytes() == b"nom;ville\r\nDupont;Lyon\r\n"


def test_attach_text_a_path_and_replace(task, agent, workspace, tmp_path):
    job = start(agent, workspace)
    job_attach_file(job, filename="a.txt", content="été", content_type="text/plain")
    first = job.result_file.name
    assert job.result_file.storage.exists(first)
    source = tmp_path / "classeur.xlsx"
    source.write_bytes(b"PK\x03\x04")
    job_attach_file(job, filename="Sauvegarde.xlsx", path=source)
    job.refresh_from_db()
    assert not job.result_file.storage.exists(first)  # the earlier file is gone
    assert job.result_file.read() == b"PK\x03\x04"
    assert job.result_filename == "Sauvegarde.xlsx"
    assert job.result_content_type.endswith("spreadsheetml.sheet")


def test_attach_needs_content_or_path_not_both(task, agent, workspace, tmp_path):
    job = start(agent, workspace)
    with pytest.raises(ValueError):
        job_attach_file(job, filename="a.csv")
    with pytest.raises(ValueError):
        job_attach_file(job, filename="a.csv", content=b"x", path=tmp_path / "a.csv")


# --- downloads ---------------------------------------------------------------------------------


def test_download_gives_the_file_under_its_name(task, agent_client, agent, workspace):
    job = finished_with_file(start(agent, workspace))
    response = agent_client.get(reverse("jobs:job-download", args=[job.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"nom;ville\r\nDupont;Lyon\r\n"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Clients%20%C3%A0%20relancer.csv"
    )


def test_download_is_refused_once_the_membership_is_revoked(task, agent_client, agent, workspace):
    job = finished_with_file(start(agent, workspace))
    url = reverse("jobs:job-download", args=[job.public_id])
    assert agent_client.get(url).status_code == 200
    Membership.objects.filter(user=agent, workspace=workspace).delete()
    assert agent_client.get(url).status_code == 404
    with pytest.raises(NotFound):  # a user object read after the change, as each request does
        job_get_for_download(user=User.objects.get(pk=agent.pk), public_id=job.public_id)


def test_download_is_refused_once_the_kinds_permission_is_lost(task, client, supervisor, workspace):
    job = finished_with_file(start(supervisor, workspace, kind="tests.audit"))
    client.force_login(supervisor)
    url = reverse("jobs:job-download", args=[job.public_id])
    assert client.get(url).status_code == 200
    # The supervisor is made an agent of the organization: agents may not read the audit log.
    OrganizationMembership.objects.filter(user=supervisor).update(role=Role.AGENT)
    assert client.get(url).status_code == 404


def test_download_follows_the_kinds_own_access_check(task, agent, workspace):
    allowed = {"yes": True}

    def access(user, ws):
        if not allowed["yes"]:
            raise NotFound

    registry.register_job_kind("tests.own", task, label="Règle propre", access=access)
    job = finished_with_file(start(agent, workspace, kind="tests.own"))
    assert job_get_for_download(user=agent, public_id=job.public_id) == job
    allowed["yes"] = False
    with pytest.raises(NotFound):
        job_get_for_download(user=agent, public_id=job.public_id)


def test_download_of_someone_elses_or_a_fileless_job(task, agent, supervisor, workspace):
    job = finished_with_file(start(agent, workspace))
    with pytest.raises(NotFound):
        job_get_for_download(user=supervisor, public_id=job.public_id)
    empty = start(agent, workspace)
    with pytest.raises(NotFound):
        job_get_for_download(user=agent, public_id=empty.public_id)
    with pytest.raises(NotFound):
        job_get_for_download(user=agent, public_id="pas-un-uuid")


# --- cancel ------------------------------------------------------------------------------------


def test_cancel_a_queued_job_it_never_runs(task, agent, workspace):
    job = start(agent, workspace)
    job = job_cancel(actor=agent, job=job)
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at == timezone.now()
    assert job.is_finished and "annulée" in job.message
    ran = []
    job_run(job.pk, lambda running, progress: ran.append(running))
    assert ran == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    entry = AuditEntry.objects.get(action="job.cancel")
    assert (entry.actor, entry.workspace, entry.after["while"]) == (agent, workspace, "pending")


def test_cancel_a_running_job_stops_at_its_next_checkpoint(task, agent, workspace):
    job = start(agent, workspace)
    reached = []

    def body(running, progress):
        progress.start(100)
        progress.advance(10)
        reached.append(10)
        # Someone asks from the job list while the work goes on.
        assert job_cancel(actor=agent, job=running).status == JobStatus.RUNNING
        with transaction.atomic():
            running.label = "écrit pendant la tâche"
            running.save(update_fields=["label"])
            progress.advance(10)  # the checkpoint: the job stops here
            reached.append(20)
        return "fini"

    job_run(job.pk, body)
    job.refresh_from_db()
    assert reached == [10]
    assert job.status == JobStatus.CANCELLED
    assert job.is_finished and job.finished_at == timezone.now()
    assert "annulée" in job.message
    # The transaction the checkpoint interrupted is rolled back.
    assert job.label == "Export des clients"
    assert job.cancel_request.requested_by == agent


def test_a_cancel_that_comes_too_late_is_refused(task, agent, workspace):
    job = finished_with_file(start(agent, workspace))
    with pytest.raises(ValidationError, match="déjà terminée"):
        job_cancel(actor=agent, job=job)
    assert not JobCancelRequest.objects.exists()


def test_only_the_owner_or_a_supervisor_cancels(task, agent, colleague, supervisor, workspace):
    job = start(agent, workspace)
    with pytest.raises(NotFound):
        job_cancel(actor=colleague, job=job)
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING
    assert job_cancel(actor=supervisor, job=job).status == JobStatus.CANCELLED


def test_another_workspaces_user_cannot_cancel(task, agent, other_agent, workspace):
    job = start(agent, workspace)
    with pytest.raises(NotFound):
        job_cancel(actor=other_agent, job=job)


def test_an_owner_whose_membership_is_revoked_cannot_cancel(task, agent, workspace):
    job = start(agent, workspace)
    Membership.objects.filter(user=agent, workspace=workspace).delete()
    with pytest.raises(NotFound):
        job_cancel(actor=agent, job=job)


def test_cancel_view_from_the_list(task, agent_client, agent, workspace):
    job = start(agent, workspace)
    url = reverse("jobs:job-cancel", args=[job.public_id])
    assert agent_client.get(url).status_code == 405
    response = agent_client.post(url, {"next": "https://ailleurs.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("jobs:job-list")
    assert "est annulée" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    again = agent_client.post(url, follow=True)
    assert "déjà terminée" in again.content.decode()


def test_cancel_view_with_another_workspaces_job_id(task, client, agent, other_agent, workspace):
    job = start(agent, workspace)
    client.force_login(other_agent)
    assert client.post(reverse("jobs:job-cancel", args=[job.public_id])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING


# --- the workspace's job list -----------------------------------------------------------------


def test_job_list_own_jobs_for_an_agent_every_job_for_a_supervisor(
    task, agent, colleague, supervisor, workspace, other_workspace, fixed_clock
):
    mine = start(agent, workspace)
    fixed_clock.shift(60)
    theirs = start(colleague, workspace)
    job_create(owner=agent, workspace=other_workspace, kind="tests.export", label="Ailleurs")
    assert list(job_list(user=agent, workspace=workspace)) == [mine]
    assert list(job_list(user=supervisor, workspace=workspace)) == [theirs, mine]


def test_job_list_of_a_workspace_one_may_not_enter(task, agent, other_workspace):
    with pytest.raises(NotFound):
        job_list(user=agent, workspace=other_workspace)


def test_job_get_for_cancel_refuses_foreign_ids(
    task, agent, colleague, supervisor, workspace, other_agent
):
    job = start(colleague, workspace)
    with pytest.raises(NotFound):
        job_get_for_cancel(user=agent, public_id=job.public_id)
    foreign = start(other_agent, other_agent.memberships.get().workspace)
    with pytest.raises(NotFound):
        job_get_for_cancel(user=supervisor, public_id=foreign.public_id)
    with pytest.raises(NotFound):
        job_get_for_cancel(user=colleague, public_id="1")
    assert job_get_for_cancel(user=colleague, public_id=job.public_id) == job
    assert job_get_for_cancel(user=supervisor, public_id=job.public_id) == job


def test_a_job_without_workspace_is_cancelled_from_its_page(task, client, agent, supervisor):
    job = job_create(owner=agent, workspace=None, kind="tests.export", label="Génération")
    client.force_login(supervisor)
    url = reverse("jobs:job-cancel", args=[job.public_id])
    assert client.post(url).status_code == 404
    client.force_login(agent)
    detail = reverse("jobs:job-detail", args=[job.public_id])
    assert url in client.get(detail).content.decode()
    response = client.post(url, {"next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    assert url not in client.get(detail).content.decode()


def test_job_list_page_empty_state(agent_client):
    page = agent_client.get(reverse("jobs:job-list")).content.decode()
    assert "Aucune tâche de fond dans cet espace." in page


def test_job_list_page_rows_and_buttons(
    task, client, agent, colleague, supervisor, workspace, django_assert_max_num_queries
):
    done = finished_with_file(start(agent, workspace, label="Export terminé"))
    running = start(colleague, workspace, label="Export du collègue")
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):  # +2: the modules of the navigation
        page = client.get(reverse("jobs:job-list")).content.decode()
    assert "<caption" in page and 'scope="col"' in page
    assert "Export terminé" in page and "Export du collègue" in page
    assert "Export d&#x27;essai" in page  # the kind's label
    assert agent.display_name in page and colleague.display_name in page
    # A supervisor may cancel a colleague's job but not download someone else's file.
    assert reverse("jobs:job-cancel", args=[running.public_id]) in page
    assert reverse("jobs:job-cancel", args=[done.public_id]) not in page
    assert reverse("jobs:job-download", args=[done.public_id]) not in page
    client.force_login(agent)
    page = client.get(reverse("jobs:job-list")).content.decode()
    assert reverse("jobs:job-download", args=[done.public_id]) in page
    assert "Export du collègue" not in page


def test_job_list_page_is_paginated(task, agent_client, agent, workspace):
    for number in range(30):
        job_create(
            owner=agent, workspace=workspace, kind="tests.export", label=f"Export n°{number}"
        )
    first = agent_client.get(reverse("jobs:job-list")).content.decode()
    row = "Avancement de « Export n°"
    assert "Page 1 sur 2" in first and first.count(row) == 25
    second = agent_client.get(reverse("jobs:job-list"), {"page": 2}).content.decode()
    assert second.count(row) == 5
