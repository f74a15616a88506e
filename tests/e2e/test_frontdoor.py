"""In a real browser, with axe-core: an employer asks through the public form, the
dispatcher routes the request to two bodies, one takes it in charge and drafts a joint
answer, the other asks for a change then co-signs the new version (it leaves only then),
the moderator's board shows it, the employer downloads a shared file from the tracking page.
Every page on the way has no serious violation."""

import pytest

from relais.frontdoor.models import JointAnswer, Request
from relais.frontdoor.services.attachments import message_post_with_files
from tests.e2e.conftest import CHROMIUM, assert_accessible
from tests.frontdoor.builders import build_network

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture
def network(transactional_db):
    return build_network()


def test_an_employer_asks_and_two_bodies_answer_jointly(page, login, network):
    page.goto("/guichet/")
    assert_accessible(page)
    page.get_by_label("Raison sociale de l'entreprise").fill("Charpente du Lauragais")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.locator("#id_last_name").fill("Martin")
    page.get_by_label("Adresse e-mail").fill("paul@charpente.fr")
    page.get_by_label("Objet de votre question").fill("Apprenti et arrêt maladie")
    page.locator("#id_text").fill("Mon apprenti est en arrêt : aides et indemnités ?")
    page.get_by_role("button", name="Envoyer ma question").click()
    page.wait_for_load_state()
    request = Request.objects.get()
    assert request.tracking_code in page.content()
    assert_accessible(page)

    page.goto("/guichet/suivi/")
    page.get_by_label("Code de suivi").fill(request.tracking_code)
    page.get_by_label("Adresse e-mail donnée avec la demande").fill("paul@charpente.fr")
    page.get_by_role("button", name="Afficher ma demande").click()
    page.wait_for_load_state()
    assert "À répartir" in page.content()
    assert_accessible(page)

    login(network.dispatcher)
    page.goto("/guichet/a-repartir/")
    assert_accessible(page)
    page.get_by_role("link", name=request.tracking_code).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Caf Haute-Garonne").check()
    page.get_by_label("Cpam Haute-Garonne").check()
    page.get_by_role("button", name="Orienter").click()
    page.wait_for_load_state()
    assert "Orientée vers" in page.content()

    page.context.clear_cookies()  # sign out
    login(network.referents["CAF"])
    page.goto(f"/guichet/demandes/{request.public_id}/")
    page.get_by_role("button", name="Je prends en charge").click()
    page.wait_for_load_state()
    page.locator("#id_answer-text").fill("Réponse commune de la CAF et de la CPAM.")
    page.get_by_label("Cpam Haute-Garonne").check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_load_state()
    assert "Projet de réponse commune soumis" in page.content()
    assert_accessible(page)
    request.refresh_from_db()
    assert request.state != "answered"  # nothing leaves before the CPAM co-signs
    draft = JointAnswer.objects.get(request=request)

    # The CPAM's referent reads the draft in the shared space and asks for a change.
    page.context.clear_cookies()
    login(network.referents["CPAM"])
    page.goto(f"/guichet/demandes/{request.public_id}/")
    assert "Réponse commune de la CAF et de la CPAM." in page.content()
    assert_accessible(page)
    page.get_by_label("Commentaire (obligatoire pour demander une modification)").fill(
        "Ajoutez le délai d'envoi de l'attestation de salaire."
    )
    page.get_by_role("button", name="Demander une modification").click()
    page.wait_for_load_state()
    assert "Demande de modification transmise" in page.content()
    assert_accessible(page)

    # The CAF edits its draft (approvals reset); the CPAM approves the new version.
    page.context.clear_cookies()
    login(network.referents["CAF"])
    page.goto(f"/guichet/demandes/{request.public_id}/")
    assert "Ajoutez le délai" in page.content()
    page.get_by_text("Modifier ou retirer le projet").click()
    page.get_by_label("Nouvelle version de la réponse").fill(
        "Réponse commune de la CAF et de la CPAM : attestation de salaire sous 48 h."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la nouvelle version").click()
    page.wait_for_load_state()
    assert "version 2" in page.content()
    assert_accessible(page)

    page.context.clear_cookies()
    login(network.referents["CPAM"])
    page.goto(f"/guichet/demandes/{request.public_id}/")
    page.get_by_role("button", name="J'approuve cette réponse").click()
    page.wait_for_load_state()
    assert "toutes les co-signatures sont réunies" in page.content()
    assert_accessible(page)
    draft.refresh_from_db()
    assert draft.state == "sent"
    assert list(draft.answer.joint_bodies.values_list("code", flat=True)) == ["CPAM"]
    request.refresh_from_db()
    assert request.state == "answered"

    page.context.clear_cookies()
    login(network.moderator)
    page.goto("/guichet/suivi-du-reseau/")
    assert_accessible(page)
    page.goto("/guichet/demandes/")
    assert request.tracking_code in page.content()
    assert_accessible(page)

    # The employer's tracking page lists the file the CAF shared with them, downloadable.
    message_post_with_files(
        actor=network.referents["CAF"],
        request=request,
        text="Le formulaire d'attestation.",
        visibility="shared",
        files=[("attestation.txt", b"Attestation de salaire a remplir")],
    )
    page.context.clear_cookies()
    page.goto("/guichet/suivi/")
    page.get_by_label("Code de suivi").fill(request.tracking_code)
    page.get_by_label("Adresse e-mail donnée avec la demande").fill("paul@charpente.fr")
    page.get_by_role("button", name="Afficher ma demande").click()
    page.wait_for_load_state()
    assert "Cpam Haute-Garonne" in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger « attestation.txt »").click()
    assert download.value.suggested_filename == "attestation.txt"
