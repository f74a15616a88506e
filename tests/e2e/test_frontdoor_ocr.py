"""In a real browser, with axe-core: a letter scanned as an image is read by OCR (Debian's
tesseract), the intake page says the text was recognised automatically, and it stays
accessible."""

import shutil

import pytest

from tests.e2e.conftest import CHROMIUM, assert_accessible
from tests.frontdoor.builders import build_network
from tests.frontdoor.test_ocr import scanned_pdf

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        shutil.which("tesseract") is None,
        reason="tesseract is not installed (make ocr): scanned letters cannot be read here",
    ),
]


@pytest.fixture
def network(transactional_db):
    return build_network()


def test_a_scanned_letter_read_by_ocr_is_marked_so(page, login, network, tmp_path):
    letter = tmp_path / "scan.pdf"
    letter.write_bytes(scanned_pdf())
    page.set_default_timeout(60_000)
    login(network.referents["URSSAF"])
    page.goto("/guichet/demandes/courrier/")
    page.get_by_label("Courrier numérisé (PDF)").set_input_files(str(letter))
    page.get_by_role("button", name="Lire le courrier").click()
    page.wait_for_load_state()
    assert "cotisations" in page.locator("#id_text").input_value()
    assert page.get_by_role("status").filter(has_text="Texte reconnu automatiquement (OCR)").count()
    assert_accessible(page)
