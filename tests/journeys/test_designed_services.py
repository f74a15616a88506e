"""Designed journeys: the services (create, edit, duplicate, delete and restore, phases and
steps added, moved and deleted), their French refusals and the templates."""

import pytest
from django.core.exceptions import ValidationError

from relais.core.accounts.roles import Role
from relais.core.exceptions import AccessDenied, NotFound
from relais.journeys import services
from relais.journeys.models import Journey, Phase, Step
from relais.journeys.templates_catalogue import TEMPLATES
from tests.factories import OrganizationFactory, UserFactory

STEP = {"name": "Déposer la demande", "channel": "web", "actor": "customer", "emotion": 0}


@pytest.fixture
def journey(organization, supervisor):
    journey = services.journey_create(
        actor=supervisor, organization=organization, title="Affiliation", public="Artistes"
    )
    for name in ("S'informer", "Déposer", "Recevoir"):
        services.phase_add(actor=supervisor, journey=journey, name=name)
    return journey


def _names(queryset):
    return [item.name for item in queryset.order_by("order")]


def _layout(journey):
    return [(phase.name, _names(phase.steps)) for phase in journey.phases.order_by("order")]


def test_create_refuses_an_empty_title_in_french(organization, supervisor):
    with pytest.raises(ValidationError) as error:
        services.journey_create(actor=supervisor, organization=organization, title="   ")
    assert error.value.message_dict == {"title": ["Indiquez le titre du parcours."]}
    assert not Journey.objects.exists()


def test_an_agent_may_not_edit_and_a_stranger_does_not_find(organization, agent, journey):
    with pytest.raises(AccessDenied):
        services.journey_update(actor=agent, journey=journey, title="Piraté")
    stranger = UserFactory(role=Role.SUPERVISOR, organization=OrganizationFactory())
    with pytest.raises(NotFound):
        services.phase_add(actor=stranger, journey=journey, name="Intruse")
    journey.refresh_from_db()
    assert journey.title == "Affiliation"
    assert journey.phases.count() == 3


def test_phase_move_swaps_and_stays_at_the_ends(supervisor, journey):
    first, second, third = journey.phases.order_by("order")
    services.phase_move(actor=supervisor, phase=third, direction="up")
    assert _names(journey.phases) == ["S'informer", "Recevoir", "Déposer"]
    services.phase_move(actor=supervisor, phase=first, direction="up")
    assert _names(journey.phases) == ["S'informer", "Recevoir", "Déposer"]
    services.phase_move(actor=supervisor, phase=first, direction="down")
    assert _names(journey.phases) == ["Recevoir", "S'informer", "Déposer"]
    assert [p.order for p in journey.phases.order_by("order")] == [1, 2, 3]
    with pytest.raises(ValidationError):
        services.phase_move(actor=supervisor, phase=first, direction="sideways")


def test_steps_move_within_and_across_phases(supervisor, journey):
    inform, deposit, _receive = journey.phases.order_by("order")
    for name in ("A", "B"):
        services.step_add(actor=supervisor, phase=inform, fields={**STEP, "name": name})
    services.step_add(actor=supervisor, phase=deposit, fields={**STEP, "name": "C"})
    b = Step.objects.get(name="B")
    services.step_move(actor=supervisor, step=b, direction="up")
    assert _layout(journey)[0] == ("S'informer", ["B", "A"])
    a = Step.objects.get(name="A")
    services.step_move(actor=supervisor, step=a, direction="down")  # to the next phase's top
    assert _layout(journey)[:2] == [("S'informer", ["B"]), ("Déposer", ["A", "C"])]
    services.step_move(actor=supervisor, step=Step.objects.get(name="A"), direction="up")
    assert _layout(journey)[:2] == [("S'informer", ["B", "A"]), ("Déposer", ["C"])]
    services.step_move(actor=supervisor, step=Step.objects.get(name="B"), direction="up")
    assert _layout(journey)[0] == ("S'informer", ["B", "A"])  # the journey's first step stays
    orders = [s.order for s in inform.steps.order_by("order")]
    assert orders == [1, 2]


def test_step_errors_are_french_and_nothing_is_written(supervisor, journey):
    phase = journey.phases.first()
    bad = {
        "name": "",
        "channel": "fax",
        "actor": "robot",
        "duration_value": "-3",
        "duration_unit": "minutes",
        "emotion": "5",
    }
    with pytest.raises(ValidationError) as error:
        services.step_add(actor=supervisor, phase=phase, fields=bad)
    messages = error.value.message_dict
    assert messages["name"] == ["Indiquez le nom de l'étape."]
    assert messages["channel"] == ["Choisissez un canal dans la liste."]
    assert messages["actor"] == ["Choisissez un acteur dans la liste."]
    assert messages["duration_value"] == ["Une durée ne peut pas être négative."]
    assert "de -2" in messages["emotion"][0]
    assert not Step.objects.exists()


def test_step_delete_and_phase_delete_renumber(supervisor, journey):
    inform = journey.phases.order_by("order").first()
    for name in ("A", "B", "C"):
        services.step_add(actor=supervisor, phase=inform, fields={**STEP, "name": name})
    services.step_delete(actor=supervisor, step=Step.objects.get(name="A"))
    assert [(s.name, s.order) for s in inform.steps.order_by("order")] == [("B", 1), ("C", 2)]
    services.phase_delete(actor=supervisor, phase=inform)
    assert [(p.name, p.order) for p in journey.phases.order_by("order")] == [
        ("Déposer", 1),
        ("Recevoir", 2),
    ]
    assert not Step.objects.filter(name__in=["B", "C"]).exists()


def test_delete_is_undone_by_restore(supervisor, journey):
    services.journey_delete(actor=supervisor, journey=journey)
    assert not Journey.objects.alive().filter(pk=journey.pk).exists()
    with pytest.raises(ValidationError):
        services.phase_add(actor=supervisor, journey=Journey.objects.get(pk=journey.pk), name="X")
    services.journey_restore(actor=supervisor, journey=journey)
    restored = Journey.objects.alive().get(pk=journey.pk)
    assert restored.phases.count() == 3


def test_duplicate_copies_phases_and_steps(supervisor, journey):
    services.step_add(
        actor=supervisor,
        phase=journey.phases.first(),
        fields={**STEP, "pain_points": "Attente", "duration_value": 3, "duration_unit": "days"},
    )
    copy = services.journey_duplicate(actor=supervisor, journey=journey)
    assert copy.title == "Affiliation (copie)"
    assert _layout(copy) == _layout(journey)
    step = Step.objects.get(phase__journey=copy)
    assert (step.pain_points, step.duration_minutes) == ("Attente", 3 * 24 * 60)
    assert step.pk != Step.objects.get(phase__journey=journey).pk


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_each_template_builds_a_complete_journey(organization, key):
    journey = services.journey_from_template(key, organization)
    template = TEMPLATES[key]
    assert journey.title == template["title"]
    assert _names(journey.phases) == [name for name, _steps in template["phases"]]
    steps = Step.objects.filter(phase__journey=journey)
    assert steps.count() == sum(len(s) for _n, s in template["phases"])
    assert all(step.channel and step.activity for step in steps)
    assert any(step.pain_points for step in steps)
    assert {step.emotion for step in steps} - {0}


def test_an_unknown_template_is_refused(organization):
    with pytest.raises(ValidationError) as error:
        services.journey_from_template("inconnu", organization)
    assert "n'existe pas" in error.value.messages[0]
    assert not Phase.objects.exists()
