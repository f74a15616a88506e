"""The user kit: each French guide of docs/guide/ builds to a valid, multi-page PDF."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from relais.core import userkit

pytestmark = pytest.mark.django_db(databases=[])


def _outline_titles(data: bytes) -> list[str]:
    """The bookmark titles: literal ``(…)`` strings or UTF-16BE ``<FEFF…>`` hex strings."""
    titles = []
    for literal, hexa in re.findall(rb"/Title (?:\(((?:[^()\\]|\\.)*)\)|<([0-9a-fA-F]+)>)", data):
        if hexa:
            titles.append(bytes.fromhex(hexa.decode()).decode("utf-16"))
        else:
            titles.append(re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1"))
    return titles


def _page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def _headings(markdown_file: Path) -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in markdown_file.read_text(encoding="utf-8").splitlines()
        if re.match(r"#{1,3} ", line)
    ]


@pytest.fixture
def kit(tmp_path):
    built = userkit.build_user_kit(tmp_path, today=date(2025, 6, 15), compress=False)
    return {path.name: path.read_bytes() for path in built}


def test_every_guide_of_the_kit_is_built():
    """The three guides exist in docs/ (the editable version) and each one makes a PDF."""
    for source, _pdf in userkit.GUIDES:
        assert (userkit.GUIDE_DIR / source).exists(), source


@pytest.mark.parametrize(("source", "pdf"), userkit.GUIDES)
def test_guide_pdf_is_valid_with_cover_pages_and_headings(kit, source, pdf):
    data = kit[pdf]
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"startxref" in data[-200:]
    assert _page_count(data) > 1  # the cover, then the guide
    # Every heading of the Markdown, accents and typographic quotes included, is a bookmark.
    titles = _outline_titles(data)
    for heading in _headings(userkit.GUIDE_DIR / source):
        assert heading in titles, heading
    # Pages are numbered "page N / total" in the footer of every page but the cover.
    assert b"/Lang (fr)" in data


def test_unicode_text_survives_with_the_embedded_font(tmp_path):
    """€, ’, œ, « » are outside latin-1: the vendored DejaVu font is embedded, no core font."""
    source = tmp_path / "essai.md"
    source.write_text(
        "# Guide d’essai — œuvre à 12 €\n\n"
        "## Première étape\n\nUn paragraphe « entre guillemets » avec `code` et un "
        "[lien](https://example.org).\n\n"
        "- premier point\n- second point\n\n1. un\n2. deux\n\n"
        "| colonne | **valeur** |\n|---|---|\n| prix | 12 € |\n\n"
        "```\nmake kit\n```\n\n### Sous-partie cœur\n\nFin.\n",
        encoding="utf-8",
    )
    target = userkit.build_guide(source, tmp_path / "essai.pdf", compress=False)
    data = target.read_bytes()
    assert b"/FontFile2" in data  # an embedded TrueType font
    assert b"DejaVu" in data
    assert b"/Helvetica" not in data and b"/Courier" not in data
    titles = _outline_titles(data)
    assert titles[:1] == ["Guide d’essai — œuvre à 12 €"]
    assert "Première étape" in titles and "Sous-partie cœur" in titles


def test_guide_without_heading_gets_a_default_title(tmp_path):
    source = tmp_path / "sans-titre.md"
    source.write_text("Juste un paragraphe.\n", encoding="utf-8")
    data = userkit.build_guide(source, tmp_path / "x.pdf", compress=False).read_bytes()
    assert _outline_titles(data)[0] == "Guide Relais"


def test_cover_date_is_french():
    assert userkit.french_date(date(2025, 8, 1)) == "1 août 2025"
    assert userkit.french_date(date(2025, 12, 24)) == "24 décembre 2025"


def test_command_writes_the_pdfs(tmp_path, capsys):
    call_command("build_user_kit", "-o", str(tmp_path), "--date", "2025-06-15")
    written = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert written == sorted(pdf for _source, pdf in userkit.GUIDES)
    assert "PDF écrit" in capsys.readouterr().out


def test_command_rejects_a_bad_date_in_french(tmp_path):
    with pytest.raises(CommandError, match="--date attend une date AAAA-MM-JJ"):
        call_command("build_user_kit", "-o", str(tmp_path), "--date", "15/06/2025")
    assert not list(tmp_path.glob("*.pdf"))


def test_table_columns_fit_their_longest_word():
    """A short first column is not squeezed so much that a word is cut in two."""
    html = userkit._html(
        "| onglet | contenu |\n|---|---|\n| Coordonnées | " + "adresse, téléphones " * 10 + "|\n"
    )
    widths = [int(w) for w in re.findall(r'<th align="left" width="(\d+)%"', html)]
    assert len(widths) == 2
    assert widths[0] >= 3 + 1.5 * len("Coordonnées") - 1
    assert widths[1] > widths[0]
    assert '<td align="left">' in html


def test_a_table_of_many_long_headers_is_built_not_refused(tmp_path):
    # Seven columns of long words cannot all keep their longest word on one line of A4.
    source = tmp_path / "large.md"
    source.write_text(
        "# Tableau large\n\n"
        "| canal | distribution | ouverture (si distribué) | clic (si ouvert) "
        "| réponse (si ouvert) | rendez-vous (si ouvert) | désinscription (si distribué) |\n"
        "|---|---|---|---|---|---|---|\n"
        "| E-mail | 95 % | 40 % | 25 % | 10 % | 6 % | 2 % |\n"
        "| SMS | 97 % | 85 % | 12 % | 7 % | 4 % | 1,5 % |\n"
        "| Courrier | 93 % | 65 % | 5 % | 5 % | 4 % | 0,5 % |\n",
        encoding="utf-8",
    )
    data = userkit.build_guide(source, tmp_path / "large.pdf", compress=False).read_bytes()
    assert data.startswith(b"%PDF-")
    assert _page_count(data) >= 2
