"""Class screens, the learner's "Ma formation" page, the reset pages and ``reset_sandbox``."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from relais.core.accounts.models import User
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import roles_held
from relais.core.contacts.models import Person
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.models import Customer
from relais.training.models import Enrollment, TrainingClass
from tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_trainer_creates_a_class_on_a_school_template(trainer_client, school_template):
    response = trainer_client.get(reverse("training:class-create"))
    assert response.status_code == 200
    assert "Base école test" in response.content.decode()
    response = trainer_client.post(
        reverse("training:class-create"),
        {"name": "Session <script>alert(1)</script>", "template": school_template.pk},
    )
    training_class = TrainingClass.objects.get(name__startswith="Session <script>")
    assert response.status_code == 302
    assert response.url == reverse(
        "training:class-detail", kwargs={"class_id": training_class.public_id}
    )
    page = trainer_client.get(response.url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_class_create_refuses_a_template_of_another_organization(trainer_client):
    foreign = WorkspaceFactory(name="Base d'ailleurs", kind=WorkspaceKind.TEMPLATE)
    response = trainer_client.post(
        reverse("training:class-create"), {"name": "Vol", "template": foreign.pk}
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TrainingClass.objects.filter(name="Vol").exists()


def test_class_detail_shows_each_learners_progress(trainer_client, training_class, enrollment):
    enrollment.reset_count = 3
    enrollment.save()
    response = trainer_client.get(
        reverse("training:class-detail", kwargs={"class_id": training_class.public_id})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "apprenant" in page and ">10<" in page and ">3<" in page
    assert (
        reverse("training:sandbox-reset", kwargs={"sandbox_id": enrollment.sandbox.public_id})
        in page
    )


def test_trainer_adds_a_new_learner_and_sees_the_password_once(trainer_client, training_class):
    url = reverse("training:class-learner-add", kwargs={"class_id": training_class.public_id})
    response = trainer_client.post(
        url, {"username": "mmartin", "first_name": "Marc", "last_name": "Martin", "email": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    learner = User.objects.get(username="mmartin")
    assert roles_held(learner, organization=training_class.organization) == {Role.LEARNER}
    password = page.split('id="new-password">')[1].split("<")[0]
    assert learner.check_password(password)
    enrollment = Enrollment.objects.get(learner=learner)
    assert Customer.objects.in_workspace(enrollment.sandbox).count() == 20
    # Shown once: the class page does not repeat it.
    detail = trainer_client.get(
        reverse("training:class-detail", kwargs={"class_id": training_class.public_id})
    ).content.decode()
    assert password not in detail and "Marc Martin" in detail


def test_trainer_enrolls_an_existing_learner(trainer_client, training_class, organization):
    existing = UserFactory(username="deja", role=Role.LEARNER, organization=organization)
    url = reverse("training:class-learner-add", kwargs={"class_id": training_class.public_id})
    response = trainer_client.post(url, {"learner": existing.pk})
    assert response.status_code == 302
    assert Enrollment.objects.filter(learner=existing, training_class=training_class).exists()


def test_learner_add_form_errors_are_french(trainer_client, training_class, enrollment):
    url = reverse("training:class-learner-add", kwargs={"class_id": training_class.public_id})
    response = trainer_client.post(url, {})
    assert response.status_code == 400
    assert "Choisissez un apprenant existant" in response.content.decode()
    response = trainer_client.post(url, {"username": "apprenant"})
    assert response.status_code == 400
    assert "Cet identifiant est déjà pris." in response.content.decode()


def test_another_trainer_does_not_see_the_class(client, training_class, organization):
    client.force_login(UserFactory(username="f2", role=Role.TRAINER, organization=organization))
    response = client.get(
        reverse("training:class-detail", kwargs={"class_id": training_class.public_id})
    )
    assert response.status_code == 404
    assert "Session de juin" not in client.get(reverse("training:class-list")).content.decode()


def test_learner_home_shows_only_their_sandbox(learner_client, enrollment, other_enrollment):
    response = learner_client.get(reverse("training:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ma formation" in page and enrollment.sandbox.name in page
    assert other_enrollment.sandbox.name not in page
    assert str(other_enrollment.sandbox.public_id) not in page
    assert (
        reverse("training:sandbox-reset", kwargs={"sandbox_id": enrollment.sandbox.public_id})
        in page
    )
    assert "Réinitialiser ma base" in page
    assert reverse("workspaces:switch") in page


def test_learner_resets_after_confirmation(learner_client, enrollment):
    sandbox = enrollment.sandbox
    Person.objects.in_workspace(sandbox).update(last_name="CHANGÉ")
    url = reverse("training:sandbox-reset", kwargs={"sandbox_id": sandbox.public_id})
    confirmation = learner_client.get(url)
    assert confirmation.status_code == 200
    assert "Réinitialiser ma base ?" in confirmation.content.decode()
    assert (
        Person.objects.in_workspace(sandbox).filter(last_name="CHANGÉ").exists()
    )  # GET changes nothing
    response = learner_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("training:home")
    assert "est réinitialisé" in response.content.decode()
    assert not Person.objects.in_workspace(sandbox).filter(last_name="CHANGÉ").exists()
    enrollment.refresh_from_db()
    assert enrollment.reset_count == 1
    assert (
        Customer.objects.in_workspace(sandbox).count() == 20
    )  # the template's, not the fixture's 10


def test_trainer_resets_a_learners_sandbox(trainer_client, enrollment, training_class):
    url = reverse("training:sandbox-reset", kwargs={"sandbox_id": enrollment.sandbox.public_id})
    response = trainer_client.post(url)
    assert response.url == reverse(
        "training:class-detail", kwargs={"class_id": training_class.public_id}
    )
    enrollment.refresh_from_db()
    assert enrollment.reset_count == 1


def test_an_agent_has_no_training_page_nor_menu(agent_client):
    assert agent_client.get(reverse("training:home")).status_code == 403
    assert (
        'href="/formation/"' not in agent_client.get(reverse("crm:customer-list")).content.decode()
    )


def test_the_menu_leads_learners_and_trainers_to_training(learner_client, enrollment):
    page = learner_client.get(reverse("training:home")).content.decode()
    assert 'href="/formation/"' in page and "Formation" in page


# --- manage.py reset_sandbox -----------------------------------------------------------------


def test_reset_sandbox_command(enrollment):
    Person.objects.in_workspace(enrollment.sandbox).update(last_name="CHANGÉ")
    out = StringIO()
    call_command("reset_sandbox", str(enrollment.sandbox.public_id), stdout=out)
    assert "réinitialisé" in out.getvalue() and "20 clients" in out.getvalue()
    enrollment.refresh_from_db()
    assert enrollment.reset_count == 1
    assert not Person.objects.in_workspace(enrollment.sandbox).filter(last_name="CHANGÉ").exists()


@pytest.mark.parametrize(
    "value",
    ["00000000-0000-4000-8000-000000000000", "pas-un-uuid", "'; DROP TABLE crm_customer; --"],
)
def test_reset_sandbox_command_refuses_an_unknown_id(value, enrollment):
    with pytest.raises(CommandError, match="Bac à sable introuvable"):
        call_command("reset_sandbox", value, stdout=StringIO())
    enrollment.refresh_from_db()
    assert enrollment.reset_count == 0


def test_reset_sandbox_command_exits_1_with_one_line(enrollment, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "reset_sandbox", str(uuid.uuid4())]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("CommandError: Bac à sable introuvable") and "\n" not in err


@pytest.mark.parametrize("command", ["reset_sandbox", "load_demo"])
def test_commands_print_their_help(command, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", command, "--help"]).execute()
    assert exit_info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_class_detail_counts_every_exercise_of_the_session(
    trainer_client, training_class, enrollment
):
    """« 1 sur N », N the session's exercises, not the few the learner has tried."""
    from relais.training.models import Exercise, ExerciseResult
    from relais.training.services.exercises import exercise_catalogue_install

    exercise_catalogue_install()
    total = Exercise.objects.filter(organization__isnull=True).count()
    assert total > 3
    tried = list(Exercise.objects.order_by("pk")[:3])
    for index, exercise in enumerate(tried):
        passed = index == 0
        ExerciseResult.objects.create(
            enrollment=enrollment,
            exercise=exercise,
            attempts=1,
            score=5 if passed else 1,
            best_score=5 if passed else 1,
            max_score=5,
            passed=passed,
        )
    page = trainer_client.get(
        reverse("training:class-detail", kwargs={"class_id": training_class.public_id})
    ).content.decode()
    assert f"1 sur {total} (score 7/15)" in page
