"""Each built-in exercise fails on a fresh sandbox and passes once the task is done through
the CRM services; the check language refuses what is not whitelisted."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from relais.core.exceptions import NotFound
from relais.crm.models import Customer, Lead, Vehicle
from relais.crm.selectors import after_sales_of
from relais.crm.services import customers as customer_services
from relais.crm.services import leads as lead_services
from relais.crm.services import records as record_services
from relais.training import grading
from relais.training.catalogue import CATALOGUE
from relais.training.models import Exercise
from relais.training.services.exercises import (
    exercise_catalogue_install,
    exercise_check,
    exercise_open,
)
from tests.training.test_grading_sales_tools import SALES_CODES


def de(name: str) -> str:
    """« de Lucie », « d'Élodie »: French elision, as the exercise texts write it."""
    return f"d'{name}" if name[:1].lower() in "aeiouyhàâäéèêëîïôöùûü" else f"de {name}"


pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def catalogue():
    exercise_catalogue_install()
    return {e.code: e for e in Exercise.objects.filter(organization__isnull=True)}


def _start(fixed_clock, enrollment, exercise):
    """Open the exercise, then let a minute pass so that the work comes after the start."""
    result = exercise_open(actor=enrollment.learner, enrollment=enrollment, exercise=exercise)
    fixed_clock.shift(datetime.timedelta(minutes=1))
    return result


def _target(result):
    model = Lead if result.target["kind"] == "lead" else Customer
    return model.objects.get(public_id=result.target["id"])


def _fails(enrollment, exercise, answer=""):
    result = exercise_check(
        actor=enrollment.learner, enrollment=enrollment, exercise=exercise, answer=answer
    )
    assert result.score < result.max_score
    assert not result.passed
    assert any(not item["ok"] for item in result.feedback)
    return result


def _passes(enrollment, exercise, answer=""):
    result = exercise_check(
        actor=enrollment.learner, enrollment=enrollment, exercise=exercise, answer=answer
    )
    assert [i["message"] for i in result.feedback if not i["ok"]] == []
    assert result.score == result.max_score > 0
    assert result.passed
    return result


def test_catalogue_install_is_idempotent_and_covers_the_seed_tasks():
    # ``migrate`` installed it (post_migrate): from an empty catalogue, everything is created.
    Exercise.objects.filter(organization__isnull=True).delete()
    assert exercise_catalogue_install() == len(CATALOGUE)
    assert exercise_catalogue_install() == 0
    assert Exercise.objects.filter(organization__isnull=True).count() == len(CATALOGUE)
    codes = {item["code"] for item in CATALOGUE}
    assert {
        "creer-fiche-client",
        "modifier-fiche-client",
        "rechercher-fiche-client",
        "prochain-entretien",
        "planifier-relance",
        "planifier-rendez-vous",
        "ajouter-vehicule",
        "convertir-lead",
        "prospect-devient-client",
    } <= codes


def test_every_exercise_is_tested_here():
    tested = {name.removeprefix("test_exercise_").replace("_", "-") for name in globals()}
    # The sales-tool exercises are graded in tests/training/test_grading_sales_tools.py.
    tested |= set(SALES_CODES)
    assert {item["code"] for item in CATALOGUE} <= tested


def test_exercise_creer_fiche_client(fixed_clock, enrollment, catalogue):
    exercise = catalogue["creer-fiche-client"]
    _start(fixed_clock, enrollment, exercise)
    result = _fails(enrollment, exercise)
    assert result.score == 0
    assert "Aucune fiche créée au nom de Sophie LAMBERT depuis le 15/06/2025." in [
        i["message"] for i in result.feedback
    ]
    customer_services.customer_create(
        actor=enrollment.learner,
        workspace=enrollment.sandbox,
        kind="individual",
        contact_data={"first_name": "Sophie", "last_name": "LAMBERT", "street": "12 rue des Lilas"},
    )
    result = _fails(enrollment, exercise)
    assert result.score == 2
    assert "L'adresse de Sophie LAMBERT (69003 Lyon) est absente ou incomplète." in [
        i["message"] for i in result.feedback
    ]
    customer = Customer.objects.get(workspace=enrollment.sandbox, person__last_name="LAMBERT")
    customer_services.customer_update(
        actor=enrollment.learner,
        customer=customer,
        contact_data={
            "postal_code": "69003",
            "city": "Lyon",
            "phone_mobile": "06 12 34 56 78",
            "email": "Sophie.Lambert@example.fr",
        },
    )
    result = _passes(enrollment, exercise)
    assert result.attempts == 3
    assert result.best_score == result.max_score == 5


def test_exercise_modifier_fiche_client(fixed_clock, enrollment, catalogue):
    exercise = catalogue["modifier-fiche-client"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    assert result.target["label"] == customer.display_name
    result = _fails(enrollment, exercise)
    assert f"Le mobile {de(customer.display_name)} n'est pas 06 98 76 54 32." in [
        i["message"] for i in result.feedback
    ]
    customer_services.customer_update(
        actor=enrollment.learner,
        customer=customer,
        contact_data={
            "phone_mobile": "+33 6 98 76 54 32",
            "street": "5 place Bellecour",
            "postal_code": "69002",
            "city": "LYON",
        },
    )
    _passes(enrollment, exercise)


def test_exercise_rechercher_fiche_client(fixed_clock, enrollment, catalogue):
    exercise = catalogue["rechercher-fiche-client"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    plate = Vehicle.objects.filter(customer=customer).exclude(plate="").first().plate
    result = _fails(enrollment, exercise)
    assert result.feedback[0]["message"] == "Vous n'avez pas encore saisi de réponse."
    result = _fails(enrollment, exercise, answer="ZZ-999-ZZ")
    assert result.feedback[0]["message"] == "La réponse « ZZ-999-ZZ » n'est pas la bonne."
    # Spaces, dashes and case do not matter.
    _passes(enrollment, exercise, answer=plate.replace("-", " ").lower())


def test_exercise_prochain_entretien(fixed_clock, enrollment, catalogue):
    exercise = catalogue["prochain-entretien"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    expected = after_sales_of(customer=customer).frequency.next_expected_visit
    assert expected is not None
    _fails(enrollment, exercise)
    wrong = expected + datetime.timedelta(days=1)
    _fails(enrollment, exercise, answer=wrong.strftime("%d/%m/%Y"))
    _passes(enrollment, exercise, answer=expected.strftime("%d/%m/%Y"))
    _passes(enrollment, exercise, answer=expected.isoformat())
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    spelled = f"{expected.day} {months.split()[expected.month - 1]} {expected.year}"
    _passes(enrollment, exercise, answer=spelled)


def test_exercise_planifier_relance(fixed_clock, enrollment, catalogue):
    exercise = catalogue["planifier-relance"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    result = _fails(enrollment, exercise)
    assert f"Aucun appel enregistré pour {customer.display_name} depuis le 15/06/2025." in [
        i["message"] for i in result.feedback
    ]
    # 14 July is a public holiday: the follow-up date is there, but not on a working day.
    call = record_services.activity_create(
        actor=enrollment.learner,
        customer=customer,
        data={"kind": "call", "subject": "Offres", "next_follow_up_on": datetime.date(2025, 7, 14)},
    )
    result = _fails(enrollment, exercise)
    assert result.score == 2
    assert f"La relance {de(customer.display_name)} ne tombe pas un jour ouvré." in [
        i["message"] for i in result.feedback
    ]
    record_services.activity_update(
        actor=enrollment.learner,
        activity=call,
        data={"next_follow_up_on": datetime.date(2025, 7, 15)},
    )
    _passes(enrollment, exercise)


def test_exercise_planifier_rendez_vous(fixed_clock, enrollment, catalogue):
    exercise = catalogue["planifier-rendez-vous"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    result = _fails(enrollment, exercise)
    assert result.feedback[0]["message"] == (
        f"Aucun rendez-vous planifié pour {customer.display_name} après le 15/06/2025."
    )
    # A past appointment does not count.
    record_services.activity_create(
        actor=enrollment.learner,
        customer=customer,
        data={
            "kind": "appointment",
            "subject": "Essai",
            "occurred_at": datetime.datetime(2025, 6, 1, 10, tzinfo=PARIS),
        },
    )
    _fails(enrollment, exercise)
    record_services.activity_create(
        actor=enrollment.learner,
        customer=customer,
        data={
            "kind": "appointment",
            "subject": "Essai",
            "occurred_at": datetime.datetime(2025, 6, 17, 14, tzinfo=PARIS),
        },
    )
    _passes(enrollment, exercise)


def test_exercise_ajouter_vehicule(fixed_clock, enrollment, catalogue):
    exercise = catalogue["ajouter-vehicule"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    result = _fails(enrollment, exercise)
    assert f"Aucun véhicule GH-123-JK sur la fiche {de(customer.display_name)}." in [
        i["message"] for i in result.feedback
    ]
    vehicle = record_services.vehicle_create(
        actor=enrollment.learner,
        customer=customer,
        data={"make": "Renault", "model": "Clio", "energy": "petrol", "plate": "gh123jk"},
    )
    result = _fails(enrollment, exercise)
    assert result.score == 2
    record_services.mileage_reading_add(
        actor=enrollment.learner, vehicle=vehicle, read_on=datetime.date(2025, 6, 15), mileage=12500
    )
    _passes(enrollment, exercise)


def test_exercise_convertir_lead(fixed_clock, enrollment, catalogue):
    exercise = catalogue["convertir-lead"]
    result = _start(fixed_clock, enrollment, exercise)
    lead = _target(result)
    assert lead.customer_id is None
    result = _fails(enrollment, exercise)
    assert result.score == 0
    lead_services.lead_convert(actor=enrollment.learner, lead=lead)
    _passes(enrollment, exercise)


def test_exercise_prospect_devient_client(fixed_clock, enrollment, catalogue):
    exercise = catalogue["prospect-devient-client"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    assert customer.status == "prospect"
    result = _fails(enrollment, exercise)
    assert f"{customer.display_name} est encore un prospect." in [
        i["message"] for i in result.feedback
    ]
    vehicle = record_services.vehicle_create(
        actor=enrollment.learner,
        customer=customer,
        data={"make": "Peugeot", "model": "208", "energy": "electric", "plate": "AB-321-CD"},
    )
    record_services.invoice_create(
        actor=enrollment.learner,
        customer=customer,
        data={
            "kind": "vn",
            "number": "EX-0001",
            "issued_on": datetime.date(2025, 6, 15),
            "vehicle": vehicle,
        },
        lines=[
            {
                "label": "Peugeot e-208",
                "quantity": Decimal("1"),
                "unit_price_excl_tax": Decimal("30000"),
                "vat_rate": Decimal("20"),
            }
        ],
    )
    _passes(enrollment, exercise)


def test_target_is_deterministic_and_kept(enrollment, catalogue):
    exercise = catalogue["modifier-fiche-client"]
    first = exercise_open(actor=enrollment.learner, enrollment=enrollment, exercise=exercise)
    again = exercise_open(actor=enrollment.learner, enrollment=enrollment, exercise=exercise)
    assert first.target == again.target
    pick = grading.target_pick(
        kind="customer",
        workspace=enrollment.sandbox,
        salt=f"{enrollment.pk}:modifier-fiche-client:0",
    )
    assert pick == first.target


def test_work_done_before_the_start_does_not_count(fixed_clock, enrollment, catalogue):
    exercise = catalogue["creer-fiche-client"]
    customer_services.customer_create(
        actor=enrollment.learner,
        workspace=enrollment.sandbox,
        kind="individual",
        contact_data={"first_name": "Sophie", "last_name": "Lambert"},
    )
    fixed_clock.shift(datetime.timedelta(minutes=1))
    result = _start(fixed_clock, enrollment, exercise)
    result = _fails(enrollment, exercise)
    assert result.score == 0


def test_a_learner_cannot_check_another_learners_enrollment(
    enrollment, other_enrollment, catalogue
):
    with pytest.raises(NotFound):
        exercise_check(
            actor=enrollment.learner,
            enrollment=other_enrollment,
            exercise=catalogue["creer-fiche-client"],
        )


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"entity": "auth_user", "filters": []}, "Élément inconnu : auth_user."),
        (
            {"entity": "customer", "filters": [{"field": "owner__password", "op": "exact"}]},
            "Le champ « owner__password » n'existe pas pour « fiche client ».",
        ),
        (
            {"entity": "customer", "filters": [{"field": "status", "op": "regex", "value": "."}]},
            "Opérateur inconnu : regex.",
        ),
        (
            {
                "entity": "invoice",
                "filters": [{"field": "issued_on", "op": "gte", "value": "hier"}],
            },
            "Date non reconnue : « hier » (format JJ/MM/AAAA).",
        ),
        ({"entity": "customer", "min": 3, "max": 1}, "Le minimum dépasse le maximum."),
        ({"type": "answer", "compute": "__import__"}, "Calcul de réponse inconnu : __import__."),
    ],
)
def test_invalid_checks_are_refused_in_french(check, message):
    with pytest.raises(grading.CheckError) as caught:
        grading.validate_check(check)
    assert str(caught.value) == message


def test_values_are_parameters_not_sql(enrollment):
    outcome = grading.grade(
        checks=[
            {
                "entity": "customer",
                "filters": [
                    {"field": "person__last_name", "op": "icontains", "value": "' OR 1=1 --"}
                ],
                "min": 1,
                "points": 1,
                "label": "x",
            }
        ],
        workspace=enrollment.sandbox,
        target={},
        since=None,
    )
    assert outcome.score == 0
    assert outcome.feedback[0]["message"] == "Manquant : 0 trouvé(s), au moins 1 attendu(s)."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/06/2025", datetime.date(2025, 6, 15)),
        ("2025-06-15", datetime.date(2025, 6, 15)),
        ("15.06.2025", datetime.date(2025, 6, 15)),
        ("15/06/25", datetime.date(2025, 6, 15)),
        ("lundi 1er décembre 2025", datetime.date(2025, 12, 1)),
        ("15 Juin 2025", datetime.date(2025, 6, 15)),
        ("31/02/2025", None),
        ("bientôt", None),
    ],
)
def test_dates_typed_by_learners(text, expected):
    assert grading.parse_date(text) == expected


def test_a_reset_restarts_the_clock_and_a_vanished_target_is_picked_again(
    fixed_clock, enrollment, catalogue
):
    from django.utils import timezone

    from relais.crm.services.deletion import customer_delete

    exercise = catalogue["ajouter-vehicule"]
    result = _start(fixed_clock, enrollment, exercise)
    customer = _target(result)
    record_services.vehicle_create(
        actor=enrollment.learner,
        customer=customer,
        data={"make": "Renault", "model": "Clio", "energy": "petrol", "plate": "GH-123-JK"},
    )
    assert _fails(enrollment, exercise).score == 2
    # The sandbox is reset afterwards: what was done before no longer counts.
    fixed_clock.shift(datetime.timedelta(minutes=1))
    enrollment.last_reset_at = timezone.now()
    enrollment.reset_count = 1
    enrollment.save()
    assert _fails(enrollment, exercise).score == 0
    # The target disappears (deleted, or re-created by a reset): another one is picked.
    customer_delete(actor=enrollment.learner, customer=customer)
    result = _fails(enrollment, exercise)
    assert result.target["id"] != str(customer.public_id)
    assert Customer.objects.filter(public_id=result.target["id"]).exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Andrée MARTIN", "Le mobile d'Andrée MARTIN n'est pas"),
        ("Hélène DUPRÉ", "Le mobile d'Hélène DUPRÉ n'est pas"),
        ("Lucie BERNARD", "Le mobile de Lucie BERNARD n'est pas"),
    ],
    ids=["vowel", "mute-h", "consonant"],
)
def test_exercise_texts_elide_de_before_a_vowel(name, expected):
    from relais.training.grading import _fmt

    text = _fmt("Le mobile de {cible} n'est pas 06 98 76 54 32.", {"cible": name})
    assert text.startswith(expected)


def test_catalogue_instructions_never_assume_the_customers_gender():
    """« Le client {cible} … il » read « Le client Lucie … il » for a woman."""
    import re

    from relais.training.catalogue import CATALOGUE

    for exercise in CATALOGUE:
        text = exercise["instructions"]
        assert not re.search(r"\b(Le client|Le prospect|La cliente) \{cible\}", text), exercise[
            "code"
        ]
