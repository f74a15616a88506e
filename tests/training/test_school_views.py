"""School-database screens: trainers only, their organization only."""

import pytest
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.jobs.models import Job, JobStatus
from relais.training.models import Anomaly, SchoolBase
from relais.training.services.school import school_base_generate
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def generated(trainer, organization):
    return school_base_generate(
        actor=trainer, organization=organization, name="Base de juin", customers=120, seed=6
    )


def test_the_list_shows_an_empty_state_and_the_create_button(trainer_client):
    response = trainer_client.get(reverse("training:school-list"))
    assert response.status_code == 200
    assert "Aucune base école pour le moment." in response.content.decode()
    assert reverse("training:school-create") in response.content.decode()


def test_the_list_shows_each_base_with_its_counts(trainer_client, generated):
    response = trainer_client.get(reverse("training:school-list"))
    page = response.content.decode()
    assert "Base de juin" in page and "120" in page
    assert f"{generated.anomalies.count()} anomalies de Base de juin" in page
    assert "15 juin 2025" in page


def test_creating_a_base_runs_a_job_and_stores_the_base(
    trainer_client, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            reverse("training:school-create"),
            {"name": "Session d'été", "customers": 40, "seed": 3},
        )
    job = Job.objects.get(owner=trainer)
    assert response.status_code == 302
    assert response.url == reverse("jobs:job-detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED  # huey runs immediately in tests
    school_base = SchoolBase.objects.get(workspace__name="Session d'été")
    assert school_base.customer_count == 40 and job.workspace == school_base.workspace
    assert "40 clients" in job.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "customers": 10, "seed": 1}, "Ce champ est obligatoire."),
        ({"name": "B", "customers": 100_001, "seed": 1}, "inférieure ou égale à 100000"),
        ({"name": "B", "customers": "dix", "seed": 1}, "Saisissez un nombre entier."),
    ],
)
def test_a_bad_form_is_shown_again_with_french_errors(trainer_client, data, message):
    response = trainer_client.post(reverse("training:school-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_the_detail_shows_categories_months_and_anomaly_kinds(trainer_client, generated):
    response = trainer_client.get(reverse("training:school-detail", args=[generated.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Achat VN/VO sans après-vente",
        "Après-vente sans achat",
        "Prospects sans facture",
        "Sociétés avec une flotte",
        "mai 2025",
        "juin 2024",
        "Même VIN sur deux clients",
    ):
        assert text in page, text
    months = response.context["summary"].months
    assert len(months) == 12 and all(invoices and activities for _m, invoices, activities in months)


def test_the_anomaly_table_and_its_csv(trainer_client, generated):
    anomaly = Anomaly.objects.filter(school_base=generated).first()
    url = reverse("training:school-anomalies", args=[generated.pk])
    page = trainer_client.get(url).content.decode()
    assert anomaly.expected_correction.replace("'", "&#x27;") in page
    response = trainer_client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("Type;Fiches concernées")
    assert len(content.strip().splitlines()) == generated.anomalies.count() + 1


def test_a_formula_in_a_label_cannot_run_in_the_csv(trainer_client, generated):
    Anomaly.objects.create(
        school_base=generated,
        kind="typo",
        records=[{"identity_key": "k", "label": '=HYPERLINK("http://x")'}],
        description="@SUM(1)",
        expected_correction="<script>alert(1)</script>",
    )
    url = reverse("training:school-anomalies", args=[generated.pk])
    content = trainer_client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content and "'@SUM(1)" in content
    page = trainer_client.get(url, {"page": 99}).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_the_anomaly_table_is_paginated(trainer_client, generated):
    Anomaly.objects.bulk_create(
        [
            Anomaly(
                school_base=generated, kind="typo", description=f"n{i}", expected_correction="c"
            )
            for i in range(60)
        ]
    )
    url = reverse("training:school-anomalies", args=[generated.pk])
    first = trainer_client.get(url)
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 sur 2" in first.content.decode()


@pytest.mark.parametrize("name", ["school-list", "school-create"])
def test_learners_and_agents_are_refused(client, learner, agent, name):
    for user in (learner, agent):
        client.force_login(user)
        assert client.get(reverse(f"training:{name}")).status_code == 403
    assert client.post(reverse("training:school-create"), {"name": "x"}).status_code == 403


def test_learners_cannot_open_a_base_or_its_anomalies(learner_client, generated):
    for name in ("school-detail", "school-anomalies"):
        response = learner_client.get(reverse(f"training:{name}", args=[generated.pk]))
        assert response.status_code in {403, 404}


def test_another_organizations_trainer_gets_404(client, generated):
    stranger = UserFactory(role=Role.TRAINER, organization=OrganizationFactory())
    client.force_login(stranger)
    for name in ("school-detail", "school-anomalies"):
        assert client.get(reverse(f"training:{name}", args=[generated.pk])).status_code == 404
    assert "Base de juin" not in client.get(reverse("training:school-list")).content.decode()
    assert client.get(reverse("training:school-detail", args=[999999])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, generated):
    response = client.get(reverse("training:school-list"))
    assert response.status_code == 302
    assert reverse("training:school-list") in response.url  # back there after signing in


def test_a_generation_cancelled_half_way_leaves_no_base(
    trainer_client, trainer, monkeypatch, django_capture_on_commit_callbacks
):
    from relais.core.jobs.models import JobCancelRequest
    from relais.core.jobs.services import JobProgress

    advance = JobProgress.advance

    def cancel_then_advance(progress, count=1):
        # The trainer presses "Annuler" in the job list while the generation runs.
        JobCancelRequest.objects.get_or_create(job=progress.job, defaults={"requested_by": trainer})
        advance(progress, count)

    monkeypatch.setattr(JobProgress, "advance", cancel_then_advance)
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(
            reverse("training:school-create"), {"name": "Base annulée", "customers": 200, "seed": 3}
        )
    job = Job.objects.get(owner=trainer)
    assert job.status == JobStatus.CANCELLED
    assert not SchoolBase.objects.filter(workspace__name="Base annulée").exists()
