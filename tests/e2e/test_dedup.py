"""Review and merge two duplicates in a real browser, then undo the merge; the same wizard
with the keyboard only; bulk cleaning with preview. axe-core checks every page."""

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.contacts.models import Person
from relais.crm.models import Customer, CustomerMerge, Note
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import (
    CustomerFactory,
    NoteFactory,
    OrganizationFactory,
    UserFactory,
    VehicleFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def dealership(transactional_db):
    organization = OrganizationFactory(name="Garage Martin", slug="garage-martin")
    workspace = WorkspaceFactory(organization=organization, name="Concession de Nantes")
    user = UserFactory(
        username="conseiller", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )
    first = CustomerFactory(
        workspace=workspace,
        person__first_name="Élodie",
        person__last_name="Lefèvre",
        person__email="",
        person__phone_mobile="06 45 78 12 90",
        person__street="3 boulevard Guist'hau",
        person__postal_code="44000",
        person__city="Nantes",
    )
    second = CustomerFactory(
        workspace=workspace,
        person__first_name="Elodie",
        person__last_name="LEFEVRE",
        person__email="elodie.lefevre@exemple.fr",
        person__phone_mobile="+33 6 45 78 12 90",
        person__street="3 bd Guist'hau",
        person__postal_code="44000",
        person__city="Nantes",
    )
    VehicleFactory(customer=second)
    note = NoteFactory(customer=second)
    return {"user": user, "first": first, "second": second, "note": note}


def _search_and_open_pair(page):
    page.get_by_role("link", name="Doublons").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Doublons")
    expect(page.locator(".relais-empty")).to_contain_text("Aucun doublon à examiner")
    assert_accessible(page)  # empty state
    page.get_by_role("button", name="Lancer la recherche").click()
    expect(page.locator("#dedup-counts")).to_contain_text("1 paire à examiner")
    expect(page.locator("#dedup-search-progress")).to_contain_text("Terminé")
    assert_accessible(page)


def test_review_merge_and_undo_two_duplicates(page, login, dealership):
    login(dealership["user"])
    _search_and_open_pair(page)
    page.get_by_role("link", name="Comparer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparer deux fiches")
    expect(page.locator("table")).to_contain_text("Date de naissance")
    assert_accessible(page, screen="doublons-comparer")

    page.get_by_role("link", name="Fusionner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fusionner deux fiches")
    assert_accessible(page)
    first, second = dealership["first"], dealership["second"]
    # A has the smaller key: the first record. Keep A, with B's e-mail (A has none: proposed).
    expect(page.get_by_label("Fiche B : elodie.lefevre@exemple.fr")).to_be_checked()
    page.get_by_label("Fiche B : 3 bd Guist'hau, 44000, Nantes").check()
    page.get_by_role("button", name="Vérifier la fusion").click()
    expect(page.locator("#merge-preview")).to_contain_text("véhicules : 1")
    expect(page.locator("#merge-preview")).to_contain_text("notes")
    assert_accessible(page, screen="doublons-fusion")
    page.get_by_role("button", name="Confirmer la fusion").click()

    expect(page.locator(".relais-messages")).to_contain_text("sont fusionnées")
    expect(page.get_by_role("button", name="Annuler la fusion")).to_be_visible()
    assert_accessible(page)
    survivor = Person.objects.get(pk=first.person_id)
    assert survivor.email == "elodie.lefevre@exemple.fr"
    assert survivor.street == "3 bd Guist'hau"
    assert not Customer.objects.filter(pk=second.pk).exists()
    assert Note.objects.get(pk=dealership["note"].pk).customer_id == first.pk

    page.get_by_role("link", name="Fusions effectuées").click()
    expect(page.locator("table")).to_contain_text("En vigueur")
    assert_accessible(page)
    page.get_by_role("link", name="Détail").first.click()
    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.locator(".relais-messages")).to_contain_text("La fusion est annulée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Elodie LEFEVRE")
    assert Customer.objects.filter(public_id=second.public_id).exists()
    assert Note.objects.get(pk=dealership["note"].pk).customer_id == second.pk
    assert Person.objects.get(pk=first.person_id).email == ""
    assert CustomerMerge.objects.get().undone_at is not None


def test_merge_wizard_with_the_keyboard_only(page, login, dealership):
    login(dealership["user"])
    _search_and_open_pair(page)
    tab_to(page, "a:has-text('Comparer')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    tab_to(page, "a:has-text('Fusionner')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # Keep record B: arrow keys move within a radio group.
    tab_to(page, "#id_keep_0")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_keep_1")).to_be_checked()
    tab_to(page, "button:has-text('Vérifier la fusion')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#merge-preview")).to_be_visible()
    tab_to(page, "button:has-text('Confirmer la fusion')")
    page.keyboard.press("Enter")
    expect(page.locator(".relais-messages")).to_contain_text("sont fusionnées")
    merge = CustomerMerge.objects.get()
    assert merge.survivor_id == dealership["second"].pk
    assert merge.absorbed_public_id == dealership["first"].public_id


def test_bulk_cleaning_with_preview_then_undo(page, login, dealership):
    CustomerFactory(
        workspace=dealership["first"].workspace,
        person__first_name="jean-pierre",
        person__last_name="DUPONT",
        person__postal_code="44000",
        person__city="nantes",
    )
    login(dealership["user"])
    page.goto("/crm/doublons/nettoyage/")
    assert_accessible(page)
    page.get_by_label("Majuscules des noms et prénoms").check()
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.locator("#cleaning-count")).to_contain_text("à corriger")
    expect(page.locator("table")).to_contain_text("Jean-Pierre")
    assert_accessible(page, screen="doublons-nettoyage")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator(".relais-messages")).to_contain_text("corrigée")
    assert Person.objects.filter(first_name="Jean-Pierre", last_name="Dupont").exists()
    page.get_by_role("button", name="Annuler ce nettoyage").click()
    expect(page.locator(".relais-messages")).to_contain_text("Nettoyage annulé")
    assert Person.objects.filter(first_name="jean-pierre", last_name="DUPONT").exists()
    assert_accessible(page)
