"""In a real browser, with axe-core: an employer asks through the public form, the
dispatcher routes the request to two bodies, one takes it in charge and answers jointly,
the moderator's board shows it. Every page on the way has no serious violation."""

import pytest

from relais.frontdoor.models import Request
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
    assert_accessible(page)
    request.refresh_from_db()
    assert request.state == "answered"

    page.context.clear_cookies()
    login(network.moderator)
    page.goto("/guichet/suivi-du-reseau/")
    assert_accessible(page)
    page.goto("/guichet/demandes/")
    assert request.tracking_code in page.content()
    assert_accessible(page)
