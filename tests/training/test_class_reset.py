"""« Réinitialiser toute la classe »: one background job resets every sandbox of a class, with
progress; the other classes' sandboxes and the template are left alone; learners cannot."""

import pytest
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.core.jobs.models import Job, JobStatus
from relais.crm.models import Customer
from relais.training.models import TrainingClass
from relais.training.services.class_reset import JOB_KIND
from tests.training.conftest import _enroll

pytestmark = pytest.mark.django_db


def _identities(workspace) -> list:
    return sorted(Customer.objects.in_workspace(workspace).values_list("identity_key", "sort_name"))


@pytest.fixture
def other_class(organization, trainer, school_template):
    other = TrainingClass.objects.create(
        organization=organization,
        name="Session de juillet",
        template=school_template,
        trainer=trainer,
    )
    return _enroll(other, "ailleurs", seed=21)


def test_the_trainer_resets_every_sandbox_of_the_class_in_one_job(
    trainer_client,
    training_class,
    enrollment,
    other_enrollment,
    other_class,
    school_template,
    django_capture_on_commit_callbacks,
):
    third = _enroll(training_class, "troisieme", seed=13)
    ours = [enrollment, other_enrollment, third]
    # Before: each sandbox holds its own generated customers, not the template's.
    template_state = _identities(school_template)
    assert all(_identities(e.sandbox) != template_state for e in ours)
    elsewhere = _identities(other_class.sandbox)

    detail = trainer_client.get(
        reverse("training:class-detail", kwargs={"class_id": training_class.public_id})
    ).content.decode()
    url = reverse("training:class-reset", kwargs={"class_id": training_class.public_id})
    assert url in detail  # the button on the class page
    confirmation = trainer_client.get(url)
    assert confirmation.status_code == 200
    assert "Les 3 bacs à sable" in confirmation.content.decode()
    assert not Job.objects.filter(kind=JOB_KIND).exists()  # GET only asks

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url)
    job = Job.objects.get(kind=JOB_KIND)
    assert response.status_code == 302
    assert response.url == reverse("jobs:job-detail", kwargs={"public_id": job.public_id})
    assert job.status == JobStatus.SUCCEEDED
    assert (job.total, job.done) == (3, 3)
    assert "3 bacs à sable réinitialisés" in job.message
    progress_page = trainer_client.get(response.url)
    assert progress_page.status_code == 200
    assert "3 / 3" in progress_page.content.decode()  # the progress the trainer follows

    for reset in ours:
        reset.refresh_from_db()
        assert reset.reset_count == 1
        assert _identities(reset.sandbox) == template_state
        assert set(
            Customer.objects.in_workspace(reset.sandbox).values_list("owner_id", flat=True)
        ) <= {reset.learner_id, None}
    other_class.refresh_from_db()
    assert other_class.reset_count == 0
    assert _identities(other_class.sandbox) == elsewhere
    assert _identities(school_template) == template_state
    assert AuditEntry.objects.filter(action="training.class_reset").count() == 1
    assert AuditEntry.objects.filter(action="training.sandbox_reset").count() == 3


def test_a_learner_cannot_reset_the_class(
    learner_client, training_class, enrollment, other_enrollment, django_capture_on_commit_callbacks
):
    url = reverse("training:class-reset", kwargs={"class_id": training_class.public_id})
    before = _identities(other_enrollment.sandbox)
    assert learner_client.get(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert learner_client.post(url).status_code == 403
    assert not Job.objects.filter(kind=JOB_KIND).exists()
    other_enrollment.refresh_from_db()
    assert other_enrollment.reset_count == 0
    assert _identities(other_enrollment.sandbox) == before


def test_another_trainer_does_not_see_the_class(
    client, organization, training_class, enrollment, django_capture_on_commit_callbacks
):
    from relais.core.accounts.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="autre", role=Role.TRAINER, organization=organization))
    url = reverse("training:class-reset", kwargs={"class_id": training_class.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 404
    assert not Job.objects.filter(kind=JOB_KIND).exists()
