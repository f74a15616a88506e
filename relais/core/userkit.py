"""The user kit: the French guides of ``docs/guide/`` built to PDF.

The Markdown files stay the editable version (the seed asks for a kit "sous format modifiable
et PDF"); this module turns each one into a PDF with a cover page (title, date) and numbered
pages. fpdf2's core fonts only cover latin-1 (no €, ’, œ…), so the vendored DejaVu fonts of
``relais/static/vendor/fonts/`` are embedded instead — the build needs no network.
"""

import re
from datetime import date
from pathlib import Path

import markdown
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle

ROOT = Path(__file__).resolve().parent.parent.parent
GUIDE_DIR = ROOT / "docs" / "guide"
OUTPUT_DIR = ROOT / "var" / "kit"
FONT_DIR = ROOT / "relais" / "static" / "vendor" / "fonts"
FONT = "DejaVu"
MONO = "DejaVuMono"
HEADING_COLOUR = "#1f3a5f"

# The guides of the kit, in the order of the kit: (Markdown file, PDF name).
GUIDES = (
    ("formateur.md", "guide-formateur.pdf"),
    ("apprenant.md", "guide-apprenant.pdf"),
    ("clients.md", "guide-clients.pdf"),
    ("ciblage.md", "guide-ciblage.pdf"),
    ("tableaux-de-bord.md", "guide-tableaux-de-bord.pdf"),
    ("agenda.md", "guide-agenda.pdf"),
    ("campagnes.md", "guide-campagnes.pdf"),
    ("doublons.md", "guide-doublons.pdf"),
    ("communaute-membres.md", "guide-communaute-membres.pdf"),
    ("communaute-moderation.md", "guide-communaute-moderation.pdf"),
    ("communaute-administrateurs.md", "guide-communaute-administrateurs.pdf"),
    ("guichet-unique.md", "guide-guichet-unique.pdf"),
    ("parcours.md", "guide-parcours.pdf"),
    ("guichet-employeurs.md", "guide-guichet-employeurs.pdf"),
    ("guichet-referents.md", "guide-guichet-referents.pdf"),
    ("guichet-repartiteur.md", "guide-guichet-repartiteur.pdf"),
    ("guichet-moderation.md", "guide-guichet-moderation.pdf"),
)

_FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: date) -> str:
    """``15 juin 2025``: the cover date, whatever the process locale."""
    return f"{day.day} {_FRENCH_MONTHS[day.month - 1]} {day.year}"


class _GuidePDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.guide_title = title
        for style, file in (
            ("", "DejaVuSans.ttf"),
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
            ("BI", "DejaVuSans-BoldOblique.ttf"),
        ):
            self.add_font(FONT, style, FONT_DIR / file)
        self.add_font(MONO, "", FONT_DIR / "DejaVuSansMono.ttf")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_lang("fr")
        self.set_creator("Relais")

    def footer(self) -> None:
        if self.page_no() == 1:
            return  # the cover carries no number
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(100)
        self.cell(0, 6, self.guide_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0)


def _split_title(text: str) -> tuple[str, str]:
    """The first ``# heading`` becomes the cover title; the rest is the body."""
    match = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
    if not match:
        return "Guide Relais", text
    return match.group(1).strip(), text[: match.start()] + text[match.end() :]


_CELL = re.compile(r"(<t[dh](?:\s[^>]*)?>)(.*?)(</t[dh]>)", flags=re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_TABLE = re.compile(r"<table>.*?</table>", flags=re.DOTALL)


_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
# Screens span the text width: 170 mm of A4 between the margins, in the points fpdf2 reads
# from an ``<img width>`` (1 mm = 72 / 25.4 pt).
IMAGE_WIDTH_PT = round(170 * 72 / 25.4)


def _image(match: re.Match, base: Path | None) -> str:
    """An ``<img>`` at the text width; one whose file is missing becomes a line saying so
    (a guide being edited still builds)."""
    attributes = re.sub(r'\s(width|height)="[^"]*"', "", match.group(1))
    src = re.search(r'src="([^"]*)"', attributes)
    if base is not None and src and not (base / src.group(1)).is_file():
        return f"<p><i>(écran manquant : {src.group(1)})</i></p>"
    return f'<img{attributes} width="{IMAGE_WIDTH_PT}">'


def _html(body: str, base: Path | None = None) -> str:
    html = markdown.markdown(body, extensions=["tables", "fenced_code", "sane_lists"])
    html = _IMG.sub(lambda match: _image(match, base), html)
    # fpdf2 cannot nest inline tags inside table cells: keep their text only.
    html = _CELL.sub(lambda m: m.group(1) + _TAG.sub("", m.group(2)) + m.group(3), html)
    return _TABLE.sub(_sized_table, html)


def _sized_table(match: re.Match) -> str:
    """Columns as wide as their longest text (within bounds), cells aligned left: fpdf2
    would otherwise give every column the same width and justify the text."""
    table = match.group(0)
    lengths: dict[int, int] = {}
    words: dict[int, int] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.DOTALL):
        for index, cell in enumerate(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)):
            lengths[index] = max(lengths.get(index, 0), len(cell.strip()))
            longest = max((len(word) for word in cell.split()), default=0)
            words[index] = max(words.get(index, 0), longest)
    columns = sorted(lengths)
    weights = [min(max(lengths[c], 8), 60) for c in columns]
    percents = [100 * weight / sum(weights) for weight in weights] if weights else []
    # No word cut in two: a column is at least as wide as its longest word (≈1.5 % a letter
    # at 11 pt on A4); the others share what is left.
    floors = [min(3 + 1.5 * words[c], 45) for c in columns]
    narrow = [i for i, percent in enumerate(percents) if percent < floors[i]]
    taken = sum(floors[i] for i in narrow)
    if narrow and len(narrow) < len(percents) and taken < 90:
        rest = sum(percents[i] for i in range(len(percents)) if i not in narrow)
        percents = [
            floors[i] if i in narrow else percents[i] * (100 - taken) / rest
            for i in range(len(percents))
        ]
    elif narrow:
        # Too many long words for one line of A4: share the width by longest word; some
        # words will be cut, but every column keeps room for its letters.
        percents = [100 * floor / sum(floors) for floor in floors]
    first_row = iter(round(percent) for percent in percents)

    def cell(tag_match: re.Match) -> str:
        tag = tag_match.group(1)
        width = next(first_row, None) if tag == "th" else None
        sized = f' width="{width}%"' if width else ""
        return f'<{tag} align="left"{sized}>'

    return re.sub(r"<(t[dh])(?:\s[^>]*)?>", cell, table)


def build_guide(source: Path, target: Path, *, today: date | None = None, compress=True) -> Path:
    """Build one guide: ``source`` (Markdown) → ``target`` (PDF). Returns ``target``."""
    today = today or date.today()
    title, body = _split_title(source.read_text(encoding="utf-8"))
    pdf = _GuidePDF(title)
    pdf.set_compression(compress)
    pdf.add_page()
    pdf.start_section(title, 0)  # the outline (bookmarks) starts with the guide's title
    pdf.set_y(90)
    pdf.set_font(FONT, "B", 24)
    pdf.multi_cell(0, 12, title, align="C")
    pdf.ln(8)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(0, 8, "Relais — simulateur de CRM et CRM des services publics", align="C")
    pdf.ln(4)
    pdf.multi_cell(0, 8, f"Édition du {french_date(today)}", align="C")
    pdf.set_y(-50)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        f"Version modifiable : docs/guide/{source.name} (Markdown). "
        "Logiciel libre sous licence AGPL-3.0.",
        align="C",
    )
    pdf.add_page()
    pdf.set_font(FONT, "", 11)
    pdf.write_html(
        _html(body, source.parent),
        # A guide names its screens relative to itself (``images/…png``).
        image_map=lambda src: str((source.parent / src).resolve()),
        font_family=FONT,
        table_line_separators=True,
        li_prefix_color=HEADING_COLOUR,
        tag_styles={
            "h1": TextStyle(color=HEADING_COLOUR, font_size_pt=20, t_margin=6, b_margin=2),
            "h2": TextStyle(color=HEADING_COLOUR, font_size_pt=16, t_margin=6, b_margin=2),
            "h3": TextStyle(color=HEADING_COLOUR, font_size_pt=13, t_margin=4, b_margin=1),
            "a": FontFace(color="#0b5ed7", emphasis="UNDERLINE"),
            "code": FontFace(family=MONO),
            "pre": TextStyle(font_family=MONO, font_size_pt=9, t_margin=3, b_margin=3),
        },
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(target))
    return target


def build_user_kit(
    output_dir: Path | None = None,
    *,
    guide_dir: Path | None = None,
    today: date | None = None,
    compress: bool = True,
) -> list[Path]:
    """Build every guide of the kit present in ``guide_dir``; returns the PDFs written."""
    guide_dir = guide_dir or GUIDE_DIR
    output_dir = output_dir or OUTPUT_DIR
    built = []
    for source_name, pdf_name in GUIDES:
        source = guide_dir / source_name
        if source.exists():
            built.append(build_guide(source, output_dir / pdf_name, today=today, compress=compress))
    return built
