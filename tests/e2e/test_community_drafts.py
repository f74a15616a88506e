"""Drafts saved while typing, in a real browser with axe-core: a member types a question, the
status says the draft is saved, a reload gives it back; the discard button empties it; a reply
is kept the same way."""

import re

import pytest
from django.urls import reverse

from relais.community.models import Draft
from relais.community.seo import topic_path
from tests.community.conftest import make_forum
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SAVED = re.compile(r"^Brouillon enregistré à \d\d:\d\d\.$")


@pytest.fixture
def forum(transactional_db):
    return make_forum()


def _status(page):
    return page.locator("[data-draft-status]")


def test_a_question_is_saved_while_typed_and_found_after_a_reload(page, login, forum):
    login(forum["alice"])
    page.goto(reverse("community:topic-create"))
    assert_accessible(page)
    page.get_by_label("Catégorie").select_option("cotisations")
    page.get_by_label("Titre").press_sequentially("Précompte sur une cession", delay=10)
    page.get_by_label("Votre message").press_sequentially("Mon diffuseur a-t-il", delay=10)
    status = _status(page)
    assert status.get_attribute("role") == "status"
    page.wait_for_function(
        "() => /^Brouillon enregistré à/.test("
        "document.querySelector('[data-draft-status]').textContent)"
    )
    assert SAVED.match(status.text_content().strip())
    assert_accessible(page)
    page.reload()
    assert page.get_by_label("Titre").input_value() == "Précompte sur une cession"
    assert page.get_by_label("Votre message").input_value() == "Mon diffuseur a-t-il"
    assert "Brouillon repris" in _status(page).text_content()
    assert_accessible(page)
    page.get_by_role("button", name="Supprimer le brouillon").click()
    page.wait_for_function(
        "() => document.querySelector('[data-draft-status]').textContent === 'Brouillon supprimé.'"
    )
    assert page.get_by_label("Titre").input_value() == ""
    assert page.get_by_role("button", name="Supprimer le brouillon").is_hidden()
    assert not Draft.objects.exists()
    page.reload()
    assert page.get_by_label("Votre message").input_value() == ""


def test_a_reply_is_saved_while_typed_and_found_after_a_reload(page, login, forum):
    login(forum["bruno"])
    page.goto(topic_path(forum["topic"]))
    box = page.get_by_label("Votre réponse")
    box.press_sequentially("Oui, en traitements et salaires", delay=10)
    page.wait_for_function(
        "() => /^Brouillon enregistré à/.test("
        "document.querySelector('[data-draft-status]').textContent)"
    )
    assert_accessible(page)
    assert Draft.objects.get(user=forum["bruno"]).body == "Oui, en traitements et salaires"
    page.reload()
    assert page.get_by_label("Votre réponse").input_value().strip() == (
        "Oui, en traitements et salaires"
    )
    assert page.get_by_role("button", name="Supprimer le brouillon").is_visible()
