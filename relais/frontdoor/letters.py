"""Paper: the text of a scanned letter (pypdf for the text layer, tesseract for the pages
without one: ``relais.frontdoor.ocr``), and the letters Relais prints (fpdf2, the PDF library of
the user kit, with its vendored DejaVu fonts: accents, « », €).

A page whose text layer holds the letter is read from it; a page without (a scan saved as an
image) is rendered and read by OCR when ``tesseract`` is installed. Without it, the scan is
reported as such and the agent types or summarises the letter.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from fpdf import FPDF

from relais.core.text import without_control_characters
from relais.core.userkit import FONT, FONT_DIR, french_date
from relais.frontdoor import ocr

logger = logging.getLogger(__name__)

# Below this many characters, the "text" is a scanner's stamp, not the letter.
_MIN_CHARACTERS_PER_PAGE = 20
MAX_PAGES = 50


@dataclass
class LetterText:
    text: str
    pages: int
    # Pages whose text was recognised by OCR (1-based), and those left unread because the
    # OCR page limit was reached.
    ocr_pages: tuple[int, ...] = ()
    ocr_skipped: int = 0

    @property
    def has_text_layer(self) -> bool:
        """Whether there is text to show (from the PDF's text layer or from OCR)."""
        return len(self.text.strip()) >= _MIN_CHARACTERS_PER_PAGE

    @property
    def recognised(self) -> bool:
        return bool(self.ocr_pages) and self.has_text_layer


def ocr_available() -> bool:
    return ocr.ocr_available()


def ocr_notice(extracted: LetterText) -> str:
    """What the agent must know of a text read by OCR: it may hold errors."""
    message = _(
        "le texte de %(count)s page(s) numérisée(s) a été lu par la machine : il peut "
        "contenir des erreurs, comparez-le au PDF avant d'enregistrer."
    ) % {"count": len(extracted.ocr_pages)}
    if extracted.ocr_skipped:
        message += " " + _(
            "%(count)s page(s) au-delà de la limite n'ont pas été lues : complétez le texte."
        ) % {"count": extracted.ocr_skipped}
    return message


def no_text_layer_message() -> str:
    message = _(
        "Ce PDF ne contient pas de texte lisible (c'est une image numérisée) : saisissez ou "
        "résumez le courrier dans le champ « Expression de besoin »."
    )
    if not ocr_available():
        message += " " + _(
            "La reconnaissance de caractères (OCR) n'est pas installée sur ce serveur."
        )
    return message


def extract_text(data: bytes, *, use_ocr: bool = True) -> LetterText:
    """The text of a PDF letter, page after page: the text layer where a page has one, OCR
    (tesseract, French) for the pages without, up to ``FRONTDOOR_OCR_MAX_PAGES``. A file that
    is not a readable PDF (damaged, encrypted, too long) raises a French ``ValidationError``;
    OCR that is missing or fails leaves those pages empty (never an error)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Ce fichier n'est pas un PDF."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(_("Ce PDF est protégé par un mot de passe : il ne peut être lu."))
        pages = reader.pages
        count = len(pages)
        if count > MAX_PAGES:
            raise ValidationError(
                _("Ce PDF compte %(count)s pages : %(max)s au plus.")
                % {"count": count, "max": MAX_PAGES}
            )
        texts = [page.extract_text() or "" for page in pages]
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        logger.info("Unreadable PDF letter: %s", error)
        raise ValidationError(_("Ce PDF est endommagé ou illisible.")) from error
    texts = [t.strip() for t in texts]
    scanned = [i for i, t in enumerate(texts) if len(t) < _MIN_CHARACTERS_PER_PAGE]
    ocr_pages: tuple[int, ...] = ()
    skipped = 0
    if use_ocr and scanned and ocr.ocr_available():
        limit = ocr.max_pages()
        skipped = max(0, len(scanned) - limit)
        try:
            recognised = ocr.ocr_pdf_pages(data, scanned[:limit])
        except ocr.OcrUnavailable:
            recognised, skipped = {}, 0
        for index, page_text in recognised.items():
            if page_text.strip():
                texts[index] = page_text.strip()
        ocr_pages = tuple(i + 1 for i, t in recognised.items() if t.strip())
    text = "\n\n".join(t for t in texts if t)
    return LetterText(
        text=without_control_characters(text, " ").strip(),
        pages=count,
        ocr_pages=ocr_pages,
        ocr_skipped=skipped,
    )


def letter_text(data: bytes) -> LetterText:
    """``extract_text`` kept a day in the cache, keyed by the file's digest: OCR takes seconds
    a page, and the letter's page is shown again after each error of the form."""
    # The OCR command is part of the key: a text read without OCR is read again once it is there.
    digest = hashlib.sha256(data)
    digest.update(str(ocr.tesseract_command()).encode())
    key = "frontdoor:letter-text:" + digest.hexdigest()
    extracted = cache.get(key)
    if extracted is None:
        extracted = extract_text(data)
        cache.set(key, extracted, 24 * 3600)
    return extracted


class _LetterPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_lang("fr")
        self.set_creator("Relais")
        self.set_creation_date(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))


def _letter(
    *, title: str, sender_lines: list[str], recipient_lines: list[str], day: datetime.date
) -> _LetterPDF:
    pdf = _LetterPDF(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    for line in sender_lines:
        pdf.multi_cell(95, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.set_xy(110, 50)
    for line in recipient_lines:
        pdf.set_x(110)
        pdf.multi_cell(80, 5, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(110, pdf.get_y() + 8)
    pdf.cell(80, 5, _("Le %(date)s") % {"date": french_date(day)})
    pdf.set_xy(pdf.l_margin, max(pdf.get_y() + 15, 95))
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 11)
    return pdf


def _paragraphs(pdf: _LetterPDF, text: str) -> None:
    for paragraph in text.split("\n"):
        pdf.multi_cell(0, 5.5, paragraph or " ", new_x="LMARGIN", new_y="NEXT")


def requester_lines(request) -> list[str]:
    """The address block of the requester: person, company, street, postcode and city."""
    lines = []
    if request.person_id:
        lines.append(request.person.full_name)
    company = request.company if request.company_id else None
    if company is not None:
        lines.append(company.legal_name)
        if company.street:
            lines.append(company.street)
        if company.postal_code or company.city:
            lines.append(f"{company.postal_code} {company.city}".strip())
    return lines or [_("Demandeur")]


def acknowledgement_letter(request, context: dict, text: str) -> bytes:
    """The acknowledgement of receipt of a postal request, to print and post: the same
    text (legal mentions, tracking code) as the e-mailed one."""
    pdf = _letter(
        title=_("Accusé de réception de votre demande %(code)s") % {"code": request.tracking_code},
        sender_lines=[_("Guichet unique"), request.network.name],
        recipient_lines=requester_lines(request),
        day=context["received_on"],
    )
    _paragraphs(pdf, text.strip())
    return bytes(pdf.output())


def answer_letter(answer, bodies, day: datetime.date) -> bytes:
    """An answer sent by post: the bodies answering, the requester, the tracking code."""
    request = answer.request
    sender = [b.name for b in bodies]
    first = bodies[0]
    if first.address:
        sender.extend(first.address.splitlines())
    if first.phone:
        sender.append(first.phone)
    pdf = _letter(
        title=_("Réponse à votre demande %(code)s") % {"code": request.tracking_code},
        sender_lines=sender,
        recipient_lines=requester_lines(request),
        day=day,
    )
    _paragraphs(pdf, _("Objet : %(subject)s") % {"subject": request.subject})
    pdf.ln(3)
    _paragraphs(pdf, answer.text)
    pdf.ln(6)
    _paragraphs(pdf, ", ".join(b.name for b in bodies))
    return bytes(pdf.output())
