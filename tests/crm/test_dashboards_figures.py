"""Every catalogue widget's figures on a small known base (clock: Sunday 2025-06-15)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.crm.dashboards import selectors
from relais.crm.dashboards.catalogue import CATALOGUE
from relais.crm.dashboards.selectors import campaigns as campaign_figures
from relais.crm.dashboards.selectors import figures as figure_registry
from relais.crm.dashboards.selectors import period_bounds
from relais.crm.models import (
    Customer,
    CustomerKind,
    Dashboard,
    DashboardWidget,
    Segment,
    WidgetPeriod,
)
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    LeadFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 15)


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


def invoice(customer, kind, day, amount):
    return InvoiceFactory(
        customer=customer,
        kind=kind,
        issued_on=datetime.date.fromisoformat(day),
        total_excl_tax=Decimal(amount),
        total_incl_tax=Decimal(amount) * Decimal("1.2"),
    )


@pytest.fixture
def base(workspace, other_workspace, agent):
    alice = CustomerFactory(
        workspace=workspace,
        status="customer",
        person__first_name="Alice",
        person__last_name="Martin",
    )
    bob = CustomerFactory(
        workspace=workspace, status="customer", person__first_name="Bob", person__last_name="Durand"
    )
    carla = CustomerFactory(
        workspace=workspace, person__first_name="Carla", person__last_name="Petit"
    )
    zed = CustomerFactory(
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        status="customer",
        company__legal_name="Transports Zed",
    )
    invoice(alice, "vn", "2025-01-10", "20000")
    invoice(alice, "apv", "2025-03-05", "300")
    invoice(alice, "apv", "2025-06-01", "200")
    invoice(bob, "parts", "2025-06-02", "100")
    invoice(bob, "apv", "2024-03-01", "150")
    invoice(zed, "vo", "2024-12-15", "12000")
    LeadFactory(workspace=workspace, lead_type="test_drive", emitted_at=at("2025-06-14"))
    LeadFactory(
        workspace=workspace, lead_type="test_drive", emitted_at=at("2025-06-10"), status="contacted"
    )
    LeadFactory(workspace=workspace, lead_type="web_ad", emitted_at=at("2025-05-20"), status="lost")
    ActivityFactory(
        customer=alice,
        occurred_at=at("2025-06-01"),
        next_follow_up_on=datetime.date(2025, 6, 10),
        subject="Rappeler pour l'essai",
        owner=agent,
    )
    ActivityFactory(
        customer=bob, occurred_at=at("2025-06-02"), next_follow_up_on=TODAY, subject="Devis"
    )
    # Followed by a later activity: done, not due.
    ActivityFactory(
        customer=carla, occurred_at=at("2025-05-01"), next_follow_up_on=datetime.date(2025, 5, 10)
    )
    ActivityFactory(customer=carla, occurred_at=at("2025-05-20"))
    # Due next week: not yet.
    ActivityFactory(
        customer=zed, occurred_at=at("2025-06-03"), next_follow_up_on=datetime.date(2025, 6, 20)
    )
    for outcome in ("interested", "interested", ""):
        ActivityFactory(
            customer=carla, kind="campaign", occurred_at=at("2025-04-05"), outcome=outcome
        )
    VehicleFactory(customer=alice, energy="hybrid")
    VehicleFactory(customer=bob, energy="diesel")
    VehicleFactory(customer=zed, energy="hybrid")
    # Another workspace's records never count.
    stranger = CustomerFactory(workspace=other_workspace, status="customer")
    invoice(stranger, "vn", "2025-06-01", "99999")
    LeadFactory(workspace=other_workspace, emitted_at=at("2025-06-14"))
    ActivityFactory(customer=stranger, next_follow_up_on=TODAY, kind="campaign")
    VehicleFactory(customer=stranger, energy="diesel")
    return {"alice": alice, "bob": bob, "carla": carla, "zed": zed}


@pytest.fixture
def dashboard(agent):
    return Dashboard.objects.create(owner=agent, name="Test")


def figures(agent, workspace, dashboard, kind, period=WidgetPeriod.ALL, segment=None):
    widget = DashboardWidget.objects.create(
        dashboard=dashboard,
        kind=kind,
        chart_type=CATALOGUE[kind].default_chart,
        period=period,
        segment_public_id=segment.public_id if segment else None,
    )
    return selectors.widget_data(user=agent, workspace=workspace, widget=widget, today=TODAY)


def values(view) -> dict:
    return {s.name: s.values for s in view.data.series}


def test_every_catalogue_entry_has_figures_and_renders(base, agent, workspace, dashboard):
    for kind in CATALOGUE:
        view = figures(agent, workspace, dashboard, kind)
        assert view.data is not None
        assert view.data.columns and view.data.as_json()["columns"]


def test_customers_count(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "customers_count")
    assert view.data.labels == ["Clients", "Prospects"]
    assert view.data.series[0].values == [3, 1]
    assert view.data.headline == 4
    assert view.data.display_headline == "4"


def test_conversion_rate_and_newcomers_of_the_period(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "conversion")
    assert view.data.headline == Decimal("75.0")
    assert view.data.display_headline == "75,0\u00a0%"
    assert view.data.rows[-1] == ["Taux de transformation (%)", Decimal("75.0")]
    period = figures(agent, workspace, dashboard, "conversion", WidgetPeriod.LAST_12_MONTHS)
    # Alice's first invoice (January 2025) and Zed's (December 2024) fall in the twelve
    # months; Bob's first one (March 2024) does not.
    assert period.data.rows[2] == ["Nouveaux clients sur la période", 2]


def test_revenue_by_month_over_the_last_twelve_months(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "revenue_by_month", WidgetPeriod.LAST_12_MONTHS)
    data = view.data
    assert len(data.labels) == 12  # July 2024 … June 2025, empty months included
    by_kind = values(view)
    assert by_kind["Achat véhicule neuf (VN)"][6] == Decimal("20000")  # January
    assert by_kind["Achat véhicule d'occasion (VO)"][5] == Decimal("12000")  # December
    assert by_kind["Après-vente (APV)"][8] == Decimal("300")  # March
    assert by_kind["Après-vente (APV)"][11] == Decimal("200")
    assert by_kind["Magasin (pièces de rechange)"][11] == Decimal("100")
    assert data.headline == Decimal("32600")
    assert data.stacked
    assert data.display_headline == "32\u00a0600,00\u00a0€"


def test_revenue_by_month_over_all_time_spans_first_to_last_invoice(
    base, agent, workspace, dashboard
):
    view = figures(agent, workspace, dashboard, "revenue_by_month")
    assert len(view.data.labels) == 16  # March 2024 … June 2025
    assert view.data.headline == Decimal("32750")


def test_revenue_per_customer_top_and_period(base, agent, workspace, dashboard):
    everything = figures(agent, workspace, dashboard, "revenue_per_customer")
    assert everything.data.labels == ["Alice MARTIN", "Transports Zed", "Bob DURAND"]
    assert everything.data.series[0].values == [Decimal("20500"), Decimal("12000"), Decimal("250")]
    year = figures(agent, workspace, dashboard, "revenue_per_customer", WidgetPeriod.LAST_12_MONTHS)
    assert year.data.series[0].values == [Decimal("20500"), Decimal("12000"), Decimal("100")]
    month = figures(agent, workspace, dashboard, "revenue_per_customer", WidgetPeriod.LAST_30_DAYS)
    assert month.data.labels == ["Alice MARTIN", "Bob DURAND"]
    assert month.data.headline == Decimal("300")


def test_aftersales_visits_per_month(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "aftersales_visits", WidgetPeriod.LAST_12_MONTHS)
    visits = values(view)["Passages (factures APV)"]
    assert sum(visits) == 2 and visits[8] == 1 and visits[11] == 1
    assert values(view)["Clients distincts"][11] == 1
    assert figures(agent, workspace, dashboard, "aftersales_visits").data.headline == 3


def test_leads_by_type_and_period(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "leads_by_type")
    assert view.data.labels == ["Demande d'essai", "Retour publicité web"]
    assert view.data.series[0].values == [2, 1]
    recent = figures(agent, workspace, dashboard, "leads_by_type", WidgetPeriod.LAST_30_DAYS)
    assert recent.data.headline == 3
    this_week = period_bounds(WidgetPeriod.LAST_30_DAYS, TODAY)
    assert this_week == (datetime.date(2025, 5, 17), TODAY)


def test_leads_by_age_buckets_and_status(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "leads_by_age")
    assert view.data.labels == [
        "Moins de 3 jours",
        "3 à 7 jours",
        "8 à 14 jours",
        "15 à 21 jours",
        "Plus de 21 jours",
    ]
    by_status = values(view)
    assert by_status["Nouveau"] == [1, 0, 0, 0, 0]
    assert by_status["Contacté"] == [0, 1, 0, 0, 0]
    assert by_status["Perdu"] == [0, 0, 0, 0, 1]
    assert view.data.headline == 3


def test_follow_ups_due_this_week_or_overdue(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "follow_ups")
    assert view.data.series[0].values == [1, 1]  # overdue, this week
    assert [row[1] for row in view.data.rows] == ["Alice MARTIN", "Bob DURAND"]
    assert view.data.rows[0] == [
        "10/06/2025",
        "Alice MARTIN",
        "Rappeler pour l'essai",
        f"{agent.first_name} {agent.last_name}",
        "En retard",
    ]
    assert view.data.rows[1][-1] == "Cette semaine"


def test_campaign_results_funnel(base, agent, workspace, other_workspace, dashboard):
    from relais.crm.models.campaigns import Campaign, CampaignRecipient

    def campaign(where, sent_at):
        return Campaign.objects.create(
            workspace=where, name="Printemps", channel="email", status="sent", sent_at=sent_at
        )

    spring = campaign(workspace, at("2025-04-01"))
    old = campaign(workspace, at("2024-01-10"))
    reactions = [
        {"delivered": True, "opened": True, "replied": True, "booked": True},
        {"delivered": True, "opened": True, "clicked": True},
        {"bounced": True},
    ]
    for customer, flags in zip(("alice", "bob", "zed"), reactions, strict=True):
        CampaignRecipient.objects.create(
            workspace=workspace, campaign=spring, customer=base[customer], **flags
        )
    CampaignRecipient.objects.create(
        workspace=workspace, campaign=spring, customer=base["carla"], excluded_reason="no_consent"
    )
    CampaignRecipient.objects.create(
        workspace=workspace, campaign=old, customer=base["carla"], delivered=True
    )
    foreign = campaign(other_workspace, at("2025-04-01"))
    stranger = CustomerFactory(workspace=other_workspace)
    CampaignRecipient.objects.create(
        workspace=other_workspace, campaign=foreign, customer=stranger, delivered=True
    )
    view = figures(agent, workspace, dashboard, "campaign_results")
    assert view.data.labels[0] == "Destinataires"
    assert dict(zip(view.data.labels, view.data.series[0].values, strict=True)) == {
        "Destinataires": 4,
        "Distribués": 3,
        "Non distribués": 1,
        "Ouverts / lus": 2,
        "Liens cliqués": 1,
        "Réponses": 1,
        "Rendez-vous pris": 1,
        "Désinscriptions": 0,
    }
    recent = figures(agent, workspace, dashboard, "campaign_results", WidgetPeriod.THIS_YEAR)
    assert recent.data.series[0].values[:2] == [3, 2]
    assert recent.data.headline_caption == "destinataires, dont 33,3\u00a0% de réponses"


def test_campaign_results_without_the_campaigns_module(
    monkeypatch, base, agent, workspace, dashboard
):
    monkeypatch.setattr(campaign_figures, "campaign_recipient_model", lambda: None)
    view = figures(agent, workspace, dashboard, "campaign_results")
    assert view.data.labels == ["Intéressé", "Sans résultat renseigné"]
    assert view.data.series[0].values == [2, 1]


def test_vehicles_by_energy(base, agent, workspace, dashboard):
    view = figures(agent, workspace, dashboard, "vehicles_by_energy")
    assert view.data.labels == ["Hybride", "Diesel"]
    assert view.data.series[0].values == [2, 1]


def test_period_bounds():
    assert period_bounds(WidgetPeriod.LAST_12_MONTHS, TODAY) == (datetime.date(2024, 7, 1), TODAY)
    assert period_bounds(WidgetPeriod.THIS_YEAR, TODAY) == (datetime.date(2025, 1, 1), TODAY)
    assert period_bounds(WidgetPeriod.LAST_90_DAYS, TODAY)[0] == datetime.date(2025, 3, 18)
    assert period_bounds(WidgetPeriod.ALL, TODAY) == (None, None)
    january = datetime.date(2025, 1, 31)
    assert period_bounds(WidgetPeriod.LAST_12_MONTHS, january)[0] == datetime.date(2024, 2, 1)


@pytest.fixture
def segment_of_alice_and_bob(monkeypatch, base, workspace):
    """A saved segment; what it selects is the segment builder's business (its own tests),
    so its query is replaced here by a fixed set of customers."""
    segment = Segment.objects.create(workspace=workspace, name="Alice et Bob")
    chosen = [base["alice"].pk, base["bob"].pk]
    monkeypatch.setattr(
        figure_registry,
        "segment_customers",
        lambda s, **kwargs: Customer.objects.in_workspace(s.workspace).filter(pk__in=chosen),
    )
    return segment


def test_a_segment_filters_every_widget(segment_of_alice_and_bob, agent, workspace, dashboard):
    segment = segment_of_alice_and_bob
    count = figures(agent, workspace, dashboard, "customers_count", segment=segment)
    assert count.data.series[0].values == [2, 0]
    assert count.segment == segment
    revenue = figures(agent, workspace, dashboard, "revenue_per_customer", segment=segment)
    assert revenue.data.labels == ["Alice MARTIN", "Bob DURAND"]
    follow = figures(agent, workspace, dashboard, "follow_ups", segment=segment)
    assert follow.data.series[0].values == [1, 1]
    energy = figures(agent, workspace, dashboard, "vehicles_by_energy", segment=segment)
    assert energy.data.series[0].values == [1, 1]
    campaigns = figures(agent, workspace, dashboard, "campaign_results", segment=segment)
    assert campaigns.data.empty  # no campaign sent to Alice or Bob


def test_segment_and_period_combine(segment_of_alice_and_bob, agent, workspace, dashboard):
    view = figures(
        agent,
        workspace,
        dashboard,
        "revenue_by_month",
        WidgetPeriod.THIS_YEAR,
        segment=segment_of_alice_and_bob,
    )
    assert len(view.data.labels) == 6
    assert view.data.headline == Decimal("20600")


def test_a_segment_of_another_workspace_is_ignored_and_said(
    base, agent, workspace, other_workspace, dashboard
):
    foreign = Segment.objects.create(workspace=other_workspace, name="Ailleurs")
    view = figures(agent, workspace, dashboard, "customers_count", segment=foreign)
    assert view.segment is None
    assert view.data.series[0].values == [3, 1]  # unfiltered
    assert "n'existe pas dans cet espace de travail" in view.data.notes[0]


def test_a_segment_whose_query_fails_is_ignored_and_said(
    monkeypatch, base, agent, workspace, dashboard
):
    segment = Segment.objects.create(workspace=workspace, name="Cassé")

    def broken(s, **kwargs):
        return Customer.objects.filter(no_such_field=1)

    monkeypatch.setattr(figure_registry, "segment_customers", broken)
    view = figures(agent, workspace, dashboard, "customers_count", segment=segment)
    assert view.data.series[0].values == [3, 1]
    assert "ne peut pas être appliqué" in view.data.notes[0]


def test_empty_workspace_gives_empty_widgets(agent, workspace, dashboard):
    for kind in CATALOGUE:
        view = figures(agent, workspace, dashboard, kind)
        assert view.data.empty, kind


def test_the_figures_of_another_users_widget_are_not_found(base, agent, supervisor, workspace):
    dashboard = Dashboard.objects.create(owner=supervisor, name="Le sien")
    widget = DashboardWidget.objects.create(
        dashboard=dashboard, kind="customers_count", chart_type="kpi"
    )
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.widget_data(user=agent, workspace=workspace, widget=widget)


def test_a_real_segment_definition_filters_the_figures(base, agent, workspace, dashboard):
    """Through the segment builder's own compiler: the customers with a new-vehicle invoice."""
    segment = Segment.objects.create(
        workspace=workspace,
        name="Acheteurs VN",
        definition={
            "match": "all",
            "conditions": [{"field": "invoice.kind", "op": "eq", "value": "vn"}],
            "sort": [],
        },
    )
    view = figures(agent, workspace, dashboard, "revenue_per_customer", segment=segment)
    assert view.data.labels == ["Alice MARTIN"]
    assert view.data.series[0].values == [Decimal("20500")]
    assert view.data.notes == []
