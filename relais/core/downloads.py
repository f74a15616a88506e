"""Tables offered for download as CSV (Excel-friendly) or xlsx, formula-safe."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What a spreadsheet would run as a formula when a cell starts with it (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell text for ``value``, with a quote before anything a spreadsheet would run."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _safe(line: Iterable) -> list:
    # Text a spreadsheet would run as a formula is quoted; numbers stay numbers.
    return [csv_safe(value) if isinstance(value, str) else value for value in line]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(rows: Iterable[Iterable], filename: str) -> HttpResponse:
    """``rows`` (header first) as a semicolon CSV with a byte-order mark, which Excel needs
    to read UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for line in rows:
        writer.writerow(_safe(line))
    return _attachment(response, filename)


def xlsx_download(rows: Iterable[Iterable], filename: str, sheet_title: str) -> HttpResponse:
    """``rows`` (header first) as a one-sheet workbook."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]  # Excel's limit on sheet names
    for line in rows:
        sheet.append(_safe(line))
    output = io.BytesIO()
    workbook.save(output)
    return _attachment(HttpResponse(output.getvalue(), content_type=XLSX_TYPE), filename)
