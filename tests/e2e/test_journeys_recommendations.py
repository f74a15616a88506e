"""Recommendations in a real browser: compute them from a ready log, fix an assumption after
a French error, open the first recommendation (evidence, gain, what-if) and download the
deliverable's PDF, then read the two other deliverables. axe-core checks each page."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from relais.core.accounts.roles import Role
from relais.journeys import reports, services
from relais.journeys.eventlog_store import store_frame
from relais.journeys.models import EventLog, EventLogStatus
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory
from tests.journeys.reco_logs import reco_frame

pytestmark = pytest.mark.e2e


@pytest.fixture
def analyst(transactional_db):
    organization = OrganizationFactory(name="Sécurité sociale des artistes auteurs", slug="ssaa")
    workspace = WorkspaceFactory(organization=organization, name="Relation affiliés")
    log = EventLog.objects.create(
        organization=organization, name="Affiliations — janvier", status=EventLogStatus.READY
    )
    store_frame(log, reco_frame())
    # The first segmentation of a process imports scikit-learn (seconds on a busy machine):
    # done here, not inside the page's click.
    reports.segmentation_report(reco_frame())
    services.journey_from_template("affiliation", organization)
    return UserFactory(
        username="analyste", role=Role.SUPERVISOR, organization=organization, workspaces=[workspace]
    )


def test_open_a_recommendation_and_download_the_pdf(page, login, analyst):
    login(analyst)
    page.goto("/parcours/recommandations/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Recommandations classées par gain"
    )
    assert_accessible(page)
    page.get_by_label("Journal d'événements observé").select_option(label="Affiliations — janvier")
    page.get_by_label("Nom de l'analyse").fill("Affiliation : pistes de janvier")
    page.get_by_role("button", name="Calculer les recommandations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Affiliation : pistes de janvier")
    expect(page.locator("tbody tr").first).to_contain_text("Attente avant l'étape « Examen »")
    assert_accessible(page)

    # An assumption out of bounds: a French error on the field, then fixed with the keyboard.
    field = page.get_by_label("Valeur d'un jour d'attente (minutes-équivalent)")
    field.fill("5000")
    page.get_by_role("button", name="Enregistrer les hypothèses et recalculer").click()
    expect(page.locator("#id_waiting_day_minutes_error")).to_contain_text(
        "Assurez-vous que cette valeur est inférieure ou égale à 1440."
    )
    assert_accessible(page)
    page.get_by_label("Étapes de fin attendues").fill("Décision")
    page.get_by_label("Valeur d'un jour d'attente (minutes-équivalent)").fill("30")
    page.get_by_role("button", name="Enregistrer les hypothèses et recalculer").click()
    expect(
        page.get_by_text("Hypothèses enregistrées : nouveau classement en cours de calcul.")
    ).to_be_visible()
    expect(page.locator("table").first).to_contain_text("Dossiers arrêtés après « Examen »")

    tab_to(page, "tbody tr:first-child th a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Recommandation n° 1 : Changement de procédure"
    )
    expect(page.get_by_text("Dossiers concernés (exemples) : A, B, C")).to_be_visible()
    expect(page.locator("#what-if")).to_contain_text("Durée moyenne d'un dossier (jours)")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le livrable (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "affiliation-pistes-de-janvier.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Livrable 3 — Recommandations classées par gain" in text
    assert "Attente avant l'étape « Examen »" in text

    page.goto("/parcours/livrables/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Les trois livrables")
    assert_accessible(page)
    page.get_by_role("link", name="Lire les cartes de « Affiliations — janvier »").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Livrable 2")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Lire la segmentation de « Affiliations — janvier »").click(
        timeout=30_000
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Livrable 1")
    assert_accessible(page)


def test_compare_a_designed_journey_with_a_kept_log(page, login, analyst):
    login(analyst)
    page.goto("/parcours/")
    page.get_by_role("link", name="Affiliation d'un artiste-auteur").first.click()
    page.get_by_role("link", name="Comparer à l'observé").click()
    assert_accessible(page)
    page.get_by_label("Journal observé de l'organisme").select_option(index=1)
    page.get_by_role("button", name="Comparer avec ce journal").click()
    expect(page.get_by_text("5 dossiers observés")).to_be_visible()
    expect(page.locator("#cmp-undesigned + ul")).to_contain_text("Réception")
    assert_accessible(page)
