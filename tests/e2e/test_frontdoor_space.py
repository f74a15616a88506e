"""In a real browser, with axe-core and the keyboard: an employer asks through the « Poser une
question » button pasted on a page of another origin; the dispatcher confirms a routing the
engine was not sure of; the moderator sees an overdue request on the board; a fatal work
accident alerts every relevant body, whose referents see the alert."""

import datetime

import pytest
from django.utils import timezone

from relais.frontdoor.models import Request
from tests.e2e.conftest import CHROMIUM, assert_accessible, tab_to
from tests.frontdoor.builders import build_network, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

# A body's own site, served by the browser itself (``page.route``): another origin than the
# live server's, as on www.urssaf.fr.
OTHER_SITE = "http://www.urssaf-exemple.test/employeurs.html"


@pytest.fixture
def network(transactional_db):
    return build_network()


@pytest.fixture(autouse=True)
def _patient(page):
    # The machine running the suite may be busy: a page is given a minute, not ten seconds.
    page.context.set_default_timeout(60_000)
    page.set_default_timeout(60_000)


def test_an_employer_asks_through_the_button_on_another_site(page, login, network):
    login(network.referents["URSSAF"])
    page.goto("/guichet/bouton/")
    assert_accessible(page)
    snippet = page.locator("#snippet").input_value()
    assert "Poser une question" in snippet
    page.context.clear_cookies()

    page.route(
        OTHER_SITE,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=(
                "<!doctype html><html lang='fr'><head><title>Urssaf — employeurs</title></head>"
                f"<body><main><h1>Espace employeurs</h1>{snippet}</main></body></html>"
            ),
        ),
    )
    page.goto(OTHER_SITE)
    tab_to(page, "a:has-text('Poser une question')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guichet/")
    assert_accessible(page)
    page.get_by_label("Raison sociale de l'entreprise").fill("Couverture Occitane")
    page.locator("#id_last_name").fill("Garcia")
    page.get_by_label("Adresse e-mail").fill("garcia@couverture.fr")
    page.get_by_label("Objet de votre question").fill("Embauche d'un apprenti couvreur")
    page.locator("#id_text").fill("Quelles aides pour embaucher un apprenti couvreur ?")
    tab_to(page, "button:has-text('Envoyer ma question')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accuse-de-reception/")
    request = Request.objects.get()
    assert request.tracking_code in page.content()
    assert request.source_site == "www.urssaf-exemple.test"
    assert_accessible(page)


def test_the_dispatcher_confirms_a_routing_the_engine_was_unsure_of(page, login, network):
    request = submit(
        network.network,
        subject="Une question",
        text="Bonjour, j'ai besoin d'un renseignement pour mon entreprise.",
    )
    suggestion = request.routing["suggestion"]
    assert suggestion["abstain"], suggestion
    best = suggestion["bodies"][0][0]
    login(network.dispatcher)
    page.goto("/guichet/a-repartir/")
    assert_accessible(page)
    page.get_by_role("link", name=request.tracking_code).click()
    page.wait_for_load_state()
    assert "le répartiteur décide" in page.content()
    assert_accessible(page)
    body = network.bodies[best]
    checkbox = page.get_by_label(body.name, exact=True)
    checkbox.focus()
    page.keyboard.press("Space")
    assert checkbox.is_checked()
    tab_to(page, "button:has-text('Orienter')")
    page.keyboard.press("Enter")
    page.get_by_text("Demande orientée.").wait_for()
    assert_accessible(page)
    request.refresh_from_db()
    assert list(request.assignments.values_list("body__code", flat=True)) == [best]
    assert request.state == "pending"


def test_the_moderator_sees_an_overdue_request_on_the_board(page, login, network):
    late = submit(network.network, subject="Cotisations en retard de réponse")
    request_assign_late(network, late)
    on_time = submit(network.network, subject="Question encore dans les délais")
    login(network.moderator)
    page.goto("/guichet/suivi-du-reseau/")
    assert_accessible(page)
    tab_to(page, "a:has-text('En retard')")
    page.keyboard.press("Enter")
    page.wait_for_url("**etat=overdue")
    row = page.locator("tr", has_text=late.tracking_code)
    assert row.locator("strong.text-danger").count() == 1
    assert on_time.tracking_code not in page.content()
    assert_accessible(page)


def request_assign_late(network, request):
    """Assign ``request`` to CAF and move its resolution deadline ten days back."""
    from relais.frontdoor.services import request_assign

    request_assign(actor=network.dispatcher, request=request, bodies=[network.bodies["CAF"]])
    past = timezone.localdate() - datetime.timedelta(days=10)
    Request.objects.filter(pk=request.pk).update(resolution_due=past)
    request.assignments.update(resolution_due=past)


def test_a_fatal_accident_alerts_every_relevant_body(page, login, network):
    page.goto("/guichet/")
    page.get_by_label("Raison sociale de l'entreprise").fill("Maçonnerie du Comminges")
    page.locator("#id_last_name").fill("Roux")
    page.get_by_label("Adresse e-mail").fill("roux@maconnerie-comminges.fr")
    page.get_by_label("Objet de votre question").fill("URGENT accident chantier")
    page.locator("#id_text").fill(
        "mon ouvrier est mort ce matin sur le chantier il est tombe de l echafaudage quoi faire svp"
    )
    page.get_by_role("button", name="Envoyer ma question").click()
    page.wait_for_url("**/accuse-de-reception/")
    request = Request.objects.get()
    assert request.critical
    assert set(request.assignments.values_list("body__code", flat=True)) == {"CPAM", "CARSAT"}

    for code in ("CPAM", "CARSAT"):
        page.context.clear_cookies()
        login(network.referents[code])
        page.goto("/notifications/")
        assert_accessible(page)
        alert = page.get_by_text(f"Événement critique pour {code}")
        assert alert.count() >= 1
        page.goto(f"/guichet/demandes/{request.public_id}/")
        assert "Accident du travail mortel" in page.content()
        assert_accessible(page)
    page.context.clear_cookies()
    login(network.referents["CAF"])
    page.goto("/notifications/")
    assert "Événement critique" not in page.content()
