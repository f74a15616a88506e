"""Tables offered for download as CSV (Excel-friendly) or xlsx, formula-safe.

One CSV writer (``csv_content``) and one xlsx writer (``xlsx_content``) serve both the pages that
answer with a file at once (``csv_download``, ``xlsx_download``) and the background jobs that
attach a file to their job (``job_attach_file``). Every attachment is named with
``content_disposition_header`` (RFC 6266), so names such as « Clients à relancer.csv » survive.
"""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from relais.core.text import without_control_characters

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What a spreadsheet would run as a formula when a cell starts with it (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell text for ``value``, with a quote before anything a spreadsheet would run."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class NumberText(str):
    """A number already written for a French spreadsheet (``-3,50``): a cell kept as it is,
    where any other text starting with ``-`` would be quoted."""


def _safe(line: Iterable) -> list:
    # Text a spreadsheet would run as a formula is quoted; numbers stay numbers.
    return [
        csv_safe(value) if isinstance(value, str) and not isinstance(value, NumberText) else value
        for value in line
    ]


def csv_content(rows: Iterable[Iterable]) -> bytes:
    """``rows`` (header first) as a semicolon CSV for French Excel: UTF-8 with a byte-order mark
    (which Excel needs to read UTF-8), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for line in rows:
        writer.writerow(_safe(line))
    return buffer.getvalue().encode("utf-8-sig")


def _xml_safe(line: list) -> list:
    # XML (hence xlsx) cannot carry C0 control characters: stored text holding one (typed
    # before fields refused them, or imported) is written with U+FFFD in its place.
    return [
        without_control_characters(value) if isinstance(value, str) else value for value in line
    ]


def xlsx_content(rows: Iterable[Iterable], *, sheet_title: str) -> bytes:
    """``rows`` (header first) as a one-sheet workbook, formulas neutralised, control
    characters replaced. Written in openpyxl's streaming mode, so that a large export does not
    hold every cell object."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])  # Excel's limit on sheet names
    for line in rows:
        sheet.append(_xml_safe(_safe(line)))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark ``response`` as a file to save under ``filename`` (any characters, RFC 6266)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def file_download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    """A response offering ``content`` as the file ``filename``."""
    return attachment(HttpResponse(content, content_type=content_type), filename)


def csv_download(rows: Iterable[Iterable], filename: str) -> HttpResponse:
    """``rows`` (header first) as a CSV file download (see ``csv_content``)."""
    return file_download(csv_content(rows), filename=filename, content_type=CSV_TYPE)


def xlsx_download(rows: Iterable[Iterable], filename: str, sheet_title: str) -> HttpResponse:
    """``rows`` (header first) as a one-sheet workbook download."""
    return file_download(
        xlsx_content(rows, sheet_title=sheet_title), filename=filename, content_type=XLSX_TYPE
    )
