"""In a real browser, with axe-core: an agent enters a scanned letter from its PDF, posts a
file in the shared space, a supervisor writes an answer template, the referent answers from
it by letter. Every page on the way has no serious or critical axe-core violation."""

import pytest

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.frontdoor.models import AnswerTemplate, Attachment, AttachmentKind, Request
from relais.frontdoor.services import request_assign
from tests.e2e.conftest import CHROMIUM, assert_accessible
from tests.factories import UserFactory
from tests.frontdoor.builders import build_network
from tests.frontdoor.mailkit import pdf_with_text

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture
def network(transactional_db):
    return build_network()


def test_a_scanned_letter_a_file_and_an_answer_from_a_template(page, login, network, tmp_path):
    letter = tmp_path / "courrier.pdf"
    letter.write_bytes(
        pdf_with_text("Madame, Monsieur,", "Quelles cotisations pour mon apprenti maçon ?")
    )
    # Entering a request routes it (the routing model loads on the first one): a loaded
    # machine takes longer than Playwright's default 10 s.
    page.set_default_timeout(60_000)
    login(network.referents["URSSAF"])
    page.goto("/guichet/demandes/courrier/")
    assert_accessible(page)
    page.get_by_label("Courrier numérisé (PDF)").set_input_files(str(letter))
    page.get_by_role("button", name="Lire le courrier").click()
    page.wait_for_load_state()
    assert "cotisations pour mon apprenti" in page.locator("#id_text").input_value()
    assert_accessible(page)
    page.get_by_label("Raison sociale de l'entreprise").fill("Maçonnerie Garonne")
    page.locator("#id_last_name").fill("Durand")
    page.get_by_label("Objet").fill("Cotisations d'un apprenti")
    page.locator("#id_text").fill("Courrier : cotisations d'un apprenti maçon ?")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_load_state()
    request = Request.objects.get()
    assert request.channel == "letter"
    assert Attachment.objects.get(kind=AttachmentKind.LETTER).request == request
    request_assign(actor=network.dispatcher, request=request, bodies=[network.bodies["URSSAF"]])

    supervisor = UserFactory(username="chef-urssaf", role=None)
    OrganizationMembership.objects.create(
        user=supervisor, organization=network.bodies["URSSAF"].organization, role=Role.SUPERVISOR
    )
    page.context.clear_cookies()  # sign out
    login(supervisor)
    page.goto("/guichet/modeles/")
    assert_accessible(page)
    page.get_by_label("Nom du modèle").fill("Cotisations")
    page.get_by_label("Texte").fill("Bonjour {{ contact }}, votre demande {{ code_suivi }}.")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    page.wait_for_load_state()
    assert AnswerTemplate.objects.exists()
    assert_accessible(page)

    page.context.clear_cookies()
    login(network.referents["URSSAF"])
    page.goto(f"/guichet/demandes/{request.public_id}/")
    page.get_by_label("Message", exact=True).fill("Le barème joint.")
    page.locator("#id_message-files").set_input_files(str(letter))
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert Attachment.objects.filter(kind=AttachmentKind.UPLOAD).count() == 1
    page.get_by_role("button", name="Utiliser ce modèle").click()
    page.wait_for_load_state()
    text = page.get_by_label("Réponse au demandeur").input_value()
    assert text == f"Bonjour Durand, votre demande {request.tracking_code}."
    assert_accessible(page)
    page.get_by_label("Canal de réponse").select_option("letter")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_load_state()
    assert Attachment.objects.filter(kind=AttachmentKind.ANSWER_LETTER).count() == 1
    assert "reponse-" in page.content()
    assert_accessible(page)
