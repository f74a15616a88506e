"""Campaign screens through the HTTP client: list, creation, editor and preview, exclusions,
sending with confirmation, the clock, the report and its CSV, the inbox; and isolation."""

import html

import pytest
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.crm.campaigns.services import (
    campaign_clock_advance,
    campaign_create,
    campaign_send,
    reaction_settings_save,
)
from relais.crm.models import (
    Campaign,
    CampaignMessage,
    CampaignStatus,
    ReactionSettings,
)
from tests.crm.campaign_helpers import consenting_customer, segment
from tests.factories import UserFactory
from tests.isolation_extra.campaigns import foreign_records

pytestmark = pytest.mark.django_db

LIST = "/crm/campagnes/"
INBOX = "/crm/campagnes/boite-de-reception/"
EVERYONE_REACTS = {
    "delivered": 0.99,
    "opened": 0.99,
    "clicked": 0.5,
    "replied": 0.99,
    "booked": 0.3,
    "unsubscribed": 0.0,
}


def page(response) -> str:
    return html.unescape(response.content.decode())


def draft(agent, workspace, channel="email", **extra):
    values = {
        "subject": "Votre révision, {{ prenom }}",
        "body": "Bonjour {{ civilite }} {{ nom }},\nvotre véhicule attend sa révision.",
    }
    values.update(extra)
    return campaign_create(
        actor=agent,
        workspace=workspace,
        name="Révision",
        channel=channel,
        segment=segment(workspace),
        **values,
    )


@pytest.fixture
def sent(agent, workspace, django_capture_on_commit_callbacks):
    for i in range(6):
        consenting_customer(workspace, person__last_name=f"Client{i}", person__first_name="Léa")
    campaign = draft(agent, workspace)
    reaction_settings_save(
        actor=agent,
        workspace=workspace,
        channel="email",
        campaign=campaign,
        values=EVERYONE_REACTS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send(actor=agent, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_urls():
    assert reverse("crm:campaign-list") == LIST
    assert reverse("crm:campaign-inbox") == INBOX


def test_empty_list_and_empty_inbox(agent_client):
    assert "Aucune campagne pour l'instant" in page(agent_client.get(LIST))
    assert "Aucune réponse ici" in page(agent_client.get(INBOX))


def test_list_is_paginated_with_bounded_queries(
    agent_client, agent, workspace, django_assert_max_num_queries
):
    for _ in range(30):
        draft(agent, workspace)
    # 13: the header's notification badge counts the unread notifications (one indexed COUNT).
    with django_assert_max_num_queries(15):  # +2: the modules of the navigation
        response = agent_client.get(LIST)
    assert "Page 1 sur 2" in page(response)
    assert "30 campagnes" in page(response)


def test_creating_a_campaign_for_a_segment(agent_client, workspace):
    target = segment(workspace, "Clients fidèles")
    form = page(agent_client.get(reverse("crm:campaign-create")))
    assert "Clients fidèles" in form
    response = agent_client.post(
        reverse("crm:campaign-create"),
        {"name": "Printemps", "channel": "sms", "target": "segment", "segment": target.public_id},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:campaign-detail", args=[campaign.public_id])
    assert (campaign.segment, campaign.channel, campaign.status) == (target, "sms", "draft")


def test_creating_a_campaign_for_one_customer_by_name(agent_client, workspace):
    customer = consenting_customer(workspace, person__last_name="Zébulon")
    consenting_customer(workspace, person__last_name="Autre")
    response = agent_client.post(
        reverse("crm:campaign-create"),
        {"name": "Perso", "channel": "letter", "target": "client", "client": "zebulon"},
    )
    assert response.status_code == 302
    assert Campaign.objects.get().customer == customer


def test_creating_from_a_customer_link(agent_client, workspace):
    customer = consenting_customer(workspace, person__last_name="Lien")
    url = reverse("crm:campaign-create") + f"?client={customer.public_id}"
    assert f'value="{customer.display_name}"' in page(agent_client.get(url))
    response = agent_client.post(
        url,
        {"name": "Lien", "channel": "email", "target": "client", "client_id": customer.public_id},
    )
    assert response.status_code == 302
    assert Campaign.objects.get().customer == customer


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "channel": "sms", "target": "segment"}, "Ce champ est obligatoire"),
        ({"name": "X", "channel": "fax", "target": "segment"}, "Sélectionnez un choix valide"),
        ({"name": "X", "channel": "sms", "target": "segment"}, "Choisissez un segment."),
        (
            {"name": "X", "channel": "sms", "target": "client", "client": "personne"},
            "Aucun client ne correspond",
        ),
    ],
)
def test_creation_errors_are_french(agent_client, workspace, data, message):
    response = agent_client.post(reverse("crm:campaign-create"), data)
    assert response.status_code == 400
    assert message in page(response)
    assert not Campaign.objects.exists()


def test_another_workspace_segment_or_customer_cannot_be_targeted(
    agent_client, other_workspace, other_agent
):
    foreign = segment(other_workspace, "Étranger")
    customer = consenting_customer(other_workspace)
    for data in (
        {"target": "segment", "segment": foreign.public_id},
        {"target": "client", "client_id": customer.public_id},
    ):
        response = agent_client.post(
            reverse("crm:campaign-create"), {"name": "X", "channel": "sms", **data}
        )
        assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_detail_shows_editor_merge_help_preview_and_exclusions(agent_client, agent, workspace):
    consenting_customer(workspace, person__last_name="Inclus", person__first_name="Léa")
    consenting_customer(workspace, person__last_name="Muet", person__consent_email=False)
    consenting_customer(workspace, person__last_name="Sansmail", person__email="")
    campaign = draft(agent, workspace)
    body = page(agent_client.get(reverse("crm:campaign-detail", args=[campaign.public_id])))
    assert "{{ prochaine_revision }}" in body  # merge-field help
    assert "1 destinataire recevra la campagne." in body
    assert "Pas de consentement pour ce canal" in body and "Pas d'adresse e-mail" in body
    assert "Aperçu pour" in body and "INCLUS" in body  # the first recipient is previewed


def test_preview_per_recipient_renders_safely(agent_client, agent, workspace):
    customer = consenting_customer(
        workspace, person__last_name="<script>alert(1)</script>", person__first_name="Léa"
    )
    campaign = draft(agent, workspace)
    url = reverse("crm:campaign-detail", args=[campaign.public_id])
    response = agent_client.get(
        url, {"destinataire": customer.public_id}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content
    assert "Votre révision, Léa" in html.unescape(content)
    assert "Bonjour Madame" in html.unescape(content)


def test_sms_preview_counts_characters_and_segments(agent_client, agent, workspace):
    consenting_customer(workspace, person__first_name="Léa")
    campaign = draft(agent, workspace, channel="sms", subject="", body="Bonjour {{ prenom }} !")
    body = page(agent_client.get(reverse("crm:campaign-detail", args=[campaign.public_id])))
    assert "13 caractères" in body and "1 SMS" in body


def test_preview_of_another_workspace_customer_is_not_found(
    agent_client, agent, workspace, other_workspace
):
    campaign = draft(agent, workspace)
    stranger = consenting_customer(other_workspace)
    response = agent_client.get(
        reverse("crm:campaign-detail", args=[campaign.public_id]),
        {"destinataire": stranger.public_id},
    )
    assert response.status_code == 404


def test_editing_the_template_reports_unknown_fields(agent_client, agent, workspace):
    campaign = draft(agent, workspace)
    response = agent_client.post(
        reverse("crm:campaign-detail", args=[campaign.public_id]),
        {
            "name": "R",
            "subject": "S",
            "body": "Bonjour {{ prénom }}",
            "seed": 3,
            "follow_up_days": 7,
        },
    )
    assert response.status_code == 400
    assert "Champ de fusion inconnu : {{ prénom }}" in page(response)
    campaign.refresh_from_db()
    assert campaign.body.startswith("Bonjour {{ civilite }}")
    response = agent_client.post(
        reverse("crm:campaign-detail", args=[campaign.public_id]),
        {"name": "R", "subject": "S", "body": "Salut {{ prenom }}", "seed": 3, "follow_up_days": 7},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.body, campaign.seed) == ("Salut {{ prenom }}", 3)


def test_probabilities_form(agent_client, agent, workspace):
    campaign = draft(agent, workspace)
    url = reverse("crm:campaign-probabilities", args=[campaign.public_id])
    values = {
        "delivered": "90",
        "opened": "50",
        "clicked": "10",
        "replied": "5",
        "booked": "2.5",
        "unsubscribed": "1",
    }
    assert agent_client.post(url, {**values, "scope": "campaign"}).status_code == 302
    row = ReactionSettings.objects.get(campaign=campaign)
    assert (row.opened, row.booked) == (0.5, 0.025)
    assert agent_client.post(url, {**values, "scope": "workspace"}).status_code == 302
    assert ReactionSettings.objects.filter(campaign=None, workspace=workspace).count() == 1
    response = agent_client.post(url, {**values, "opened": "150", "scope": "campaign"})
    assert response.status_code == 400
    assert "inférieure ou égale à 100" in page(response)
    agent_client.post(url, {"action": "reset", "scope": "campaign"})
    assert not ReactionSettings.objects.filter(campaign=campaign).exists()


def test_sending_needs_confirmation_then_runs_the_job(
    agent_client, agent, workspace, django_capture_on_commit_callbacks
):
    consenting_customer(workspace)
    consenting_customer(workspace, person__consent_email=False)
    campaign = draft(agent, workspace)
    url = reverse("crm:campaign-send", args=[campaign.public_id])
    confirm = page(agent_client.get(url))
    assert "1 destinataire recevra ce message" in confirm
    assert "Pas de consentement pour ce canal" in confirm
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    detail = page(agent_client.get(reverse("crm:campaign-detail", args=[campaign.public_id])))
    assert "1 message envoyé (simulation)." in detail  # the job's progress block
    assert "Avancer d'un jour" in detail and "Avancer de 7 jours" in detail


def test_sending_nobody_shows_the_reason(agent_client, agent, workspace):
    consenting_customer(workspace, person__consent_email=False)
    campaign = draft(agent, workspace)
    response = agent_client.post(
        reverse("crm:campaign-send", args=[campaign.public_id]), follow=True
    )
    assert "Aucun destinataire ne peut recevoir cette campagne" in page(response)


def test_advancing_the_clock_and_reading_the_inbox(agent_client, agent, sent):
    url = reverse("crm:campaign-advance", args=[sent.public_id])
    response = agent_client.post(url, {"days": "7"}, follow=True)
    assert "Horloge avancée" in page(response)
    agent_client.post(url, {"days": "30"})
    messages = CampaignMessage.objects.all()
    assert messages.exists()
    inbox = page(agent_client.get(INBOX))
    assert f"{messages.count()} réponse" in inbox
    assert "Non lue" in inbox
    message = messages.first()
    detail = page(agent_client.get(reverse("crm:campaign-message", args=[message.public_id])))
    assert message.body in detail and "Tâche créée" in detail
    message.refresh_from_db()
    assert not message.is_read  # showing the reply writes nothing
    read_url = reverse("crm:campaign-message-read", args=[message.public_id])
    assert agent_client.get(read_url).status_code == 405
    assert agent_client.post(read_url, headers={"X-Requested-With": "fetch"}).status_code == 204
    message.refresh_from_db()
    assert message.is_read
    agent_client.post(reverse("crm:campaign-message-handle", args=[message.public_id]))
    message.refresh_from_db()
    assert message.handled_by == agent
    assert "1 réponse" in page(agent_client.get(INBOX + "?etat=traites"))
    remaining = messages.count() - 1
    assert f"{remaining} réponse" in page(agent_client.get(INBOX + "?etat=a-traiter"))


def test_bad_clock_value_changes_nothing(agent_client, sent):
    response = agent_client.post(
        reverse("crm:campaign-advance", args=[sent.public_id]), {"days": "5000"}, follow=True
    )
    assert "Avancez l'horloge" in page(response)
    clock = sent.clock
    sent.refresh_from_db()
    assert sent.clock == clock


def test_report_funnel_table_chart_data_and_csv(agent_client, agent, sent):
    campaign_clock_advance(actor=agent, campaign=sent, days=30)
    body = page(agent_client.get(reverse("crm:campaign-report", args=[sent.public_id])))
    for label in (
        "Envoyés",
        "Distribués",
        "Ouverts / lus",
        "Clics",
        "Réponses",
        "Rendez-vous",
        "Non distribués",
        "Désinscriptions",
    ):
        assert label in body
    assert 'id="campaign-funnel-data"' in body
    assert "vendor/echarts/echarts.min.js" in body and "relais/campaigns.js" in body
    response = agent_client.get(reverse("crm:campaign-export", args=[sent.public_id]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Identifiant client;Client;Coordonnée;Motif d'exclusion;Distribués")
    assert len(lines) == 1 + 6


def test_csv_neutralises_formulas(
    agent_client, agent, workspace, django_capture_on_commit_callbacks
):
    consenting_customer(workspace, person__last_name="=HYPERLINK(1)", person__first_name="")
    campaign = draft(agent, workspace)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_send(actor=agent, campaign=campaign)
    content = agent_client.get(reverse("crm:campaign-export", args=[campaign.public_id]))
    assert "'=HYPERLINK(1)" in content.content.decode("utf-8-sig")


def test_a_sent_campaign_cannot_be_deleted_but_a_draft_can(agent_client, agent, workspace, sent):
    response = agent_client.post(reverse("crm:campaign-delete", args=[sent.public_id]))
    assert Campaign.objects.filter(pk=sent.pk).exists()
    other = draft(agent, workspace)
    response = agent_client.post(reverse("crm:campaign-delete", args=[other.public_id]))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=other.pk).exists()


def test_a_reader_without_edit_rights_cannot_send(client, workspace, agent):
    from relais.core.accounts.permissions import permissions_of_role

    consenting_customer(workspace)
    campaign = draft(agent, workspace)
    # A member whose role (here: member) grants nothing in the CRM.
    reader = UserFactory(
        role=Role.MEMBER, organization=workspace.organization, workspaces=[workspace]
    )
    assert "crm.edit" not in permissions_of_role(Role.MEMBER)
    client.force_login(reader)
    response = client.post(reverse("crm:campaign-send", args=[campaign.public_id]))
    assert response.status_code in (403, 404)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_the_workspace_boundary(client, other_workspace, other_agent, workspace, agent):
    """A user of workspace A sees none of B's campaigns or replies and cannot act on them."""
    records = foreign_records(other_workspace, other_agent)
    campaign = Campaign.objects.get(public_id=records["campaign_id"])
    message = CampaignMessage.objects.get(public_id=records["message_id"])
    before = (campaign.clock, campaign.status, message.handled_at, message.is_read)
    client.force_login(agent)
    assert campaign.name not in page(client.get(LIST))
    assert message.body not in page(client.get(INBOX))
    for name, kwargs, method in [
        ("crm:campaign-detail", {"campaign_id": campaign.public_id}, "get"),
        ("crm:campaign-detail", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-report", {"campaign_id": campaign.public_id}, "get"),
        ("crm:campaign-export", {"campaign_id": campaign.public_id}, "get"),
        ("crm:campaign-send", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-advance", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-resume", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-delete", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-probabilities", {"campaign_id": campaign.public_id}, "post"),
        ("crm:campaign-message", {"message_id": message.public_id}, "get"),
        ("crm:campaign-message-handle", {"message_id": message.public_id}, "post"),
    ]:
        response = getattr(client, method)(reverse(name, kwargs=kwargs), {"days": "7"})
        assert response.status_code == 404, name
    campaign.refresh_from_db()
    message.refresh_from_db()
    assert (campaign.clock, campaign.status, message.handled_at, message.is_read) == before
    assert not ReactionSettings.objects.filter(workspace=workspace).exists()


def test_a_large_clock_advance_runs_in_the_background(
    agent_client, agent, sent, monkeypatch, django_capture_on_commit_callbacks
):
    from relais.core.jobs.models import Job, JobStatus
    from relais.crm.campaigns import services

    monkeypatch.setattr(services.clock, "CLOCK_SYNC_LIMIT", 2)
    due = services.campaign_due_count(campaign=sent, days=30)
    assert due > 2
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("crm:campaign-advance", args=[sent.public_id]), {"days": "30"}, follow=True
        )
    assert "l'horloge avance en arrière-plan" in page(response)
    job = Job.objects.get(kind=services.CLOCK_JOB_KIND)
    assert (job.status, job.owner, job.total, job.done) == (JobStatus.SUCCEEDED, agent, due, due)
    sent.refresh_from_db()
    assert sent.job_public_id == job.public_id
    assert sent.events.filter(applied_at__isnull=True, occurs_at__lte=sent.clock).count() == 0
    assert CampaignMessage.objects.exists()
    detail = page(agent_client.get(reverse("crm:campaign-detail", args=[sent.public_id])))
    assert f"{due} réactions se sont produites." in detail
