"""Dashboard screens through the HTTP client: the page, the catalogue, editing, moving,
layout saving, data as JSON, CSV export, and what other users may not reach."""

import datetime
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from relais.crm.dashboards import services
from relais.crm.models import Dashboard, DashboardWidget, Segment
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(agent, workspace):
    return services.dashboard_get_or_create(actor=agent, workspace=workspace)


@pytest.fixture
def revenue_widget(dashboard):
    return dashboard.widgets.get(kind="revenue_per_customer")


@pytest.fixture
def sales(workspace):
    customer = CustomerFactory(
        workspace=workspace,
        status="customer",
        person__first_name="=HYPERLINK(1)",
        person__last_name="Martin",
    )
    InvoiceFactory(
        customer=customer,
        kind="vn",
        issued_on=datetime.date(2025, 5, 2),
        total_excl_tax=Decimal("1234.50"),
    )
    return customer


def url(name, widget=None):
    if widget is None:
        return reverse(f"crm:{name}")
    return reverse(f"crm:{name}", kwargs={"widget_id": widget.public_id})


def test_first_visit_shows_the_default_dashboard_without_writing(agent_client, agent, sales):
    response = agent_client.get(url("dashboard"))
    assert response.status_code == 200
    assert not Dashboard.objects.filter(owner=agent).exists()  # a GET writes nothing
    html = response.content.decode()
    assert html.count('data-testid="widget"') == 8
    assert "gridstack-all.js" in html and "dashboard.js" in html
    # Each chart has its data for the script and a table alternative rendered on the server.
    assert 'id="widget-data-' in html
    assert "Voir les données sous forme de tableau" in html
    assert "Déplacer vers le haut" in html and "Agrandir" in html


def test_first_change_saves_the_default_dashboard_with_the_ids_shown(agent_client, agent, sales):
    html = agent_client.get(url("dashboard")).content.decode()
    shown = re.findall(r'id="widget-([0-9a-f-]{36})"', html)
    assert len(shown) == 8
    response = agent_client.post(
        reverse("crm:dashboard-widget-move", args=[shown[0]]), {"direction": "down"}
    )
    assert response.status_code == 302
    dashboard = Dashboard.objects.get(owner=agent)
    assert sorted(str(w.public_id) for w in dashboard.widgets.all()) == sorted(shown)
    # Another user's default widget ids are theirs alone.
    assert (
        agent_client.get(reverse("crm:dashboard-widget-edit", args=[uuid.uuid4()])).status_code
        == 404
    )


def test_dashboard_page_runs_a_bounded_number_of_queries(
    agent_client, dashboard, sales, django_assert_max_num_queries
):
    with django_assert_max_num_queries(26):
        agent_client.get(url("dashboard"))


def test_empty_base_shows_empty_states(agent_client, dashboard):
    html = agent_client.get(url("dashboard")).content.decode()
    assert "Aucune donnée pour cette période." in html


def test_empty_dashboard_invites_to_the_catalogue(agent_client, dashboard):
    dashboard.widgets.all().delete()
    html = agent_client.get(url("dashboard")).content.decode()
    assert "Votre tableau de bord est vide." in html


def test_add_a_widget_from_the_catalogue(agent_client, dashboard):
    page = agent_client.get(url("dashboard-widget-add"))
    assert page.status_code == 200
    assert "Résultats des campagnes" in page.content.decode()
    response = agent_client.post(url("dashboard-widget-add"), {"kind": "campaign_results"})
    widget = dashboard.widgets.get(kind="campaign_results")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#widget-{widget.public_id}")


def test_add_refuses_an_unknown_widget(agent_client, dashboard):
    response = agent_client.post(url("dashboard-widget-add"), {"kind": "<script>"})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    assert dashboard.widgets.count() == 8


def test_edit_title_chart_period_and_segment(agent_client, workspace, revenue_widget):
    segment = Segment.objects.create(workspace=workspace, name="Fidèles")
    form = agent_client.get(url("dashboard-widget-edit", revenue_widget))
    assert "Fidèles" in form.content.decode()
    response = agent_client.post(
        url("dashboard-widget-edit", revenue_widget),
        {
            "title": "<b>Meilleurs</b> clients",
            "chart_type": "table",
            "period": "this_year",
            "segment": str(segment.public_id),
        },
    )
    assert response.status_code == 302
    revenue_widget.refresh_from_db()
    assert revenue_widget.title == "<b>Meilleurs</b> clients"
    assert revenue_widget.chart_type == "table"
    assert revenue_widget.period == "this_year"
    assert revenue_widget.segment_public_id == segment.public_id
    html = agent_client.get(url("dashboard")).content.decode()
    assert "&lt;b&gt;Meilleurs&lt;/b&gt; clients" in html
    assert "<b>Meilleurs</b>" not in html
    assert "segment « Fidèles »" in html


def test_edit_refuses_a_chart_the_widget_does_not_offer(agent_client, revenue_widget):
    response = agent_client.post(
        url("dashboard-widget-edit", revenue_widget),
        {"title": "", "chart_type": "kpi", "period": "all", "segment": ""},
    )
    assert response.status_code == 400
    revenue_widget.refresh_from_db()
    assert revenue_widget.chart_type == "bar"


def test_edit_refuses_another_workspaces_segment(agent_client, other_workspace, revenue_widget):
    foreign = Segment.objects.create(workspace=other_workspace, name="Ailleurs")
    response = agent_client.post(
        url("dashboard-widget-edit", revenue_widget),
        {"title": "", "chart_type": "bar", "period": "all", "segment": str(foreign.public_id)},
    )
    assert response.status_code == 400
    revenue_widget.refresh_from_db()
    assert revenue_widget.segment_public_id is None


def test_a_segment_missing_from_the_current_workspace_is_said(
    agent_client, other_workspace, revenue_widget
):
    foreign = Segment.objects.create(workspace=other_workspace, name="Ailleurs")
    revenue_widget.segment_public_id = foreign.public_id
    revenue_widget.save()
    html = agent_client.get(url("dashboard")).content.decode()
    assert "n&#x27;existe pas dans cet espace de travail" in html
    assert "Ailleurs" not in html
    edit = agent_client.get(url("dashboard-widget-edit", revenue_widget)).content.decode()
    assert "Le segment enregistré pour cet élément n'existe pas" in edit


def test_remove_asks_then_removes(agent_client, revenue_widget):
    confirm = agent_client.get(url("dashboard-widget-delete", revenue_widget))
    assert confirm.status_code == 200
    assert "aucune donnée du CRM n'est supprimée" in confirm.content.decode()
    assert DashboardWidget.objects.filter(pk=revenue_widget.pk).exists()
    response = agent_client.post(url("dashboard-widget-delete", revenue_widget))
    assert response.status_code == 302
    assert not DashboardWidget.objects.filter(pk=revenue_widget.pk).exists()


def test_reset_asks_then_restores_the_default(agent_client, dashboard):
    dashboard.widgets.all().delete()
    assert agent_client.get(url("dashboard-reset")).status_code == 200
    agent_client.post(url("dashboard-reset"))
    assert dashboard.widgets.count() == 8


def test_keyboard_move_saves_and_comes_back_to_the_same_button(agent_client, dashboard):
    first = dashboard.widgets.order_by("y", "x").first()
    response = agent_client.post(url("dashboard-widget-move", first), {"direction": "down"})
    assert response.status_code == 302
    assert f"focus={first.public_id}-down" in response["Location"]
    first.refresh_from_db()
    assert first.y > 0
    page = agent_client.get(response["Location"])
    assert "déplacé vers le bas" in page.content.decode()


def test_keyboard_move_refuses_an_unknown_direction(agent_client, dashboard):
    first = dashboard.widgets.order_by("y", "x").first()
    before = (first.x, first.y, first.w, first.h)
    agent_client.post(url("dashboard-widget-move", first), {"direction": "x" * 1000})
    first.refresh_from_db()
    assert (first.x, first.y, first.w, first.h) == before


def test_move_is_post_only(agent_client, revenue_widget):
    assert agent_client.get(url("dashboard-widget-move", revenue_widget)).status_code == 405


def _layout(dashboard, **changes):
    items = [
        {"id": str(w.public_id), "x": w.x, "y": w.y, "w": w.w, "h": w.h}
        for w in dashboard.widgets.all()
    ]
    items[0].update(changes)
    return json.dumps({"widgets": items})


def test_layout_save_from_the_browser(agent_client, dashboard):
    body = json.dumps(
        {
            "widgets": [
                {"id": str(w.public_id), "x": 0, "y": i * 6, "w": 12, "h": 6}
                for i, w in enumerate(dashboard.widgets.all())
            ]
        }
    )
    response = agent_client.post(url("dashboard-layout"), body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["message"] == "Disposition enregistrée."
    assert set(dashboard.widgets.values_list("w", flat=True)) == {12}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "null",
        "[]",
        json.dumps({"widgets": "all"}),
        json.dumps({"widgets": [{"id": "x", "x": 0, "y": 0, "w": 1, "h": 1}]}),
    ],
)
def test_layout_save_refuses_malformed_bodies(agent_client, dashboard, body):
    before = sorted(dashboard.widgets.values_list("x", "y", "w", "h"))
    response = agent_client.post(url("dashboard-layout"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Disposition refusée")
    assert sorted(dashboard.widgets.values_list("x", "y", "w", "h")) == before


def test_layout_save_refuses_hostile_sizes(agent_client, dashboard):
    before = sorted(dashboard.widgets.values_list("x", "y", "w", "h"))
    response = agent_client.post(
        url("dashboard-layout"), _layout(dashboard, w=10**6), content_type="application/json"
    )
    assert response.status_code == 400
    assert "« w » doit être un entier entre 1 et 12" in response.json()["error"]
    assert sorted(dashboard.widgets.values_list("x", "y", "w", "h")) == before


def test_layout_save_needs_the_csrf_token(client, agent, dashboard):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agent)
    response = csrf_client.post(
        url("dashboard-layout"), _layout(dashboard), content_type="application/json"
    )
    assert response.status_code == 403


def test_widget_data_as_json(agent_client, revenue_widget, sales):
    response = agent_client.get(url("dashboard-widget-data", revenue_widget))
    assert response.status_code == 200
    data = response.json()
    assert data["chart_type"] == "bar"
    assert data["labels"] == ["=HYPERLINK(1) MARTIN"]
    assert data["series"][0]["values"] == [1234.5]
    assert data["rows"] == [["=HYPERLINK(1) MARTIN", "1\u00a0234,50\u00a0€"]]


def test_csv_export_is_formula_safe_and_excel_friendly(agent_client, revenue_widget, sales):
    response = agent_client.get(url("dashboard-widget-export", revenue_widget))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "chiffre-daffaires-par-client-2025-06-15.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Client;Chiffre d'affaires HT"
    assert lines[1] == "'=HYPERLINK(1) MARTIN;1234,50"


def test_csv_export_of_follow_ups_lists_the_rows(agent_client, dashboard):
    widget = dashboard.widgets.get(kind="follow_ups")
    response = agent_client.get(url("dashboard-widget-export", widget))
    header = response.content.decode("utf-8").lstrip("\ufeff").splitlines()[0]
    assert header == "Relance prévue le;Client;Objet;Responsable;État"


@pytest.mark.parametrize(
    "name, method",
    [
        ("dashboard-widget-edit", "get"),
        ("dashboard-widget-edit", "post"),
        ("dashboard-widget-delete", "get"),
        ("dashboard-widget-delete", "post"),
        ("dashboard-widget-move", "post"),
        ("dashboard-widget-data", "get"),
        ("dashboard-widget-export", "get"),
    ],
)
def test_another_users_widget_is_not_found(
    client, supervisor, agent, workspace, revenue_widget, name, method
):
    """Same workspace, another user: a dashboard is personal."""
    client.force_login(supervisor)
    before = (revenue_widget.title, revenue_widget.x, revenue_widget.y, revenue_widget.chart_type)
    response = getattr(client, method)(
        url(name, revenue_widget), {"direction": "down", "title": "Pirate", "chart_type": "table"}
    )
    assert response.status_code == 404
    revenue_widget.refresh_from_db()
    assert (
        revenue_widget.title,
        revenue_widget.x,
        revenue_widget.y,
        revenue_widget.chart_type,
    ) == before


def test_another_users_layout_cannot_be_saved_through_mine(
    client, supervisor, agent, workspace, dashboard
):
    client.force_login(supervisor)
    client.get(url("dashboard"))  # the supervisor's own dashboard
    response = client.post(
        url("dashboard-layout"), _layout(dashboard, y=200), content_type="application/json"
    )
    assert response.status_code == 400
    assert not dashboard.widgets.filter(y=200).exists()


def test_figures_come_from_the_current_workspace_only(
    agent_client, other_workspace, revenue_widget, sales
):
    stranger = CustomerFactory(
        workspace=other_workspace, status="customer", person__last_name="Étrangerb"
    )
    InvoiceFactory(customer=stranger, kind="vn", total_excl_tax=Decimal("99999"))
    data = agent_client.get(url("dashboard-widget-data", revenue_widget)).json()
    assert data["labels"] == ["=HYPERLINK(1) MARTIN"]
    html = agent_client.get(url("dashboard")).content.decode()
    assert "ÉTRANGERB" not in html and "99\u00a0999" not in html


def test_the_dashboard_follows_the_user_into_another_workspace(
    client, workspace, other_workspace, agent, revenue_widget
):
    """One layout per user; the figures are those of the workspace the user is in."""
    from relais.core.workspaces.models import Membership

    # A workspace of another organization: the membership names the role held there.
    Membership.objects.create(workspace=other_workspace, user=agent, role="agent")
    stranger = CustomerFactory(
        workspace=other_workspace, status="customer", person__last_name="Ailleurs"
    )
    InvoiceFactory(customer=stranger, kind="vn", total_excl_tax=Decimal("500"))
    client.force_login(agent)
    client.post(reverse("workspaces:switch"), {"workspace": str(other_workspace.public_id)})
    data = client.get(url("dashboard-widget-data", revenue_widget)).json()
    assert len(data["labels"]) == 1 and data["labels"][0].endswith(" AILLEURS")
    client.get(url("dashboard"))
    assert Dashboard.objects.filter(owner=agent).count() == 1


def test_anonymous_users_are_sent_to_login(client, revenue_widget):
    response = client.get(url("dashboard-widget-data", revenue_widget))
    assert response.status_code == 302
    assert "/comptes/connexion/" in response["Location"]
