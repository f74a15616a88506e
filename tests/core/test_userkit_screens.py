"""The user kit shows the screens it describes: each trainer, learner and CRM guide embeds
screens captured by the browser tests (``RELAIS_CAPTURE_SCREENSHOTS=1``), and the PDF
carries them."""

import re
from datetime import date

import pytest
from PIL import Image

from relais.core import userkit

pytestmark = pytest.mark.django_db(databases=[])

ILLUSTRATED = (
    "formateur.md",
    "apprenant.md",
    "clients.md",
    "ciblage.md",
    "tableaux-de-bord.md",
    "agenda.md",
    "campagnes.md",
    "doublons.md",
)
IMAGE = re.compile(r"!\[([^\]]+)\]\((images/[^)]+\.png)\)")
# Kept small in the repository (a palette PNG of a screen is a few dozen kB).
MAX_IMAGE_BYTES = 250_000


def _images(guide: str) -> list[tuple[str, str]]:
    return IMAGE.findall((userkit.GUIDE_DIR / guide).read_text(encoding="utf-8"))


@pytest.mark.parametrize("guide", ILLUSTRATED)
def test_each_guide_shows_its_screens_with_a_french_description(guide):
    images = _images(guide)
    assert len(images) >= 2, guide
    for alt, path in images:
        file = userkit.GUIDE_DIR / path
        assert file.exists(), f"{path}: run the browser tests with RELAIS_CAPTURE_SCREENSHOTS=1"
        assert file.stat().st_size < MAX_IMAGE_BYTES, path
        with Image.open(file) as image:
            assert image.format == "PNG" and image.width >= 600
        assert len(alt) > 15  # a sentence saying what the screen shows, for screen readers


def test_a_guide_pdf_embeds_its_screens_at_the_text_width(tmp_path):
    source = userkit.GUIDE_DIR / "formateur.md"
    target = userkit.build_guide(
        source, tmp_path / "formateur.pdf", today=date(2025, 6, 15), compress=False
    )
    data = target.read_bytes()
    assert len(re.findall(rb"/Subtype /Image", data)) >= len(_images("formateur.md"))


def test_an_image_is_sized_to_the_page_and_found_beside_its_guide(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (1200, 600), "#1f3a5f").save(tmp_path / "images" / "ecran.png")
    source = tmp_path / "guide.md"
    source.write_text("# Essai\n\nTexte.\n\n![Un écran d'essai](images/ecran.png)\n")
    pdf = userkit.build_guide(source, tmp_path / "guide.pdf", compress=False).read_bytes()
    assert b"/Subtype /Image" in pdf
    assert 'width="482"' in userkit._html("![x](images/ecran.png)")


def test_a_missing_screen_is_named_and_the_guide_still_builds(tmp_path):
    source = tmp_path / "guide.md"
    source.write_text("# Essai\n\n![Un écran absent](images/absent.png)\n")
    pdf = userkit.build_guide(source, tmp_path / "guide.pdf", compress=False).read_bytes()
    assert b"/Subtype /Image" not in pdf
    assert "(écran manquant : images/absent.png)" in userkit._html(
        "![x](images/absent.png)", tmp_path
    )
