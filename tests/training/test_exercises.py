"""Exercise pages: a learner works and checks; trainers write exercises and read results."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from relais.core.accounts.roles import Role
from relais.crm.services import records as record_services
from relais.training.models import Exercise, ExerciseResult, TrainingClass
from relais.training.services.exercises import exercise_catalogue_install
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def catalogue():
    exercise_catalogue_install()
    return {e.code: e for e in Exercise.objects.filter(organization__isnull=True)}


def _url(name, exercise):
    return reverse(f"training:{name}", kwargs={"exercise_id": exercise.public_id})


def test_learner_list_installs_the_catalogue_and_shows_status(learner_client, enrollment):
    response = learner_client.get(reverse("training:exercise-list"))
    assert response.status_code == 200
    assert Exercise.objects.filter(organization__isnull=True).count() >= 9
    html = response.content.decode()
    assert "Créer une fiche client" in html
    assert "À faire" in html
    assert "Session de juin" in html


def test_learner_opens_works_and_checks(fixed_clock, learner_client, enrollment, catalogue):
    exercise = catalogue["planifier-rendez-vous"]
    response = learner_client.get(_url("exercise-detail", exercise))
    assert response.status_code == 200
    # Showing the exercise writes nothing; it names the target that starting it will keep.
    assert not ExerciseResult.objects.filter(enrollment=enrollment, exercise=exercise).exists()
    html = response.content.decode()
    assert "Commencer l'exercice" in html and _url("exercise-check", exercise) not in html
    assert learner_client.get(_url("exercise-start", exercise)).status_code == 405
    started = learner_client.post(_url("exercise-start", exercise))
    assert started.status_code == 302
    result = ExerciseResult.objects.get(enrollment=enrollment, exercise=exercise)
    name = result.target["label"]
    assert f"{name} souhaite essayer un véhicule" in html
    html = learner_client.get(_url("exercise-detail", exercise)).content.decode()
    assert "Vérifier mon travail" in html and 'aria-live="polite"' in html

    response = learner_client.post(_url("exercise-check", exercise))
    html = response.content.decode()
    assert "Score : 0 / 3" in html
    assert f"Aucun rendez-vous planifié pour {name} après le 15/06/2025." in html

    fixed_clock.shift(datetime.timedelta(minutes=2))
    from relais.crm.models import Customer

    record_services.activity_create(
        actor=enrollment.learner,
        customer=Customer.objects.get(public_id=result.target["id"]),
        data={
            "kind": "appointment",
            "subject": "Essai",
            "occurred_at": datetime.datetime(2025, 6, 18, 10, tzinfo=PARIS),
        },
    )
    response = learner_client.post(_url("exercise-check", exercise))
    html = response.content.decode()
    assert "Score : 3 / 3" in html
    assert "Exercice réussi" in html
    assert 'data-checked="1"' in html and "relais-score" in html
    # Opened outside an LMS, the page posts its score to nobody.
    assert 'data-lms-origin=""' in html and '"*"' not in html
    list_html = learner_client.get(reverse("training:exercise-list")).content.decode()
    assert "Réussi" in list_html


def test_answer_field_and_hostile_answer_is_escaped(learner_client, enrollment, catalogue):
    exercise = catalogue["rechercher-fiche-client"]
    learner_client.post(_url("exercise-start", exercise))
    response = learner_client.post(
        _url("exercise-check", exercise), {"answer": "<script>alert(1)</script>"}
    )
    html = response.content.decode()
    assert 'name="answer"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_check_is_post_only(learner_client, enrollment, catalogue):
    response = learner_client.get(_url("exercise-check", catalogue["creer-fiche-client"]))
    assert response.status_code == 405


def test_learner_sees_only_their_own_results(
    learner_client, enrollment, other_enrollment, catalogue
):
    from relais.crm.models import Customer
    from relais.training.services.exercises import exercise_check

    exercise = catalogue["rechercher-fiche-client"]
    theirs = exercise_check(
        actor=other_enrollment.learner,
        enrollment=other_enrollment,
        exercise=exercise,
        answer="REPONSE-DU-VOISIN",
    )
    assert theirs.attempts == 1
    learner_client.post(_url("exercise-start", exercise))
    html = learner_client.get(_url("exercise-detail", exercise)).content.decode()
    mine = ExerciseResult.objects.get(enrollment=enrollment, exercise=exercise)
    assert mine.pk != theirs.pk and mine.attempts == 0
    assert "REPONSE-DU-VOISIN" not in html
    assert "Tentatives : 1" not in html
    # Each learner's target comes from their own sandbox.
    assert Customer.objects.get(public_id=mine.target["id"]).workspace_id == enrollment.sandbox_id


def test_learner_cannot_reach_trainer_pages(learner_client, enrollment, training_class, catalogue):
    class_id = training_class.public_id
    for name in ("class-results", "class-results-export", "scorm-package"):
        response = learner_client.get(reverse(f"training:{name}", kwargs={"class_id": class_id}))
        assert response.status_code in (403, 404), name
    assert learner_client.get(reverse("training:exercise-create")).status_code == 403


def test_unknown_or_foreign_exercise_is_404(learner_client, enrollment, catalogue):
    other = OrganizationFactory()
    foreign = Exercise.objects.create(
        organization=other, code="x", title="Étranger", instructions="…", checks=[]
    )
    assert learner_client.get(_url("exercise-detail", foreign)).status_code == 404
    assert learner_client.post(_url("exercise-check", foreign)).status_code == 404
    bad = reverse("training:exercise-detail", kwargs={"exercise_id": "not-a-uuid"})
    assert learner_client.get(bad).status_code == 404


def _post_exercise(client, url, **overrides):
    data = {
        "title": "Noter les projets",
        "category": "Notes",
        "target_kind": "customer",
        "instructions": "Ajoutez une note de projets sur la fiche de {cible}.",
        "checks-TOTAL_FORMS": "2",
        "checks-INITIAL_FORMS": "0",
        "checks-MIN_NUM_FORMS": "1",
        "checks-MAX_NUM_FORMS": "20",
        "checks-0-kind": "count",
        "checks-0-entity": "note",
        "checks-0-field": "note:projects",
        "checks-0-op": "icontains",
        "checks-0-value": "SUV",
        "checks-0-field2": "",
        "checks-0-op2": "exact",
        "checks-0-value2": "",
        "checks-0-scope_target": "on",
        "checks-0-since": "on",
        "checks-0-min_count": "1",
        "checks-0-max_count": "",
        "checks-0-compute": "",
        "checks-0-points": "2",
        "checks-0-label": "Projet SUV noté pour {cible}",
        "checks-1-kind": "count",
        "checks-1-op": "exact",
        "checks-1-op2": "exact",
        "checks-1-points": "1",
        "checks-1-min_count": "1",
    }
    data.update(overrides)
    return client.post(url, data)


def test_trainer_authored_exercise_round_trip(
    fixed_clock, trainer_client, client, enrollment, trainer
):
    response = _post_exercise(trainer_client, reverse("training:exercise-create"))
    assert response.status_code == 302, response.content.decode()[:3000]
    exercise = Exercise.objects.get(organization=trainer.organization)
    assert exercise.author == trainer
    assert exercise.checks == [
        {
            "type": "count",
            "label": "Projet SUV noté pour {cible}",
            "points": 2,
            "entity": "note",
            "scope": "target",
            "since": True,
            "filters": [{"field": "projects", "op": "icontains", "value": "SUV"}],
            "min": 1,
            "max": None,
        }
    ]
    # The edit form shows the check again, and saving it unchanged keeps it.
    edit = trainer_client.get(_url("exercise-edit", exercise)).content.decode()
    assert 'value="SUV"' in edit
    assert '<option value="note:projects" selected>' in edit

    # A learner of the class does it.
    client.force_login(enrollment.learner)
    client.post(_url("exercise-start", exercise))
    result = ExerciseResult.objects.get(enrollment=enrollment, exercise=exercise)
    assert "Score : 0 / 2" in client.post(_url("exercise-check", exercise)).content.decode()
    fixed_clock.shift(datetime.timedelta(minutes=1))
    from relais.crm.models import Customer

    record_services.note_create(
        actor=enrollment.learner,
        customer=Customer.objects.get(public_id=result.target["id"]),
        data={"projects": "Un SUV hybride"},
    )
    assert "Score : 2 / 2" in client.post(_url("exercise-check", exercise)).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"checks-0-field": "vehicle:plate"},
            "Ce champ n&#x27;appartient pas à l&#x27;élément « note ».",
        ),
        ({"checks-0-entity": ""}, "Choisissez l&#x27;élément à compter."),
        ({"checks-0-kind": "answer", "checks-0-compute": ""}, "Choisissez la réponse attendue."),
        (
            {
                "checks-0-field": "note:household_size",
                "checks-0-op": "gte",
                "checks-0-value": "beaucoup",
            },
            "Nombre attendu : « beaucoup ».",
        ),
        ({"checks-0-min_count": "5", "checks-0-max_count": "2"}, "Le minimum dépasse le maximum."),
        ({"title": ""}, "Ce champ est obligatoire."),
    ],
)
def test_exercise_form_errors_in_french(trainer_client, trainer, overrides, message):
    response = _post_exercise(trainer_client, reverse("training:exercise-create"), **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Exercise.objects.filter(organization=trainer.organization).exists()


def test_builtin_and_foreign_exercises_are_not_editable(trainer_client, catalogue):
    assert (
        trainer_client.get(_url("exercise-edit", catalogue["creer-fiche-client"])).status_code
        == 404
    )
    foreign = Exercise.objects.create(
        organization=OrganizationFactory(), code="x", title="Autre", instructions="…", checks=[]
    )
    assert trainer_client.get(_url("exercise-edit", foreign)).status_code == 404


def test_trainer_list_and_preview(trainer_client, training_class, catalogue):
    html = trainer_client.get(reverse("training:exercise-list")).content.decode()
    assert "Créer un exercice" in html
    assert reverse("training:class-results", kwargs={"class_id": training_class.public_id}) in html
    preview = trainer_client.get(_url("exercise-detail", catalogue["planifier-relance"]))
    assert "Relance un jour ouvré" in preview.content.decode()


@pytest.fixture
def graded(enrollment, other_enrollment, catalogue):
    from relais.training.services.exercises import exercise_check

    exercise_check(
        actor=enrollment.learner,
        enrollment=enrollment,
        exercise=catalogue["rechercher-fiche-client"],
        answer="=HYPERLINK(1)",
    )
    return catalogue


def test_class_results_page(trainer_client, training_class, graded, enrollment):
    url = reverse("training:class-results", kwargs={"class_id": training_class.public_id})
    html = trainer_client.get(url).content.decode()
    assert "apprenant" in html and "voisin" in html
    assert "0/2" in html


def test_results_export_xlsx_and_csv(trainer_client, training_class, graded):
    url = reverse("training:class-results-export", kwargs={"class_id": training_class.public_id})
    response = trainer_client.get(url + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Apprenant" and header[-2:] == ("Total", "Exercices réussis")
    column = header.index("Rechercher une fiche client")
    by_login = {row[1]: row for row in rows[1:]}
    assert set(by_login) == {"apprenant", "voisin"}
    assert by_login["apprenant"][column] == "0/2"
    assert by_login["voisin"][column] is None

    response = trainer_client.get(url + "?format=csv")
    text = response.content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0][0] == "Apprenant"
    assert {row[1] for row in parsed[1:]} == {"apprenant", "voisin"}


def test_results_only_for_the_class_trainer_or_an_admin(
    client, organization, training_class, graded
):
    url = reverse("training:class-results", kwargs={"class_id": training_class.public_id})
    other_trainer = UserFactory(username="autre", role=Role.TRAINER, organization=organization)
    client.force_login(other_trainer)
    assert client.get(url).status_code == 404
    admin = UserFactory(username="admin2", role=Role.ADMINISTRATOR, organization=organization)
    client.force_login(admin)
    assert client.get(url).status_code == 200
    foreign_admin = UserFactory(
        username="admin3", role=Role.ADMINISTRATOR, organization=OrganizationFactory()
    )
    client.force_login(foreign_admin)
    assert client.get(url).status_code == 404
    missing = reverse(
        "training:class-results", kwargs={"class_id": "00000000-0000-0000-0000-000000000000"}
    )
    client.force_login(admin)
    assert client.get(missing).status_code == 404


def test_other_class_results_are_404_for_a_trainer(trainer_client, organization, trainer):
    template = WorkspaceFactory(organization=organization, kind="template")
    other = TrainingClass.objects.create(
        organization=organization,
        name="Autre",
        template=template,
        trainer=UserFactory(username="t2", role=Role.TRAINER, organization=organization),
    )
    url = reverse("training:class-results", kwargs={"class_id": other.public_id})
    assert trainer_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://lms.example.fr", "https://lms.example.fr"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("HTTPS://LMS.Example.fr:8443", "https://lms.example.fr:8443"),
        ("null", ""),
        ("*", ""),
        ("javascript:alert(1)", ""),
        ("https://lms.example.fr/path", ""),
        ('https://x.fr"><script>', ""),
    ],
)
def test_score_is_posted_to_the_launching_lms_origin_only(
    learner_client, enrollment, catalogue, given, kept
):
    exercise = catalogue["rechercher-fiche-client"]
    learner_client.get(_url("exercise-detail", exercise), {"lms": given})
    learner_client.post(_url("exercise-start", exercise))
    html = learner_client.post(_url("exercise-check", exercise), {"answer": "x"}).content.decode()
    assert f'data-lms-origin="{kept}"' in html
    assert "<script>alert" not in html


def test_migrate_installs_the_builtin_catalogue(db):
    from relais.training.catalogue import CATALOGUE

    assert Exercise.objects.filter(organization__isnull=True).count() == len(CATALOGUE)
