"""The dashboard in a real browser: the default dashboard with its charts, adding a widget
from the catalogue, moving it with the keyboard buttons and by dragging, the layout kept
after a reload; axe-core on every page on the way."""

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.crm.dashboards.selectors import dashboard_for_display, widgets_of
from relais.crm.demo import generate_customers
from relais.crm.models import DashboardWidget
from tests.e2e.conftest import assert_accessible
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def seller(transactional_db):
    organization = OrganizationFactory(name="Garage des Tilleuls", slug="garage-des-tilleuls")
    workspace = WorkspaceFactory(organization=organization, name="Concession de Tours")
    user = UserFactory(
        username="vendeur", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )
    generate_customers(workspace=workspace, count=40, seed=7, owner=user)
    return user


def grid_position(page, widget) -> tuple[int, int]:
    item = page.locator(f"#widget-{widget.public_id}")
    return int(item.get_attribute("gs-x")), int(item.get_attribute("gs-y"))


def test_add_a_widget_move_it_by_keyboard_and_by_drag(page, login, seller):
    login(seller)
    page.goto("/crm/tableaux-de-bord/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    expect(page.get_by_test_id("widget")).to_have_count(8)
    # ECharts drew the charts; each has its table alternative.
    expect(page.locator("[data-widget-chart] canvas").first).to_be_visible()
    expect(page.locator("[data-widget-chart]")).to_have_count(5)
    assert page.locator("details table").count() == 5
    assert_accessible(page, screen="tableau-de-bord")

    # Add a widget from the catalogue.
    page.get_by_role("link", name="Ajouter un élément").click()
    assert_accessible(page, screen="tableau-de-bord-catalogue")
    page.get_by_label("Parc par énergie").check()
    page.get_by_role("button", name="Ajouter au tableau de bord").click()
    expect(page.get_by_test_id("widget")).to_have_count(9)
    expect(page.get_by_role("status").first).to_contain_text("Parc par énergie")
    widget = DashboardWidget.objects.get(kind="vehicles_by_energy", dashboard__owner=seller)
    assert grid_position(page, widget) == (0, widget.y)
    bottom = widget.y

    # Keyboard: open the widget's move panel and press "Déplacer vers la droite".
    item = page.locator(f"#widget-{widget.public_id}")
    item.locator(".relais-widget-move summary").focus()
    page.keyboard.press("Enter")
    right = item.get_by_role("button", name="Déplacer vers la droite")
    right.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**focus=*")
    widget.refresh_from_db()
    assert (widget.x, widget.y) == (6, bottom)
    assert grid_position(page, widget) == (6, bottom)
    # The focus comes back to the same button, ready for another press.
    focused = page.evaluate("document.activeElement.dataset.move")
    assert focused == f"{widget.public_id}-right"
    expect(page.locator(".relais-messages")).to_contain_text("déplacé vers la droite")
    assert_accessible(page)

    # Mouse: drag the widget by its title bar two rows further down.
    handle = page.locator(f"#widget-{widget.public_id} .relais-widget-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    start_x, start_y = box["x"] + 40, box["y"] + box["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 10, start_y + 40, steps=5)
    page.mouse.move(start_x, start_y + 2 * 86 + 20, steps=10)
    page.mouse.up()
    expect(page.get_by_test_id("layout-status")).to_have_text("Disposition enregistrée.")
    widget.refresh_from_db()
    assert widget.y >= bottom + 2
    dragged = (widget.x, widget.y)

    # The layout persists after a reload.
    page.reload()
    assert grid_position(page, widget) == dragged
    assert_accessible(page)


def test_edit_a_widget_and_export_it(page, login, seller):
    login(seller)
    page.goto("/crm/tableaux-de-bord/")
    # Nothing is saved by showing the dashboard: the default widgets have ids fixed in advance.
    shown = widgets_of(dashboard=dashboard_for_display(user=seller))
    widget = next(w for w in shown if w.kind == "leads_by_type")
    item = page.locator(f"#widget-{widget.public_id}")
    item.get_by_role("link", name="Modifier « Leads par type »").click()
    assert_accessible(page)
    page.get_by_label("Titre").fill("Leads du mois")
    page.get_by_label("Présentation").select_option("table")
    page.get_by_label("Période").select_option("last_30_days")
    page.get_by_role("button", name="Enregistrer").click()
    item = page.locator(f"#widget-{widget.public_id}")
    expect(item.get_by_role("heading")).to_contain_text("Leads du mois")
    expect(item.locator("table")).to_be_visible()
    with page.expect_download() as download:
        item.get_by_role("link", name="Exporter « Leads du mois » en CSV").click()
    assert download.value.suggested_filename.startswith("leads-du-mois-")
    assert_accessible(page)
