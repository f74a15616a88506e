"""A learner opens an exercise, does it in the CRM, checks it and sees the score; axe-core
checks the exercise pages (learner and trainer)."""

import datetime

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.training.models import Enrollment, TrainingClass
from tests.e2e.conftest import assert_accessible
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def classroom(transactional_db):
    today = datetime.date.today()
    organization = OrganizationFactory(name="CFA Auto", slug="cfa-auto")
    trainer = UserFactory(username="formatrice", role=Role.TRAINER, organization=organization)
    template = WorkspaceFactory(
        organization=organization, name="Base école", kind=WorkspaceKind.TEMPLATE
    )
    training_class = TrainingClass.objects.create(
        organization=organization, name="Session test", template=template, trainer=trainer
    )
    sandbox = WorkspaceFactory(
        organization=organization, name="Ma base", kind=WorkspaceKind.SANDBOX, template=template
    )
    learner = UserFactory(
        username="eleve", role=Role.LEARNER, organization=organization, workspaces=[sandbox]
    )
    generate_customers(workspace=sandbox, count=5, seed=4, today=today, owner=learner)
    Enrollment.objects.create(
        training_class=training_class, learner=learner, sandbox=sandbox, materialised_for=today
    )
    return trainer, learner


def test_learner_does_an_exercise_and_sees_the_score(page, login, classroom):
    trainer, learner = classroom
    login(learner)
    page.goto("/formation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma formation")
    assert_accessible(page, screen="apprenant-accueil")
    page.goto("/formation/exercices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes exercices")
    assert_accessible(page)
    page.get_by_role("link", name="Créer une fiche client").click()
    expect(page.locator("main")).to_contain_text("Sophie LAMBERT")
    assert_accessible(page, screen="apprenant-exercice")
    page.get_by_role("button", name="Commencer l'exercice").click()
    page.get_by_role("button", name="Vérifier mon travail").click()
    expect(page.locator("#relais-result")).to_contain_text("Score : 0 / 5")
    expect(page.locator("#relais-result")).to_contain_text("Aucune fiche créée au nom de Sophie")
    assert_accessible(page, screen="apprenant-resultat")
    exercise_url = page.url.removesuffix("verifier/")

    # The task, done in the CRM itself.
    page.goto("/crm/clients/")
    page.get_by_role("link", name="Nouveau particulier").first.click()
    page.locator("#id_last_name").fill("Lambert")
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("E-mail", exact=True).fill("sophie.lambert@example.fr")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sophie LAMBERT")

    page.goto(exercise_url)
    page.get_by_role("button", name="Vérifier mon travail").click()
    result = page.locator("#relais-result")
    expect(result).to_contain_text("Score : 3 / 5")
    expect(result).to_contain_text("L'adresse de Sophie LAMBERT (69003 Lyon) est absente")
    page.goto("/formation/exercices/")
    expect(page.locator("main")).to_contain_text("3 / 5")


def test_trainer_exercise_pages_are_accessible(page, login, classroom):
    trainer, _learner = classroom
    login(trainer)
    page.goto("/formation/exercices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue d'exercices")
    assert_accessible(page, screen="formateur-catalogue")
    page.get_by_role("link", name="Planifier une relance").click()
    assert_accessible(page)
    page.goto("/formation/exercices/nouveau/")
    assert_accessible(page, screen="formateur-nouvel-exercice")
    page.get_by_role("button", name="Enregistrer l'exercice").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page)
    page.goto("/formation/exercices/")
    page.get_by_role("link", name="résultats Session test").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session test")
    assert_accessible(page, screen="formateur-resultats")
    # One column per exercise: the table scrolls inside its region, the page never does, and
    # its last column can be brought into view (it used to be clipped on the right).
    region = page.get_by_role("region", name="Tableau des résultats, défilant horizontalement")
    assert region.evaluate(
        "el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)"
        " && el.getBoundingClientRect().right <= document.documentElement.clientWidth"
    )
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    expect(page.get_by_role("columnheader", name="Réussis")).to_be_in_viewport()
