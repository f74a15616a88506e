"""Undoing a deletion in a real browser, with the keyboard only: the success message's
"Annuler la suppression" button brings the card back; axe-core checks the pages on the way."""

import pytest
from playwright.sync_api import expect

from relais.crm.models import Customer
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.e2e


def test_a_deletion_is_undone_from_the_message_with_the_keyboard(
    page, login, supervisor, workspace, transactional_db
):
    customer = CustomerFactory(
        workspace=workspace, person__first_name="Léa", person__last_name="Partante"
    )
    VehicleFactory(customer=customer, plate="GH-789-JK")
    login(supervisor)
    page.goto(f"/crm/clients/{customer.public_id}/supprimer/")
    assert_accessible(page)
    page.get_by_role("button", name="Supprimer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("Léa PARTANTE a été supprimée.")
    assert_accessible(page)
    assert not Customer.objects.exists()

    tab_to(page, "button:has-text('Annuler la suppression')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("La fiche est restaurée.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PARTANTE")
    assert_accessible(page)
    assert Customer.objects.get().public_id == customer.public_id


def test_the_trash_restores_with_the_keyboard(page, login, supervisor, workspace, transactional_db):
    from relais.crm.services.deletion import customer_delete

    customer = CustomerFactory(workspace=workspace, person__last_name="Oubliée")
    public_id = customer.public_id
    customer_delete(actor=supervisor, customer=customer)
    login(supervisor)
    page.goto("/crm/clients/")
    page.get_by_role("link", name="Corbeille").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Corbeille des clients")
    assert_accessible(page)
    tab_to(page, "button:has-text('Restaurer')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("La fiche est restaurée.")
    assert Customer.objects.get().public_id == public_id
