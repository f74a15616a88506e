"""The after-sales tab: workshop invoices, mileage charts and visit frequency (clock: 2025-06-15)."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from relais.crm.services.records import invoice_create
from tests.factories import CustomerFactory, InvoiceFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def workshop_visit(actor, vehicle, day: str, mileage: int, number: str):
    return invoice_create(
        actor=actor,
        customer=vehicle.customer,
        data={
            "kind": "apv",
            "number": number,
            "issued_on": datetime.date.fromisoformat(day),
            "vehicle": vehicle,
            "mileage": mileage,
        },
        lines=[
            {
                "label": "Révision",
                "quantity": Decimal("1"),
                "unit_price_excl_tax": Decimal("150"),
                "vat_rate": Decimal("20"),
            }
        ],
    )


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace)


@pytest.fixture
def regular(customer, agent):
    """A car serviced every six months, and a second car seen once."""
    clio = VehicleFactory(customer=customer, make="Renault", model="Clio", plate="AA-111-AA")
    kangoo = VehicleFactory(customer=customer, make="Renault", model="Kangoo", plate="BB-222-BB")
    workshop_visit(agent, clio, "2024-01-10", 10000, "A-1")
    workshop_visit(agent, kangoo, "2024-04-01", 5000, "A-2")
    workshop_visit(agent, clio, "2024-07-10", 20000, "A-3")
    workshop_visit(agent, clio, "2025-01-10", 30000, "A-4")
    return clio, kangoo


def tab(client, customer):
    return client.get(
        reverse("crm:customer-aftersales", kwargs={"customer_id": customer.public_id})
    )


def figure_text(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dd>', page, re.S)
    assert match, f"no element {testid}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_overall_frequency_for_known_dates(agent_client, customer, regular):
    response = tab(agent_client, customer)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    # Visits on 10/01/2024, 01/04/2024, 10/07/2024, 10/01/2025: intervals 82, 100 and 184 days,
    # three intervals in 366 days.
    assert figure_text(page, "visit-count") == "4"
    assert figure_text(page, "visit-mean-interval") == "122 jours (environ 4,0 mois)"
    assert figure_text(page, "visit-per-year") == "2,99"
    # 10/01/2025 + 122 days = 12/05/2025, before today (15/06/2025).
    assert figure_text(page, "visit-next-expected") == "12/05/2025 en retard"


def test_frequency_per_vehicle(agent_client, customer, regular):
    clio, kangoo = regular
    vehicles = {item.vehicle: item for item in tab(agent_client, customer).context["vehicles"]}
    clio_figures = vehicles[clio].frequency.figures
    assert clio_figures.mean_interval_days == 183.0
    assert vehicles[clio].frequency.mean_interval_months == 6.0
    assert clio_figures.visits_per_year == 2.0
    assert clio_figures.next_expected_visit == datetime.date(2025, 7, 12)
    assert not clio_figures.is_overdue
    assert not vehicles[kangoo].frequency.enough_visits


def test_one_visit_is_not_enough_for_a_frequency(agent_client, customer, regular):
    page = html.unescape(tab(agent_client, customer).content.decode())
    assert "1 passage à l'atelier : pas assez de passages pour calculer une fréquence." in page
    assert "Dernier passage le 01/04/2024." in page


def test_each_vehicle_has_an_accessible_mileage_chart_and_a_table_of_its_readings(
    agent_client, customer, regular
):
    clio, _kangoo = regular
    page = html.unescape(tab(agent_client, customer).content.decode())
    chart = re.search(
        rf'<div class="relais-chart"[^>]*data-chart-source="mileage-data-{clio.public_id}"[^>]*>',
        page,
    )
    assert chart, "no chart container for the Clio"
    assert 'role="img"' in chart.group(0)
    assert 'data-testid="mileage-chart"' in chart.group(0)
    label = re.search(r'aria-label="([^"]*)"', chart.group(0)).group(1)
    assert "3 relevés" in label and "10/01/2024" in label and "10/01/2025" in label
    data = re.search(
        rf'<script id="mileage-data-{clio.public_id}" type="application/json">(.*?)</script>',
        page,
        re.S,
    )
    assert json.loads(data.group(1)) == [
        {"date": "2024-01-10", "km": 10000},
        {"date": "2024-07-10", "km": 20000},
        {"date": "2025-01-10", "km": 30000},
    ]
    assert "Relevés kilométriques de Renault Clio (AA-111-AA)" in page
    for script in (
        "vendor/echarts/echarts.min.js",
        "vendor/echarts/langFR.js",
        "relais/mileage_chart.js",
    ):
        assert script in page
    assert "<script>" not in page.split("</main>")[0], "no inline script in the page body"


def test_after_sales_invoices_are_listed_and_others_are_not(agent_client, customer, regular):
    InvoiceFactory(customer=customer, kind="vn", number="VN-1")
    response = tab(agent_client, customer)
    numbers = [invoice.number for invoice in response.context["page_obj"]]  # the first page
    assert numbers == ["A-4", "A-3", "A-2", "A-1"]
    assert "VN-1" not in response.content.decode()


def test_empty_states(agent_client, customer):
    page = html.unescape(tab(agent_client, customer).content.decode())
    assert "0 passages à l'atelier : pas assez de passages pour calculer une fréquence." in page
    assert "Aucune facture après-vente pour ce client." in page
    assert "Aucun véhicule enregistré pour ce client." in page
    assert "echarts.min.js" not in page


def test_another_workspaces_after_sales_are_not_found(agent_client, other_workspace):
    stranger = CustomerFactory(workspace=other_workspace)
    assert tab(agent_client, stranger).status_code == 404
