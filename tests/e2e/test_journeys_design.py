"""Designed journeys in a real browser: create one from a template, edit a step with the
keyboard, then see it on the journey map. axe-core checks each page."""

import json

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.journeys.models import Step
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def designer(transactional_db):
    organization = OrganizationFactory(name="Sécurité sociale des artistes auteurs", slug="ssaa")
    workspace = WorkspaceFactory(organization=organization, name="Relation affiliés")
    return UserFactory(
        username="parcours", role=Role.SUPERVISOR, organization=organization, workspaces=[workspace]
    )


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1700, "height": 900})
    return page


def test_edit_a_designed_journey_and_see_the_map(page, login, designer):
    login(designer)
    page.goto("/parcours/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcours conçus")
    assert_accessible(page)
    page.get_by_role("button", name="Affiliation d'un artiste-auteur").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Affiliation d'un artiste-auteur")
    assert_accessible(page)

    step = Step.objects.get(name="Appeler pour vérifier son éligibilité")
    edit_link = f"a[href$='/etapes/{step.public_id}/modifier/']"
    tab_to(page, edit_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier l'étape")
    assert_accessible(page)
    name = page.get_by_label("Nom de l'étape")
    name.fill("")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_role("alert").first).to_contain_text("Ce champ est obligatoire")
    assert_accessible(page)
    page.get_by_label("Nom de l'étape").fill("Être rappelé par un conseiller")
    page.get_by_label("Canal").select_option("phone")
    page.get_by_label("Ressenti de l'usager").select_option("1")
    page.get_by_label("Irritants").fill("Rappel sous 48 heures seulement")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(
        page.get_by_text("Étape « Être rappelé par un conseiller » enregistrée.")
    ).to_be_visible()

    page.get_by_role("link", name="Voir la carte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carte du parcours")
    expect(page.locator("thead")).to_contain_text("Être rappelé par un conseiller")
    expect(page.locator("#emotion-desc")).to_contain_text("Être rappelé par un conseiller : +1")
    expect(page.get_by_text("Rappel sous 48 heures seulement")).to_be_visible()
    assert_accessible(page)

    # Compare with an observed log: a mining result uploaded with the keyboard-reachable form.
    page.get_by_role("link", name="Retour à l'éditeur").click()
    page.get_by_role("link", name="Comparer à l'observé").click()
    assert_accessible(page)
    mined = {
        "n_cases": 10,
        "activity_counts": {"Consultation page affiliation": 10, "Dépôt demande affiliation": 12},
        "dfg": {"Consultation page affiliation -> Dépôt demande affiliation": 10},
        "performance_dfg": {
            "Consultation page affiliation -> Dépôt demande affiliation": {"mean": 3600.0}
        },
        "variants": [
            {
                "activities": ["Consultation page affiliation", "Dépôt demande affiliation"],
                "count": 8,
            },
            {
                "activities": [
                    "Dépôt demande affiliation",
                    "Consultation page affiliation",
                    "Dépôt demande affiliation",
                ],
                "count": 2,
            },
        ],
        "rework_cases_per_activity": {"Dépôt demande affiliation": 2},
    }
    page.get_by_label("Résultat d'analyse du journal (JSON)").set_input_files(
        files=[
            {
                "name": "resultat.json",
                "mimeType": "application/json",
                "buffer": json.dumps(mined).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_text("10 dossiers observés")).to_be_visible()
    expect(page.locator("#cmp-deviating + div")).to_contain_text(
        "« Consultation page affiliation » après « Dépôt demande affiliation »"
    )
    assert_accessible(page)
