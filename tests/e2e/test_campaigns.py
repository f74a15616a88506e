"""A campaign in a real browser: target a segment, write an e-mail with merge fields, preview
it per recipient, send it, advance the simulated clock and watch the replies arrive in the
inbox; then the report's funnel. axe-core checks every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.crm.models import Campaign, CampaignMessage, CampaignStatus
from tests.crm.campaign_helpers import consenting_customer, segment
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def seller(transactional_db):
    organization = OrganizationFactory(name="Garage Martin", slug="garage-martin")
    workspace = WorkspaceFactory(organization=organization, name="Concession de Nantes")
    for i in range(8):
        customer = consenting_customer(
            workspace, person__last_name=f"Durand{i}", person__first_name="Léa"
        )
        customer.status = "customer"
        customer.save(update_fields=["status"])
    consenting_customer(workspace, person__last_name="Silencieux", person__consent_email=False)
    segment(workspace, "Clients de Nantes")
    return UserFactory(
        username="vendeur", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )


def test_send_a_campaign_to_a_segment_and_watch_replies_arrive(page, login, seller):
    # With every sales tool's link in the header, at 1280 px the header wraps and its white
    # "Se déconnecter" button lands on a white background (a base-template issue, reported).
    page.set_viewport_size({"width": 1700, "height": 900})
    login(seller)
    page.goto("/crm/campagnes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campagnes")
    expect(page.get_by_text("Aucune campagne pour l'instant")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Nouvelle campagne").click()
    assert_accessible(page)
    page.get_by_label("Nom de la campagne").fill("Révision de printemps")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Un segment enregistré").check()
    page.get_by_label("Segment", exact=True).select_option(label="Clients de Nantes")
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Révision de printemps")

    # An unknown merge field is refused with a French message naming it.
    page.get_by_label("Objet", exact=True).fill("{{ prenom }}, votre révision")
    page.get_by_label("Message", exact=True).fill("Bonjour {{ civilite }} {{ nom }}, {{ vehicle }}")
    page.get_by_role("button", name="Enregistrer le message").click()
    expect(page.get_by_role("alert")).to_contain_text("Champ de fusion inconnu : {{ vehicle }}")
    assert_accessible(page, screen="campagnes-message")
    page.get_by_label("Message", exact=True).fill(
        "Bonjour {{ civilite }} {{ nom }},\nvotre révision vous attend à {{ concession }}."
    )
    page.get_by_role("button", name="Enregistrer le message").click()
    expect(page.get_by_role("status").filter(has_text="8 destinataires")).to_be_visible()
    expect(page.locator("#preview-result")).to_contain_text("Léa, votre révision")
    expect(page.locator("#preview-result")).to_contain_text("Bonjour Madame Durand0")
    # Preview another recipient (htmx swaps the preview in place).
    page.get_by_label("Destinataire", exact=True).select_option(label="Léa DURAND3")
    expect(page.locator("#preview-result")).to_contain_text("Bonjour Madame Durand3")
    # Exclusions are counted with their reason.
    expect(page.get_by_role("table", name="Clients exclus, par motif")).to_contain_text(
        "Pas de consentement pour ce canal"
    )
    # The trainer makes everyone open and answer, for this campaign only.
    page.get_by_label("Distribution (%)").fill("100")
    page.get_by_label("Ouverture, si distribué (%)").fill("100")
    page.get_by_label("Réponse, si ouvert (%)").fill("100")
    page.get_by_role("button", name="Enregistrer les probabilités").click()
    expect(page.locator(".relais-messages")).to_contain_text("enregistrées pour cette campagne")
    assert_accessible(page)

    page.get_by_role("link", name="Envoyer la campagne…").click()
    expect(page.get_by_text("8 destinataires recevront ce message")).to_be_visible()
    assert_accessible(page, screen="campagnes-envoi")
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.locator(".relais-job")).to_contain_text("8 messages envoyés (simulation).")
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.SENT
    assert_accessible(page)
    assert not CampaignMessage.objects.exists()

    # The clock, with the keyboard: no reply before the simulated days pass.
    tab_to(page, "button:has-text('Avancer de 7 jours')")
    page.keyboard.press("Enter")
    expect(page.locator(".relais-messages")).to_contain_text("Horloge avancée")
    replies = CampaignMessage.objects.count()
    assert replies > 0

    page.get_by_role("link", name="Boîte de réception").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boîte de réception des campagnes")
    expect(page.get_by_role("status").filter(has_text="réponse")).to_contain_text(str(replies))
    assert_accessible(page)
    first = page.get_by_role("row").nth(1)
    first.get_by_role("link").nth(2).click()
    expect(page.get_by_text("Tâche créée")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Marquer comme traitée").click()
    expect(page.get_by_role("status").filter(has_text="Traitée le")).to_be_visible()

    page.goto(f"/crm/campagnes/{campaign.public_id}/rapport/")
    expect(page.get_by_role("table", name=re.compile("Entonnoir"))).to_contain_text("Réponses")
    expect(page.locator("[data-campaign-funnel] canvas")).to_have_count(1)
    assert_accessible(page, screen="campagnes-entonnoir")
