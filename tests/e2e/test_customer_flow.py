"""A newcomer's first customer, in a real browser: create the record, add a vehicle and two
after-sales visits, then read the status, the mileage chart and the visit frequency.

axe-core checks every page on the way; a second test does the same flow with the keyboard only.

Deterministic: the dates are the live server's day (Europe/Paris, not the machine's UTC day,
read when the test runs rather than when the module was imported), and every submitted form
is waited for before the next link is followed (a click on the card's tabs while the invoice
was still being posted used to cancel the post, and one visit went missing).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.crm.models import Customer, CustomerStatus, Invoice, MileageReading
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


def _visits() -> tuple[datetime.date, datetime.date]:
    """Two after-sales visits 360 days apart, dated from the live server's today."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=400), today - datetime.timedelta(days=40)


@pytest.fixture
def newcomer(transactional_db):
    organization = OrganizationFactory(
        name="Garage Martin", slug="garage-martin", header_text="Simulateur CRM — CNSA"
    )
    workspace = WorkspaceFactory(organization=organization, name="Concession de Nantes")
    return UserFactory(
        username="nouveau", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )


def fill_invoice(
    page, *, number: str, day: datetime.date, mileage: int, label: str, price: str
) -> None:
    page.locator("#id_number").fill(number)
    page.locator("#id_issued_on").fill(day.isoformat())
    page.get_by_label("Véhicule").select_option(index=1)
    page.get_by_label("Kilométrage au passage").fill(str(mileage))
    page.locator("input[name$='-0-label']").fill(label)
    page.locator("input[name$='-0-unit_price_excl_tax']").fill(price)


def test_newcomer_creates_a_customer_with_vehicle_and_after_sales(page, login, newcomer):
    first_visit, second_visit = _visits()
    page.goto("/comptes/connexion/")
    assert_accessible(page)
    login(newcomer)
    # The home page lists the role's tools; the CRM is one of them.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    expect(page.locator("header")).to_contain_text("Simulateur CRM — CNSA")  # white-label header
    assert_accessible(page)  # the home page
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Clients"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clients")
    assert_accessible(page)  # the list, empty state

    # A new individual customer; a first attempt with mistakes shows French errors.
    page.get_by_role("link", name="Nouveau particulier").first.click()
    assert_accessible(page)
    page.locator("#id_last_name").fill("Lefèvre")
    page.get_by_label("Prénom").fill("Élodie")
    page.get_by_label("Téléphone portable").fill("12 34")
    page.get_by_label("Code postal").fill("44000")
    page.get_by_label("Ville").fill("Lyon")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.locator("#form-errors")).to_contain_text("n'est pas un numéro de téléphone valide")
    expect(page.locator("#form-errors")).to_contain_text("ne correspond pas au code postal 44000")
    assert_accessible(page, screen="clients-erreurs")  # the form with its errors
    page.get_by_label("Téléphone portable").fill("06 45 78 12 90")
    page.get_by_label("Ville").fill("Nantes")
    page.get_by_label("E-mail", exact=True).fill("elodie.lefevre@exemple.fr")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Élodie LEFÈVRE")
    expect(page.locator(".relais-card-header")).to_contain_text("Prospect")
    assert_accessible(page, screen="clients-fiche")  # the card

    # A vehicle: the plate typed loosely is stored in the SIV format.
    page.get_by_role("link", name="Véhicules").click()
    page.get_by_role("link", name="Ajouter un véhicule").click()
    assert_accessible(page)
    page.locator("#id_make").fill("Peugeot")
    page.locator("#id_model").fill("3008")
    page.locator("#id_energy").select_option(label="Hybride rechargeable")
    page.get_by_label("Immatriculation").fill("gh 482 kt")
    page.get_by_label("Numéro de châssis (VIN)").fill("VF3MJAHXVHS123456")
    page.get_by_role("button", name="Ajouter le véhicule").click()
    expect(page.locator("main")).to_contain_text("GH-482-KT")

    # Two after-sales visits, a year apart.
    page.get_by_role("link", name="Après-vente").click()
    expect(page.get_by_test_id("visit-not-enough")).to_be_visible()
    page.get_by_role("link", name="Nouvelle facture après-vente").click()
    assert_accessible(page)  # the invoice form
    fill_invoice(
        page,
        number="APV-0001",
        day=first_visit,
        mileage=15200,
        label="Révision 15 000 km",
        price="189.90",
    )
    page.get_by_role("button", name="Enregistrer la facture").click()
    expect(page.locator(".relais-messages")).to_contain_text("Ce prospect est désormais client.")
    expect(page.locator(".relais-card-header")).to_contain_text("Client")

    page.get_by_role("link", name="Après-vente").click()
    page.get_by_role("link", name="Nouvelle facture après-vente").click()
    fill_invoice(
        page,
        number="APV-0002",
        day=second_visit,
        mileage=29800,
        label="Révision 30 000 km",
        price="245.00",
    )
    page.get_by_role("button", name="Enregistrer la facture").click()
    expect(page.locator(".relais-messages")).to_contain_text(
        "La facture n° APV-0002 est enregistrée."
    )

    page.get_by_role("link", name="Après-vente").click()
    expect(page.get_by_test_id("visit-count")).to_have_text("2")
    expect(page.get_by_test_id("visit-mean-interval")).to_contain_text("360 jours")
    next_visit = second_visit + datetime.timedelta(days=360)
    expect(page.get_by_test_id("visit-next-expected")).to_contain_text(
        next_visit.strftime("%d/%m/%Y")
    )
    chart = page.get_by_test_id("mileage-chart").first
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("canvas")).to_have_count(1)  # ECharts drew the curve
    expect(chart).to_have_attribute("aria-label", re.compile(r"29[\s\u202f\u00a0]?800"))
    assert_accessible(page, screen="clients-apres-vente")  # the after-sales view and chart

    customer = Customer.objects.get(person__last_name="Lefèvre")
    assert customer.status == CustomerStatus.CUSTOMER
    assert Invoice.objects.filter(customer=customer, kind="apv").count() == 2
    assert list(
        MileageReading.objects.filter(vehicle__customer=customer).values_list("mileage", flat=True)
    ) == [
        15200,
        29800,
    ]


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_the_whole_flow_works_with_the_keyboard(page, newcomer, password):
    page.goto("/comptes/connexion/")
    page.keyboard.type(newcomer.username)  # the identifier field has the focus on arrival
    type_into(page, "#id_password", password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    # The skip link is the first stop and leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"

    # From the home page to the customers, through the navigation.
    tab_to(page, "#relais-nav a.nav-link:has-text('Clients')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clients")

    tab_to(page, "a:has-text('Nouveau particulier')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouveau particulier")
    type_into(page, "#id_last_name", "Keyboard")
    type_into(page, "#id_first_name", "Karim")
    type_into(page, "#id_phone_mobile", "0645781290")
    tab_to(page, "button:has-text('Créer la fiche')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Karim KEYBOARD")

    tab_to(page, "nav a:has-text('Véhicules')")
    page.keyboard.press("Enter")
    tab_to(page, "a:has-text('Ajouter un véhicule')")
    page.keyboard.press("Enter")
    type_into(page, "#id_make", "Renault")
    type_into(page, "#id_model", "Zoé")
    tab_to(page, "#id_energy")
    for _ in range(6):  # "---------", Essence, Diesel, Hybride, Hybride rechargeable, Hybride léger
        page.keyboard.press("ArrowDown")
    type_into(page, "#id_plate", "FR-123-KB")
    tab_to(page, "button:has-text('Ajouter le véhicule')")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("FR-123-KB")

    tab_to(page, "nav a:has-text('Après-vente')")
    page.keyboard.press("Enter")
    tab_to(page, "a:has-text('Nouvelle facture après-vente')")
    page.keyboard.press("Enter")
    type_into(page, "#id_number", "KB-1")
    tab_to(page, "#id_issued_on")
    # A date input takes the digits segment by segment, in the browser's own order (dd/mm or
    # mm/dd): day and month are equal here so that the test holds for both.
    page.keyboard.type(datetime.date(timezone.localdate().year - 1, 6, 6).strftime("%d%m%Y"))
    tab_to(page, "#id_vehicle")
    page.keyboard.press("ArrowDown")
    type_into(page, "#id_mileage", "1200")
    type_into(page, "input[name$='-0-label']", "Contrôle batterie")
    type_into(page, "input[name$='-0-unit_price_excl_tax']", "59")
    tab_to(page, "button:has-text('Enregistrer la facture')")
    page.keyboard.press("Enter")
    expect(page.locator(".relais-card-header")).to_contain_text("Client")

    customer = Customer.objects.get(person__last_name="Keyboard")
    vehicle = customer.vehicles.get()
    assert vehicle.energy == "electric"
    assert customer.invoices.get().mileage == 1200
