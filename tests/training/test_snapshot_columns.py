"""Snapshots read and written by column: each whole-column shortcut gives exactly what the
cell-by-cell rules give, and refuses what they refuse; the customers' search index stays
whole whether an import succeeds or fails."""

import datetime
import decimal
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from relais.core.rows import Stored, _adapter, stored_datetime_texts
from relais.crm.models import Customer
from relais.crm.selectors import customer_list
from relais.training.services import snapshots as services
from relais.training.services.snapshots import snapshot_export, snapshot_import
from relais.training.snapshots import workbook as fmt

from .test_snapshots import HOSTILE_TEXTS

UTC = datetime.UTC


def _column(sheet: str, name: str) -> fmt.Column:
    table = next(table for table in fmt.tables() if table.sheet == sheet)
    return next(column for column in table.columns if column.name == name)


def _one_by_one(column: fmt.Column, cells: list):
    """What the cell-by-cell reader gives, or ``fmt._Fault`` if any cell is refused."""
    read = fmt.cell_reader(column)
    try:
        return [read(cell) for cell in cells]
    except ValidationError:
        return fmt._Fault


def _by_column(column: fmt.Column, cells: list):
    try:
        return fmt.column_reader(column)(list(cells))
    except fmt._Fault:
        return fmt._Fault


CASES = [
    # (sheet, column, cells)
    ("contacts.person", "last_name", ["Durand", "'=1+1", "é" * 150]),
    ("contacts.person", "last_name", ["Durand", None]),  # required
    ("contacts.person", "last_name", ["x" * 151]),  # too long
    ("contacts.person", "last_name", ["Durand", 3]),  # not a text
    ("contacts.person", "first_name", [None, "Lucie", "'"]),
    ("crm.customer", "kind", ["individual", "company"]),
    ("crm.customer", "kind", ["individual", "someone"]),  # not a choice
    ("crm.customer", "person", [None, "4cfd0d71-b44b-442f-815b-678b29288336", "'x"]),
    ("crm.customer", "person", [1]),  # a number for a reference
    ("crm.invoice", "mileage", [0, 12, None, 250_000]),
    ("crm.invoice", "mileage", [1, -1]),  # below the range
    ("crm.invoice", "mileage", [1, True]),  # a boolean is not a number
    ("crm.invoice", "mileage", [1, 1.5]),
    ("crm.invoice", "total_excl_tax", ["0.00", "123.45", "-7.5", "99999999.99"]),
    ("crm.invoice", "total_excl_tax", ["1.234"]),  # too many places
    ("crm.invoice", "total_excl_tax", ["1e3"]),
    ("crm.invoice", "total_excl_tax", ["NaN"]),
    ("crm.invoice", "total_excl_tax", [12]),
    ("crm.invoiceline", "vat_rate", ["20.00", "5.5", "0"]),
    ("crm.invoiceline", "vat_rate", ["120.00"]),  # above the range
    ("crm.invoiceline", "quantity", ["-1.00"]),  # below the range
    ("crm.invoice", "issued_on", ["2025-06-15", "2024-02-29"]),
    ("crm.invoice", "issued_on", ["2025-02-30"]),
    ("crm.invoice", "issued_on", ["2025-W01-1"]),
    ("crm.invoice", "issued_on", ["2025-6-5"]),
    ("crm.invoice", "issued_on", ["20250615"]),
    ("crm.invoice", "issued_on", [None]),
    (
        "interactions.interaction",
        "started_at",
        ["2025-06-15T08:00:00+00:00", "2025-06-15T10:00:00.123456+02:00"],
    ),
    ("interactions.interaction", "started_at", ["2025-06-15T08:00:00"]),  # no time zone
    ("interactions.interaction", "started_at", ["hier"]),
    ("interactions.interaction", "ended_at", [None, "2025-06-15T08:00:00+00:00"]),
    ("contacts.person", "consent_email", [True, False]),
    ("contacts.person", "consent_email", [True, 1]),
]


@pytest.mark.parametrize(("sheet", "name", "cells"), CASES)
def test_a_column_reads_as_its_cells_do(db, sheet, name, cells):
    column = _column(sheet, name)
    expected = _one_by_one(column, cells)
    assert _by_column(column, cells) == expected
    if expected is not fmt._Fault:
        found = fmt.column_reader(column)(list(cells))
        assert [type(v) for v in found] == [type(v) for v in expected]


def test_the_cases_cover_every_whole_column_shortcut(db):
    kinds = {(sheet, name) for sheet, name, _cells in CASES}
    covered = {fmt._fast_column_reader(_column(sheet, name)) is not None for sheet, name in kinds}
    assert covered == {True}


def test_a_chunk_of_rows_hashes_as_its_rows_do():
    rows = [
        ("a", "x],[y", None, 3),
        ("b", "ligne\nsuivante", True, 1.5),
        ("c", "_x000D_", "\x0b", "\ufffe"),
        ("d", *HOSTILE_TEXTS[:3]),
        ("e", "simple", None, None),
        ("f", "]", "[", "],"),
    ]
    for size in (1, 2, 4, 256):
        by_row, by_chunk = fmt.Checksum(), fmt.Checksum()
        for row in rows:
            by_row.cells(list(row))
        by_chunk.cell_rows(rows, chunk=size)
        assert by_chunk.hexdigest() == by_row.hexdigest()
        stored_by_row, stored_by_chunk = fmt.Checksum(), fmt.Checksum()
        for row in rows:
            stored_by_row.row(row)
        stored_by_chunk.stored_rows(rows, chunk=size)
        assert stored_by_chunk.hexdigest() == stored_by_row.hexdigest()


@pytest.mark.parametrize(
    "texts",
    [
        ["simple", None, "", "=1+1", "'quote", "-2"],
        HOSTILE_TEXTS,
        ["a\x0bb", "fine"],
        ["littéral _x0041_", "fine"],
        ["tab\tinside", "line\nbreak"],
    ],
)
def test_a_column_of_texts_encodes_as_its_cells_do(texts):
    assert fmt.encode_column(texts) == [fmt.encode_text(t) if t else None for t in texts]


def test_the_row_markup_is_the_same_by_column():
    rows = [
        ["id1", "texte", " espace ", "a<b&c", 3, True, None, "'=1"],
        ["id2", None, "x", None, None, False, 12, "y"],
    ]
    markup = "".join(fmt._rows_xml(rows, len(rows[0])))
    expected = "".join(
        f'<row r="{number}">'
        + "".join(
            fmt._cell_xml(f'<c r="{letter}{number}"', value)
            for letter, value in zip("ABCDEFGH", row, strict=True)
        )
        + "</row>"
        for number, row in enumerate(rows, start=2)
    )
    assert markup == expected
    assert '<c r="C2" t="inlineStr"><is><t xml:space="preserve"> espace </t></is></c>' in markup
    assert '<c r="D2" t="inlineStr"><is><t>a&lt;b&amp;c</t></is></c>' in markup


def _search_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall() if name.startswith("crm_customer_fts")}


def _index_is_whole() -> None:
    with connection.cursor() as cursor:
        # FTS5 raises if the index differs from the documents of its content table.
        cursor.execute(
            "INSERT INTO crm_customer_fts(crm_customer_fts, rank) VALUES ('integrity-check', 1)"
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's full-text triggers")
def test_the_search_index_is_whole_after_an_import_and_after_a_failed_one(
    enrollment, learner, tmp_path, monkeypatch
):
    sandbox = enrollment.sandbox
    triggers = _search_triggers()
    assert len(triggers) == 3
    customer = Customer.objects.filter(workspace=sandbox, person__isnull=False).first()
    name = customer.person.last_name
    path = snapshot_export(actor=learner, workspace=sandbox, path=tmp_path / "s.xlsx")
    snapshot_import(actor=learner, path=path, workspace=sandbox)
    assert _search_triggers() == triggers
    _index_is_whole()
    assert customer_list(user=learner, workspace=sandbox, query=name).exists()

    real_insert, calls = services.insert_columns, []

    def failing_insert(model, *args, **kwargs):
        # The customers are in, their triggers dropped: the next table fails.
        calls.append(model)
        if Customer in calls[:-1]:
            raise DatabaseError("disque plein")
        return real_insert(model, *args, **kwargs)

    # A failure halfway: everything, the triggers included, is rolled back.
    monkeypatch.setattr(services, "insert_columns", failing_insert)
    before = list(Customer.objects.filter(workspace=sandbox).values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        snapshot_import(actor=learner, path=path, workspace=sandbox)
    assert _search_triggers() == triggers
    _index_is_whole()
    assert list(Customer.objects.filter(workspace=sandbox).values_list("pk", flat=True)) == before
    assert customer_list(user=learner, workspace=sandbox, query=name).exists()


def test_decimal_and_date_values_keep_their_types(db):
    column = _column("crm.invoice", "total_excl_tax")
    assert fmt.column_reader(column)(["12.50"]) == [decimal.Decimal("12.50")]
    column = _column("interactions.interaction", "started_at")
    assert fmt.column_reader(column)(["2025-06-15T08:00:00+00:00"]) == [
        datetime.datetime(2025, 6, 15, 8, tzinfo=UTC)
    ]


def test_date_time_texts_are_stored_as_their_parsed_values_would_be(db):
    column = _column("interactions.interaction", "ended_at")
    texts = [
        "2025-06-15T08:00:00+00:00",
        "2025-06-15T08:00:00.000120+00:00",
        None,
        "2025-12-31T23:59:59.999999+00:00",
    ]
    parsed = fmt.column_reader(column)(texts)
    assert parsed.texts == texts
    stored = stored_datetime_texts(parsed.texts)
    assert stored.__class__ is Stored
    if connection.vendor == "sqlite":
        adapt = _adapter(column.field, connection)
        assert stored == [None if v is None else adapt(v) for v in parsed]
    else:
        with connection.cursor() as cursor:
            for text, value in zip(stored, parsed, strict=True):
                cursor.execute("SELECT %s::timestamptz", [text])
                assert cursor.fetchone()[0] == value
    # Any other form (zero fraction written out, another offset) goes the long way.
    for other in ("2025-06-15T08:00:00.000000+00:00", "2025-06-15T10:00:00+02:00"):
        assert stored_datetime_texts([texts[0], other]) is None


@pytest.mark.parametrize(
    ("sheet", "name", "values"),
    [
        (
            "interactions.interaction",
            "ended_at",
            [
                None,
                datetime.datetime(
                    2025, 6, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
                ),
                datetime.datetime(2025, 6, 15, 8, 0, 0, 120, tzinfo=UTC),
            ],
        ),
        ("crm.invoice", "issued_on", [datetime.date(2025, 6, 15), None]),
        (
            "crm.invoice",
            "total_excl_tax",
            [decimal.Decimal("12.5"), decimal.Decimal("3.456"), None],
        ),
        ("crm.customermerge", "absorbed_public_id", [None, uuid.UUID(int=7)]),
        ("crm.invoice", "total_excl_tax", [decimal.Decimal("1.00"), "2.00"]),  # mixed
    ],
)
def test_a_column_of_driver_values_writes_as_its_cells_do(db, sheet, name, values):
    column = _column(sheet, name)
    write = fmt._value_column_writer(column.field, lambda v: fmt._value_cell(column.field, v))
    assert write(values) == [fmt._value_cell(column.field, v) for v in values]
