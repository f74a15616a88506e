"""Scanned letters read by OCR (Debian's tesseract, French, for real): a page scanned as an
image is read and its words route the request; a page with a text layer is read from it; no
tesseract on the server keeps the letter with the French notice."""

import html
import io
import shutil
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from relais.frontdoor.letters import extract_text
from relais.frontdoor.models import Attachment, AttachmentKind, Request
from tests.frontdoor.mailkit import pdf_with_text

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (make ocr): scanned letters cannot be read here",
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PARAGRAPH = [
    "Boulangerie du Capitole, 4 place du Capitole, 31000 Toulouse",
    "Madame, Monsieur,",
    "Nous avons reçu de l'URSSAF une mise en demeure pour des",
    "cotisations sociales impayées du dernier trimestre.",
    "Pouvons-nous obtenir un échéancier de paiement des cotisations ?",
    "Veuillez agréer nos salutations distinguées.",
]


def scanned_pdf(lines=PARAGRAPH, pages=1) -> bytes:
    """A scan: A4 pages at 150 dpi holding the paragraph as pixels, saved as an image-only
    PDF (no text layer), as a copier would."""
    font = ImageFont.truetype(FONT, 28)
    images = []
    for _ in range(pages):
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(lines):
            draw.text((120, 200 + row * 50), line, font=font, fill=0)
        images.append(image.convert("RGB"))
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=150, save_all=True, append_images=images[1:])
    return out.getvalue()


def _upload(client, data, name="scan.pdf"):
    return client.post(
        reverse("frontdoor:letter-upload"),
        {"pdf": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_a_scanned_page_is_read_by_ocr():
    started = time.perf_counter()
    extracted = extract_text(scanned_pdf())
    elapsed = time.perf_counter() - started
    assert extracted.ocr_pages == (1,)
    assert extracted.recognised
    assert "URSSAF" in extracted.text
    assert "cotisations" in extracted.text
    assert "échéancier" in extracted.text
    print(f"OCR of one A4 page at 300 dpi: {elapsed:.2f} s")


def test_a_page_with_a_text_layer_is_not_ocred():
    extracted = extract_text(pdf_with_text("Nos cotisations URSSAF sont en retard de paiement."))
    assert extracted.ocr_pages == ()
    assert not extracted.recognised
    assert "cotisations URSSAF" in extracted.text


def test_the_ocr_page_limit(settings):
    settings.FRONTDOOR_OCR_MAX_PAGES = 1
    extracted = extract_text(scanned_pdf(pages=2))
    assert (extracted.pages, extracted.ocr_pages, extracted.ocr_skipped) == (2, (1,), 1)


def test_a_scanned_letter_is_read_marked_as_ocr_and_routed_by_its_words(client, net):
    agent = net.referents["CPAM"]
    client.force_login(agent)
    response = _upload(client, scanned_pdf())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Texte reconnu automatiquement (OCR)" in page
    assert "ne contient pas de texte lisible" not in page
    assert "cotisations" in page and "URSSAF" in page
    text = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert "cotisations" in text
    # The agent enters the request with the recognised text as it stands.
    response = client.post(
        response["Location"],
        {
            "body": "CPAM",
            "priority": "normal",
            "requester_role": "employer",
            "legal_name": "Boulangerie du Capitole",
            "last_name": "Martin",
            "subject": "Courrier reçu",
            "text": html.unescape(text).strip(),
        },
    )
    assert response.status_code == 302
    request = Request.objects.get()
    assert "cotisations" in request.text
    # The routing engine read the recognised words: URSSAF first, for the contributions.
    suggestion = request.routing["suggestion"]
    assert suggestion["bodies"][0][0] == "URSSAF", suggestion
    assert "cotisation" in suggestion["explanation"].lower(), suggestion
    assert Attachment.objects.get(kind=AttachmentKind.LETTER).request == request


def test_without_tesseract_the_letter_is_kept_with_the_french_notice(client, net, settings):
    settings.FRONTDOOR_TESSERACT_CMD = "/nonexistent/tesseract"
    client.force_login(net.referents["CPAM"])
    response = _upload(client, scanned_pdf())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "ne contient pas de texte lisible" in page
    assert "La reconnaissance de caractères (OCR) n&#x27;est pas installée" in page
    assert "Texte reconnu automatiquement" not in page
    assert Attachment.objects.filter(request=None).count() == 1
