"""The journey pages: list and empty state, creation from a template, the editor's forms and
their French errors, moves, deletion with restore, the map, the exports, escaping and access."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from relais.core.accounts.roles import Role
from relais.journeys import services
from relais.journeys.models import Journey, Step
from tests.factories import UserFactory, WorkspaceFactory

STEP_POST = {
    "name": "Appeler le centre",
    "activity": "",
    "channel": "phone",
    "actor": "customer",
    "duration_value": "12",
    "duration_unit": "minutes",
    "documents": "",
    "pain_points": "Attente\nRéponses contradictoires",
    "opportunities": "",
    "emotion": "-1",
}


@pytest.fixture
def journey(organization):
    return services.journey_from_template("affiliation", organization)


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


def test_empty_list_offers_templates_to_an_editor_only(supervisor_client, client, agent):
    page = supervisor_client.get(_url("journey-list")).content.decode()
    assert "Aucun parcours conçu" in page
    assert "Déclaration annuelle des revenus artistiques" in page
    assert _url("journey-from-template") in page
    client.force_login(agent)
    page = client.get(_url("journey-list")).content.decode()
    assert "Aucun parcours conçu" in page and _url("journey-from-template") not in page


def test_create_from_template_then_see_the_editor(supervisor_client, organization):
    response = supervisor_client.post(_url("journey-from-template"), {"template": "action_sociale"})
    journey = Journey.objects.get(organization=organization)
    assert response.status_code == 302
    assert response["Location"] == _url("journey-detail", journey_id=journey.public_id)
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "Demande d&#x27;aide à l&#x27;action sociale" in page
    assert "Phase 1 : Découvrir l&#x27;aide" in page


def test_an_unknown_template_is_a_french_error(supervisor_client):
    response = supervisor_client.post(_url("journey-from-template"), {"template": "pirate"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Journey.objects.exists()


def test_blank_creation_errors_are_french(supervisor_client):
    response = supervisor_client.post(_url("journey-create"), {"title": "", "public": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le formulaire contient des erreurs" in page and "Ce champ est obligatoire" in page
    assert 'aria-invalid="true"' in page
    assert not Journey.objects.exists()


def test_step_add_with_errors_then_valid(supervisor_client, journey):
    phase = journey.phases.order_by("order").first()
    url = _url("step-add", journey_id=journey.public_id, phase_id=phase.public_id)
    bad = {**STEP_POST, "name": "  ", "emotion": "7", "duration_value": "abc"}
    response = supervisor_client.post(url, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez un nombre entier" in page
    assert "Sélectionnez un choix valide" in page
    before = phase.steps.count()
    response = supervisor_client.post(url, STEP_POST)
    assert response.status_code == 302
    step = phase.steps.order_by("order").last()
    assert (step.name, step.channel, step.emotion, step.order) == (
        "Appeler le centre",
        "phone",
        -1,
        before + 1,
    )
    assert step.pain_point_list == ["Attente", "Réponses contradictoires"]


def test_service_errors_reach_the_step_form(supervisor_client, journey):
    step = Step.objects.filter(phase__journey=journey).first()
    url = _url("step-edit", journey_id=journey.public_id, step_id=step.public_id)
    response = supervisor_client.post(
        url, {**STEP_POST, "duration_value": "5000", "duration_unit": "days"}
    )
    assert response.status_code == 400
    assert "Durée trop longue : 730 jours au plus." in response.content.decode()
    step.refresh_from_db()
    assert step.duration_value != 5000


def test_script_in_a_step_name_is_escaped_everywhere(supervisor_client, journey):
    phase = journey.phases.order_by("order").first()
    script = '<script>alert("x")</script>'
    supervisor_client.post(
        _url("step-add", journey_id=journey.public_id, phase_id=phase.public_id),
        {**STEP_POST, "name": script, "pain_points": script},
    )
    assert Step.objects.filter(name=script).exists()
    for name in ("journey-detail", "journey-map"):
        page = supervisor_client.get(_url(name, journey_id=journey.public_id)).content.decode()
        assert script not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_moves_and_deletions_through_the_pages(supervisor_client, journey):
    phases = list(journey.phases.order_by("order"))
    response = supervisor_client.post(
        _url("phase-move", journey_id=journey.public_id, phase_id=phases[1].public_id),
        {"direction": "up"},
    )
    assert response.status_code == 302
    assert [p.name for p in journey.phases.order_by("order")][:2] == [
        phases[1].name,
        phases[0].name,
    ]
    first_step = phases[0].steps.order_by("order").first()
    supervisor_client.post(
        _url("step-move", journey_id=journey.public_id, step_id=first_step.public_id),
        {"direction": "down"},
    )
    assert phases[0].steps.order_by("order")[1].pk == first_step.pk
    supervisor_client.post(
        _url("step-delete", journey_id=journey.public_id, step_id=first_step.public_id)
    )
    assert not Step.objects.filter(pk=first_step.pk).exists()
    confirm = supervisor_client.get(
        _url("phase-delete", journey_id=journey.public_id, phase_id=phases[2].public_id)
    )
    assert "seront supprimées définitivement" in confirm.content.decode()
    supervisor_client.post(
        _url("phase-delete", journey_id=journey.public_id, phase_id=phases[2].public_id)
    )
    assert journey.phases.count() == len(phases) - 1


def test_delete_then_restore_from_the_bin(supervisor_client, journey):
    response = supervisor_client.post(_url("journey-delete", journey_id=journey.public_id))
    assert response.status_code == 302
    assert (
        supervisor_client.get(_url("journey-detail", journey_id=journey.public_id)).status_code
        == 404
    )
    page = supervisor_client.get(_url("journey-list")).content.decode()
    assert "Corbeille" in page and _url("journey-restore", journey_id=journey.public_id) in page
    supervisor_client.post(_url("journey-restore", journey_id=journey.public_id))
    assert (
        supervisor_client.get(_url("journey-detail", journey_id=journey.public_id)).status_code
        == 200
    )


def test_an_agent_reads_but_may_not_edit(agent_client, journey):
    assert agent_client.get(_url("journey-map", journey_id=journey.public_id)).status_code == 200
    page = agent_client.get(_url("journey-detail", journey_id=journey.public_id)).content.decode()
    assert "Ajouter une phase" not in page
    response = agent_client.post(
        _url("phase-add", journey_id=journey.public_id), {"name": "Intruse"}
    )
    assert response.status_code == 403
    assert not journey.phases.filter(name="Intruse").exists()
    assert agent_client.get(_url("journey-create")).status_code == 403


def test_another_organizations_journey_is_not_found(client, journey):
    other = WorkspaceFactory(name="Ailleurs")
    stranger = UserFactory(
        role=Role.SUPERVISOR, organization=other.organization, workspaces=[other]
    )
    client.force_login(stranger)
    step = Step.objects.filter(phase__journey=journey).first()
    for name, kwargs in (
        ("journey-detail", {}),
        ("journey-map", {}),
        ("journey-bpmn", {}),
        ("step-edit", {"step_id": step.public_id}),
    ):
        assert client.get(_url(name, journey_id=journey.public_id, **kwargs)).status_code == 404
    response = client.post(
        _url("step-edit", journey_id=journey.public_id, step_id=step.public_id), STEP_POST
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.name != STEP_POST["name"]
    assert journey.title not in client.get(_url("journey-list")).content.decode()


def test_map_shows_swimlanes_emotion_and_pains(agent_client, journey):
    page = agent_client.get(_url("journey-map", journey_id=journey.public_id)).content.decode()
    for lane in ("Site internet", "Téléphone", "Courriel", "Courrier", "Traitement interne"):
        assert f'<th scope="row">{lane}</th>' in page
    assert "Rendez-vous</th>" not in page  # no appointment step in this journey
    assert 'role="img"' in page and '<desc id="emotion-desc">' in page
    assert "Pièce demandée deux fois" in page
    assert 'colspan="4"' in page  # the "Instruction" phase spans its four steps


def test_exports_download(agent_client, journey):
    bpmn = agent_client.get(_url("journey-bpmn", journey_id=journey.public_id))
    assert bpmn["Content-Type"].startswith("application/xml")
    assert "affiliation-dun-artiste-auteur.bpmn" in bpmn["Content-Disposition"]
    assert b"http://www.omg.org/spec/BPMN/20100524/MODEL" in bpmn.content
    channels = agent_client.get(_url("journey-bpmn-channels", journey_id=journey.public_id))
    assert "affiliation-dun-artiste-auteur.canaux.bpmn" in channels["Content-Disposition"]
    assert b'name="T\xc3\xa9l\xc3\xa9phone"' in channels.content
    data = json.loads(agent_client.get(_url("journey-json", journey_id=journey.public_id)).content)
    assert data["title"] == journey.title
    csv = agent_client.get(_url("journey-csv", journey_id=journey.public_id))
    assert csv.content.decode("utf-8-sig").startswith("n° phase;phase;")


def _mining_file(content, name="resultat.json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_compare_with_an_uploaded_mining_result(agent_client, journey):
    mined = {
        "n_cases": 4,
        "activity_counts": {
            "Consultation page affiliation": 4,
            "Dépôt demande affiliation": 5,
            "Appel <b>hors modèle</b>": 1,
        },
        "dfg": {"Consultation page affiliation -> Dépôt demande affiliation": 4},
        "performance_dfg": {
            "Consultation page affiliation -> Dépôt demande affiliation": {"mean": 7200.0}
        },
        "variants": [
            {
                "activities": ["Consultation page affiliation", "Dépôt demande affiliation"],
                "count": 3,
            },
            {
                "activities": [
                    "Dépôt demande affiliation",
                    "Consultation page affiliation",
                    "Dépôt demande affiliation",
                    "Appel <b>hors modèle</b>",
                ],
                "count": 1,
            },
        ],
        "rework_cases_per_activity": {"Dépôt demande affiliation": 1},
    }
    url = _url("journey-compare", journey_id=journey.public_id)
    assert "Comparer" in agent_client.get(url).content.decode()
    response = agent_client.post(url, {"result": _mining_file(mined)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "4 dossiers observés" in page
    assert "2\u00a0h\u00a000" in page  # mean time to reach the deposit
    assert "Appel &lt;b&gt;hors modèle&lt;/b&gt;" in page and "<b>hors" not in page
    assert "« Consultation page affiliation » après « Dépôt demande affiliation »" in page
    result = response.context["result"]
    deposit = next(r for r in result["steps"] if r["activity"] == "Dépôt demande affiliation")
    assert (deposit["cases"], deposit["rework_cases"]) == (4, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00pas du texte", "n&#x27;est pas du texte UTF-8"),
        (b"{pas du json", "n&#x27;est pas un JSON valide"),
        ({"variants": []}, "activity_counts"),
    ],
    ids=["binary", "broken-json", "not-a-result"],
)
def test_compare_refuses_bad_files_in_french(agent_client, journey, content, message):
    url = _url("journey-compare", journey_id=journey.public_id)
    response = agent_client.post(url, {"result": _mining_file(content)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_edit_and_duplicate_through_the_pages(supervisor_client, journey):
    url = _url("journey-edit", journey_id=journey.public_id)
    assert escape(journey.title) in supervisor_client.get(url).content.decode()
    response = supervisor_client.post(
        url, {"title": "Affiliation des photographes", "public": "Photographes"}
    )
    assert response.status_code == 302
    journey.refresh_from_db()
    assert (journey.title, journey.public, journey.procedure) == (
        "Affiliation des photographes",
        "Photographes",
        "",
    )
    response = supervisor_client.post(_url("journey-duplicate", journey_id=journey.public_id))
    copy = Journey.objects.exclude(pk=journey.pk).get()
    assert response["Location"] == _url("journey-detail", journey_id=copy.public_id)
    assert copy.title == "Affiliation des photographes (copie)"
    assert (
        Step.objects.filter(phase__journey=copy).count()
        == Step.objects.filter(phase__journey=journey).count()
    )
