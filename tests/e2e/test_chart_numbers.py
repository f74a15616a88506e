"""Charts print numbers as the tables do, in French: « 95,7 % », never « 95.7 % ». The label
formatters the pages give ECharts are called with a share of 95.7."""

import pytest
from playwright.sync_api import expect

from relais.crm.models import DashboardWidget
from tests.e2e.test_dashboards import seller  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e

PIE_LABEL = """() => {
  const found = [];
  document.querySelectorAll("[data-widget-chart]").forEach((node) => {
    const chart = window.echarts.getInstanceByDom(node);
    if (!chart) { return; }
    for (const series of chart.getOption().series) {
      if (series.type === "pie") {
        found.push(series.label.formatter({name: "Clients", value: 1234, percent: 95.7}));
      }
    }
  });
  return found;
}"""


def test_a_pie_chart_prints_shares_in_french(page, login, seller):  # noqa: F811
    from relais.crm.models import Dashboard

    dashboard = Dashboard.objects.create(owner=seller, name="Mon tableau de bord")
    DashboardWidget.objects.create(
        dashboard=dashboard, kind="customers_count", chart_type="pie", x=0, y=0, w=3, h=3
    )
    login(seller)
    page.goto("/crm/tableaux-de-bord/")
    expect(page.locator("[data-widget-chart] canvas").first).to_be_visible()
    labels = page.evaluate(PIE_LABEL)
    assert labels == ["Clients : 1\u202f234 (95,7\u00a0%)"]


FUNNEL_LABEL = """() => {
  const node = document.querySelector("[data-campaign-funnel]");
  const chart = window.echarts.getInstanceByDom(node);
  const series = chart.getOption().series[0];
  const first = series.data[0].value;
  return [first, series.label.formatter({name: "Ouvertures", value: 2})];
}"""


def test_the_campaign_funnel_prints_shares_in_french(page, login, seller):  # noqa: F811
    from relais.core.jobs.services import jobs_run_here
    from relais.crm.campaigns.services import campaign_create, campaign_send
    from relais.crm.models import Customer
    from tests.crm.campaign_helpers import consenting_customer, segment

    workspace = seller.memberships.first().workspace
    Customer.objects.filter(workspace=workspace).delete()
    for index in range(3):
        consenting_customer(workspace, person__last_name=f"Client{index}")
    campaign = campaign_create(
        actor=seller,
        workspace=workspace,
        name="Révision",
        channel="email",
        segment=segment(workspace),
        subject="Votre révision",
        body="Bonjour, votre révision vous attend.",
    )
    with jobs_run_here():
        campaign_send(actor=seller, campaign=campaign)
    login(seller)
    page.goto(f"/crm/campagnes/{campaign.public_id}/rapport/")
    expect(page.locator("[data-campaign-funnel] canvas")).to_have_count(1)
    first, label = page.evaluate(FUNNEL_LABEL)
    assert first == 3
    assert label == "Ouvertures : 2 (66,7\u00a0%)"
