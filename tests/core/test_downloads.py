"""The one CSV writer and the one xlsx writer, for responses and job files alike."""

import csv
import io

from openpyxl import load_workbook

from relais.core.downloads import (
    CSV_TYPE,
    XLSX_TYPE,
    NumberText,
    attachment,
    csv_content,
    csv_download,
    csv_safe,
    file_download,
    xlsx_content,
    xlsx_download,
)

ROWS = [
    ["Nom", "Profession", "Montant", "Solde"],
    ["Dupont", "=cmd|'/c calc'!A0", 12, NumberText("-3,50")],
    ["Été", "+SUM(1)", -4, "-3,50"],
    ["Sage", None, 0, "@x"],
]


def test_csv_safe():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("'=1+1") == "'=1+1"  # idempotent: a safe cell stays as it is
    assert csv_safe(None) == ""
    assert csv_safe(42) == "42"


def test_csv_content_is_excel_friendly_and_formula_safe():
    content = csv_content(ROWS)
    assert content.startswith(b"\xef\xbb\xbf")  # byte-order mark
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Nom", "Profession", "Montant", "Solde"],
        ["Dupont", "'=cmd|'/c calc'!A0", "12", "-3,50"],
        ["Été", "'+SUM(1)", "-4", "'-3,50"],
        ["Sage", "", "0", "'@x"],
    ]


def test_csv_content_takes_a_generator():
    assert csv_content(iter([["a"], ["b"]])) == "\ufeffa\r\nb\r\n".encode()


def test_xlsx_content_is_formula_safe_and_keeps_numbers():
    workbook = load_workbook(io.BytesIO(xlsx_content(ROWS, sheet_title="Clients à relancer " * 3)))
    sheet = workbook.active
    assert sheet.title == ("Clients à relancer " * 3)[:31]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1] == ["Dupont", "'=cmd|'/c calc'!A0", 12, "-3,50"]
    assert values[2] == ["Été", "'+SUM(1)", -4, "'-3,50"]


def test_csv_download_with_a_non_ascii_name():
    response = csv_download(ROWS, "Clients à relancer.csv")
    assert response["Content-Type"] == CSV_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Clients%20%C3%A0%20relancer.csv"
    )
    assert response.content == csv_content(ROWS)


def test_an_ascii_name_keeps_the_simple_form():
    response = xlsx_download(ROWS, "resultats-2025-06-15.xlsx", "Résultats")
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="resultats-2025-06-15.xlsx"'


def test_a_name_with_quotes_cannot_break_the_header():
    response = file_download(b"x", filename='a"; evil=".csv', content_type="text/plain")
    # The quotes are escaped: the name stays one quoted string.
    assert response["Content-Disposition"] == 'attachment; filename="a\\"; evil=\\".csv"'


def test_attachment_marks_any_response():
    response = attachment(file_download(b"", filename="a", content_type="text/plain"), "b.ics")
    assert response["Content-Disposition"] == 'attachment; filename="b.ics"'
