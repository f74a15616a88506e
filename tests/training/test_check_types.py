"""Exercise check types as a registry of small classes: each type validates (French errors),
grades a real sandbox and describes itself; the trainers' form offers every type."""

import pytest
from django.urls import reverse

from relais.crm.models import Vehicle
from relais.crm.segments.services import segment_create
from relais.training import grading
from relais.training.checks import CheckError, GradingContext, check_type, check_types
from relais.training.models import Exercise

pytestmark = pytest.mark.django_db
AREA_KIND = "sales_target_area"
TARGET = "vehicule-ancien-sans-atelier"


def test_every_built_in_type_is_registered_in_the_forms_order():
    assert [kind.name for kind in check_types()] == [
        "count",
        "answer",
        "segment",
        "campaign",
        "merges",
    ]


def test_an_unknown_type_is_refused_in_french():
    with pytest.raises(CheckError, match=r"^Type de vérification inconnu : sql\.$"):
        grading.validate_check({"type": "sql", "points": 1})


def test_points_must_be_a_whole_number_not_a_boolean():
    with pytest.raises(CheckError, match=r"^« points » doit être un nombre entier\.$"):
        grading.validate_check({"type": "merges", "rule": "merged", "points": True})


# -- validate: one French error per type ------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"type": "count", "entity": "garage"}, "Élément inconnu : garage."),
        ({"type": "answer", "compute": "age"}, "Calcul de réponse inconnu : age."),
        (
            {"type": "segment", "rule": "saved", "target": TARGET, "name": ""},
            "Indiquez le nom du segment attendu.",
        ),
        ({"type": "segment", "rule": "saved", "target": "tous"}, "Cible inconnue : tous."),
        (
            {"type": "campaign", "rule": "sent", "target": TARGET, "channel": "fax"},
            "Canal inconnu : fax.",
        ),
        ({"type": "merges", "rule": "toutes"}, "Règle inconnue : toutes."),
    ],
    ids=["count", "answer", "segment-name", "segment-target", "campaign", "merges"],
)
def test_validate_refuses_in_french(check, message):
    with pytest.raises(CheckError) as caught:
        grading.validate_check({"points": 1, "label": "x", **check})
    assert str(caught.value) == message


def test_segment_and_campaign_checks_need_the_area_target():
    check = {"type": "segment", "rule": "saved", "target": TARGET, "name": "Relance", "points": 1}
    with pytest.raises(grading.TargetKindMismatch) as caught:
        grading.validate_checks([check], exercise_target_kind="customer")
    assert str(caught.value).startswith("Une vérification « Segment construit (ciblage) » demande")
    assert grading.validate_checks([check], exercise_target_kind=AREA_KIND)[0]["name"] == "Relance"
    # Merges need no target at all.
    merges = {"type": "merges", "rule": "merged", "points": 1}
    assert grading.validate_checks([merges], exercise_target_kind="")[0]["rule"] == "merged"


# -- describe: French, with the trainer's labels ----------------------------------------------


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [{"field": "kind", "op": "exact", "value": "appointment"}],
                "min": 1,
            },
            "activité (fiche cible) · type (call / email / appointment …) est égal à "
            "« appointment » · créé ou modifié depuis le début de l'exercice · nombre ≥ 1",
        ),
        (
            {"type": "count", "entity": "vehicle", "min": 0, "max": 2},
            "véhicule · nombre ≥ 0 et ≤ 2",
        ),
        (
            {"type": "answer", "compute": "postal_code"},
            "Réponse saisie par l'apprenant : code postal de la cible",
        ),
        (
            {"type": "segment", "rule": "saved", "target": TARGET, "name": "Relance"},
            "Segment « Relance » : segment enregistré",
        ),
        (
            {"type": "campaign", "rule": "sent", "target": TARGET, "channel": "sms"},
            "Campagne par SMS : campagne envoyée sur le bon canal",
        ),
        ({"type": "merges", "rule": "no_wrong_merge"}, "Fusions : aucune fusion erronée"),
    ],
    ids=["count", "count-bounds", "answer", "segment", "campaign", "merges"],
)
def test_describe_in_french(check, text):
    valid = grading.validate_check({"points": 1, "label": "x", **check})
    assert grading.describe(valid) == text


# -- grade: each type on a real sandbox -------------------------------------------------------


def _grade(enrollment, check, *, record=None, answer=""):
    valid = grading.validate_check({"points": 3, "label": "x", **check})
    context = GradingContext(
        workspace=enrollment.sandbox, target={}, record=record, since=None, answer=answer
    )
    return check_type(valid["type"]).grade(valid, context)


def test_count_grades_the_sandbox_rows(enrollment):
    vehicles = Vehicle.objects.filter(workspace=enrollment.sandbox).count()
    assert vehicles > 0
    verdict = _grade(enrollment, {"type": "count", "entity": "vehicle", "min": vehicles})
    assert (verdict.ok, verdict.message) == (True, f"Fait ({vehicles} trouvé(s)).")
    verdict = _grade(enrollment, {"type": "count", "entity": "vehicle", "min": vehicles + 1})
    assert not verdict.ok
    assert verdict.message.startswith(f"Manquant : {vehicles} trouvé(s)")


def test_answer_grades_the_typed_value(enrollment):
    customer = Vehicle.objects.filter(workspace=enrollment.sandbox).first().customer
    count = Vehicle.objects.filter(customer=customer).count()
    check = {"type": "answer", "compute": "vehicle_count"}
    right = _grade(enrollment, check, record=customer, answer=str(count))
    assert (right.ok, right.message) == (True, f"Bonne réponse : {count}.")
    wrong = _grade(enrollment, check, record=customer, answer="99")
    assert (wrong.ok, wrong.message) == (False, "La réponse « 99 » n'est pas la bonne.")


def test_segment_grades_a_saved_segment_by_its_folded_name(enrollment):
    check = {"type": "segment", "rule": "saved", "target": TARGET, "name": "Relance atelier"}
    missing = _grade(enrollment, check)
    assert not missing.ok and missing.earned == 0
    assert missing.message.startswith("Aucun segment nommé « Relance atelier »")
    segment_create(
        actor=enrollment.learner,
        workspace=enrollment.sandbox,
        name="RELANCE  Atelier",
        definition={"match": "all", "conditions": []},
    )
    found = _grade(enrollment, check)
    assert (found.ok, found.message) == (True, "Segment « RELANCE  Atelier » enregistré.")


def test_campaign_without_any_sent_campaign_says_so(enrollment):
    check = {"type": "campaign", "rule": "sent", "target": TARGET, "channel": "email"}
    verdict = _grade(enrollment, check, record="75")
    assert (verdict.ok, verdict.earned) == (False, 0)
    assert verdict.message == "Aucune campagne par e-mail envoyée dans votre base."


def test_merges_without_any_merge_say_so(enrollment):
    verdict = _grade(enrollment, {"type": "merges", "rule": "no_wrong_merge"})
    assert (verdict.ok, verdict.message) == (False, "Aucune fusion enregistrée dans votre base.")


# -- the trainers' form offers every type -----------------------------------------------------


def test_the_exercise_form_offers_every_type(trainer_client):
    html = trainer_client.get(reverse("training:exercise-create")).content.decode()
    for kind in check_types():
        assert f'<option value="{kind.name}"' in html
    for rule in ("segment:customers", "campaign:consent", "merges:no_wrong_merge"):
        assert f'value="{rule}"' in html
    assert f'value="{AREA_KIND}"' in html


def _post(trainer_client, target_kind, check_fields):
    data = {
        "title": "Cibler et fusionner",
        "category": "Ventes",
        "target_kind": target_kind,
        "instructions": "Construisez la cible du département {cible}.",
        "checks-TOTAL_FORMS": "1",
        "checks-INITIAL_FORMS": "0",
        "checks-MIN_NUM_FORMS": "1",
        "checks-MAX_NUM_FORMS": "20",
        "checks-0-points": "2",
        "checks-0-label": "Segment",
        "checks-0-op": "exact",
        "checks-0-op2": "exact",
        **{f"checks-0-{k}": v for k, v in check_fields.items()},
    }
    return trainer_client.post(reverse("training:exercise-create"), data)


def test_a_trainer_writes_a_segment_exercise_with_the_form(trainer_client):
    fields = {
        "kind": "segment",
        "rule": "segment:customers",
        "sales_target": TARGET,
        "segment_name": "Ma cible",
    }
    response = _post(trainer_client, AREA_KIND, fields)
    assert response.status_code == 302
    exercise = Exercise.objects.get(title="Cibler et fusionner")
    assert exercise.checks == [
        {
            "type": "segment",
            "label": "Segment",
            "points": 2,
            "rule": "customers",
            "target": TARGET,
            "name": "Ma cible",
        }
    ]
    # The edit form shows it back as it was written.
    edit = trainer_client.get(reverse("training:exercise-edit", args=[exercise.public_id]))
    html = edit.content.decode()
    assert 'value="segment:customers" selected' in html
    assert 'value="Ma cible"' in html


def test_the_form_says_what_a_type_misses_in_french(trainer_client):
    response = _post(trainer_client, AREA_KIND, {"kind": "merges", "rule": ""})
    assert "Choisissez la règle de la vérification." in response.content.decode()
    response = _post(
        trainer_client,
        "customer",
        {"kind": "campaign", "rule": "campaign:sent", "sales_target": TARGET, "channel": "sms"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "demande la cible « le département" in html
    assert not Exercise.objects.filter(title="Cibler et fusionner").exists()
