"""Observed journeys in a real browser: import a CSV with its column mapping (keyboard only),
follow the import, see the process graph and the channel Sankey drawn with their tables, then
record a sample contact with the keyboard. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.journeys.models import EventLog, SampleContact
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e

CSV = (
    "dossier;etape;quand;canal;branche\n"
    "A;Dépôt de la demande;2026-01-05T09:00:00+01:00;web;musique\n"
    "A;Relance;2026-01-20 10:30;phone;musique\n"
    "A;Décision;2026-02-01T08:00:00Z;letter;musique\n"
    "B;Dépôt de la demande;2026-01-07T09:00:00Z;letter;photo\n"
    "B;Décision;2026-01-30T09:00:00Z;letter;photo\n"
)


@pytest.fixture
def analyst(transactional_db):
    organization = OrganizationFactory(name="Sécurité sociale des artistes auteurs", slug="ssaa")
    workspace = WorkspaceFactory(organization=organization, name="Relation affiliés")
    return UserFactory(
        username="analyste", role=Role.SUPERVISOR, organization=organization, workspaces=[workspace]
    )


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


def test_import_a_csv_with_a_mapping_and_see_the_process_graph(page, login, analyst, tmp_path):
    login(analyst)
    page.goto("/parcours/")
    page.get_by_role("link", name="Parcours observés (journaux)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("journaux d'événements")
    assert_accessible(page)

    tab_to(page, "a[href$='/parcours/journaux/importer/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer un journal")
    assert_accessible(page)
    source = tmp_path / "affiliations.csv"
    source.write_text(CSV, encoding="utf-8")
    page.get_by_label("Nom du journal").fill("Affiliations de janvier")
    page.get_by_label("Fichier du journal").set_input_files(str(source))
    page.get_by_label("Fichier du journal").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Colonnes du journal")
    expect(page.get_by_role("table").first).to_contain_text("2026-01-20 10:30")
    assert_accessible(page)
    page.get_by_label("Identifiant de dossier").select_option("dossier")
    page.get_by_label("Activité").select_option("etape")
    page.locator("#id_timestamp").select_option("quand")
    expect(page.get_by_label("Canal (facultatif)")).to_have_value("canal")
    page.get_by_role("button", name="Importer").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Parcours observés : Affiliations de janvier", timeout=20_000
    )
    log = EventLog.objects.get()
    assert (log.status, log.n_cases, log.n_events) == ("ready", 2, 5)
    # The charts are drawn (ECharts renders a canvas) and their tables carry the figures.
    expect(page.locator("#chart-graph canvas")).to_have_count(1)
    expect(page.locator("#chart-sankey canvas")).to_have_count(1)
    expect(page.get_by_role("table", name="Successions d'activités")).to_contain_text(
        "Dépôt de la demande"
    )
    expect(page.get_by_role("table", name="Flux entre canaux")).to_contain_text("1. Site internet")
    assert_accessible(page)

    # Filter on a segment with the keyboard.
    page.get_by_label("Segment").select_option("branche=photo")
    page.get_by_role("button", name="Filtrer").press("Enter")
    expect(page.get_by_role("link", name="Tout voir")).to_be_visible()
    assert_accessible(page)


def test_record_a_sample_contact_with_the_keyboard(page, login, analyst):
    login(analyst)
    page.goto("/parcours/echantillon/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relevé d'échantillon")
    assert_accessible(page)
    # The reason has the focus: type, pick the channel and the demand, save with Ctrl+Enter.
    page.keyboard.type("Je n'ai toujours pas reçu mon attestation")
    page.get_by_label("Canal").select_option("email")
    page.get_by_label("Demande d'échec (évitable)").check()
    page.get_by_label("Nature de l'échec").select_option("chasing")
    page.get_by_label("Motif, dans les mots de l'usager").press("Control+Enter")
    expect(page.get_by_text("Contact relevé. Au suivant !")).to_be_visible()
    contact = SampleContact.objects.get()
    assert (contact.channel, contact.failure_kind) == ("email", "chasing")
    expect(page.get_by_label("Motif, dans les mots de l'usager")).to_be_focused()
    assert_accessible(page)
    page.get_by_role("link", name="Extrapoler à l'année").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Extrapolation")
    assert_accessible(page)
