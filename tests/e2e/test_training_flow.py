"""The training simulator in a real browser: a trainer opens a class and enrolls a learner;
the learner works in their sandbox, saves it to Excel, resets it (with the keyboard only),
restores the saved workbook and finds their work again. axe-core checks every training page.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.crm.models import Customer
from relais.training.models import Enrollment, SchoolBase
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e

TODAY = datetime.date.today()


@pytest.fixture
def trainer(transactional_db):
    organization = OrganizationFactory(name="Centre de formation auto", slug="cfa-auto")
    trainer = UserFactory(username="formatrice", role=Role.TRAINER, organization=organization)
    template = WorkspaceFactory(
        organization=organization, name="Base école e2e", kind=WorkspaceKind.TEMPLATE
    )
    generate_customers(workspace=template, count=12, seed=7, today=TODAY, owner=trainer)
    SchoolBase.objects.create(workspace=template, seed=7, reference_date=TODAY, customer_count=12)
    return trainer


def _log_in(page, username: str, password: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_trainer_class_then_learner_edits_saves_resets_and_restores(page, login, trainer, tmp_path):
    # --- the trainer opens a class and enrolls a new learner ---
    login(trainer)
    page.goto("/formation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formation")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle session").first.click()
    assert_accessible(page)
    page.get_by_label("Nom de la session").fill("Session e2e")
    page.get_by_label("Base école").select_option(label="Base école e2e")
    page.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session e2e")
    assert_accessible(page, screen="formateur-session")
    page.get_by_label("Identifiant de connexion").fill("lea")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_role("button", name="Inscrire et créer son bac à sable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apprenant inscrit")
    assert_accessible(page)
    password = page.locator("#new-password").inner_text().strip()
    page.get_by_role("link", name="Retour à la session").click()
    expect(page.locator("main")).to_contain_text("Léa Martin")
    page.get_by_role("button", name="Se déconnecter").click()

    enrollment = Enrollment.objects.get(learner__username="lea")
    sandbox = enrollment.sandbox
    assert Customer.objects.in_workspace(sandbox).count() == 12

    # --- the learner works in their sandbox ---
    _log_in(page, "lea", password)
    page.goto("/formation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma formation")
    assert_accessible(page)
    page.get_by_role("button", name="Travailler dans ma base").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clients")
    page.get_by_role("link", name="Nouveau particulier").first.click()
    page.locator("#id_last_name").fill("Travail-Apprenant")
    page.get_by_label("Prénom").fill("Jules")
    page.get_by_label("Téléphone portable").fill("06 45 78 12 90")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TRAVAIL-APPRENANT")
    assert Customer.objects.in_workspace(sandbox).count() == 13

    # --- saves it to Excel ---
    page.goto("/formation/")
    page.get_by_role("link", name="Exporter ma base (Excel)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Préparer la sauvegarde").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le fichier").click()
    saved = tmp_path / "ma-base.xlsx"
    download_info.value.save_as(saved)
    assert saved.stat().st_size > 0

    # --- resets it, with the keyboard only ---
    page.goto("/formation/")
    tab_to(page, "a:has-text('Réinitialiser ma base')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réinitialiser ma base ?")
    assert_accessible(page)
    tab_to(page, "#confirm-reset")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma formation")
    expect(page.locator("main")).to_contain_text("est réinitialisé")
    assert_accessible(page)
    assert Customer.objects.in_workspace(sandbox).count() == 12
    assert (
        not Customer.objects.in_workspace(sandbox)
        .filter(sort_name__icontains="travail-apprenant")
        .exists()
    )
    enrollment.refresh_from_db()
    assert enrollment.reset_count == 1

    # --- restores the workbook and finds the work again ---
    page.get_by_role("link", name="Importer une sauvegarde").click()
    assert_accessible(page)
    page.get_by_label("Classeur Excel (.xlsx)").set_input_files(str(saved))
    page.get_by_label(re.compile("sera remplacé")).check()
    page.get_by_role("button", name="Remplacer le contenu par ce classeur").click()
    page.wait_for_load_state()
    assert Customer.objects.in_workspace(sandbox).count() == 13
    page.goto("/crm/clients/?q=Travail-Apprenant")
    expect(page.locator("#customer-results")).to_contain_text("TRAVAIL-APPRENANT")
