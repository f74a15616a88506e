"""Snapshot import: sheets written while the rest of the file is read.

Each record sheet goes to the database as soon as its own cells are checked, while the next
sheets are read; the file as a whole (checksum, references) is only vouched for at the end.
What must hold: the writing really starts before the reading ends; a fault of the file is
reported before a database error met while writing early; a refused file changes nothing;
a part whose checksum (CRC-32) is wrong is refused as damaged, whatever the reading found.
"""

import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from relais.core.contacts.models import Person
from relais.crm.models import Customer
from relais.training.services import snapshots as services
from relais.training.services.snapshots import snapshot_export, snapshot_import
from relais.training.snapshots import workbook as fmt

from .test_snapshot_import_paths import _last_sheet_with_a_changed_text, _replace_part


def _state(workspace) -> dict:
    return {
        "customers": sorted(
            Customer._base_manager.filter(workspace=workspace).values_list(
                "public_id", "search_document"
            )
        ),
        "persons": sorted(
            Person._base_manager.filter(workspace=workspace).values_list("public_id", "last_name")
        ),
    }


@pytest.fixture
def exported(enrollment, learner, tmp_path):
    return snapshot_export(actor=learner, workspace=enrollment.sandbox, path=tmp_path / "s.xlsx")


def test_the_first_sheets_are_written_before_the_reading_ends(
    enrollment, learner, exported, monkeypatch
):
    """The reading's last step waits until the persons are in: without early writing they
    would only be written after it, and the wait would run out."""
    persons_written = threading.Event()
    waited = []
    real_insert, real_check = services.insert_columns, fmt._check_references

    def insert(model, *args, **kwargs):
        real_insert(model, *args, **kwargs)
        if model is Person:
            persons_written.set()

    def check_references(*args, **kwargs):
        waited.append(persons_written.wait(timeout=30))
        return real_check(*args, **kwargs)

    monkeypatch.setattr(services, "insert_columns", insert)
    monkeypatch.setattr(fmt, "_check_references", check_references)
    before = _state(enrollment.sandbox)
    workspace = snapshot_import(actor=learner, path=exported, workspace=enrollment.sandbox)
    assert waited == [True]
    assert workspace.snapshot_result.reindexed == 0
    assert _state(enrollment.sandbox) == before


def test_a_files_fault_comes_before_a_database_error_met_while_reading(
    enrollment, learner, exported, monkeypatch, tmp_path
):
    """The persons' insert fails while the file is read, and the file's last sheet was
    changed: the checksum is what the user is told, and nothing changes."""
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(exported.read_bytes())
    _replace_part(broken, *_last_sheet_with_a_changed_text(exported))
    real_insert = services.insert_columns

    def insert(model, *args, **kwargs):
        if model is Person:
            raise DatabaseError("disque plein")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(services, "insert_columns", insert)
    before = _state(enrollment.sandbox)
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=broken, workspace=enrollment.sandbox)
    assert "somme de contrôle" in " ".join(error.value.messages)
    assert _state(enrollment.sandbox) == before
    # The same error with a right file: the database's, and still nothing changed.
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=exported, workspace=enrollment.sandbox)
    assert "disque plein" in " ".join(error.value.messages)
    assert _state(enrollment.sandbox) == before


def test_a_part_with_a_wrong_checksum_is_refused_as_damaged(
    enrollment, learner, exported, tmp_path
):
    """One byte of the largest sheet changed inside the archive (its recorded CRC-32 kept):
    refused as damaged by the parts' check, as when it ran before the reading."""
    with zipfile.ZipFile(exported) as archive:
        stored = max(
            (i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")),
            key=lambda i: i.file_size,
        )
    data = bytearray(exported.read_bytes())
    # The stored part's data starts after its local header (30 bytes, name, extra field).
    start = stored.header_offset + 30 + len(stored.filename.encode())
    start += int.from_bytes(data[stored.header_offset + 28 : stored.header_offset + 30], "little")
    data[start + stored.compress_size // 2] ^= 0x01
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    before = _state(enrollment.sandbox)
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=damaged, workspace=enrollment.sandbox)
    assert "endommagé ou incomplet" in " ".join(error.value.messages)
    assert _state(enrollment.sandbox) == before
