"""Snapshot import and export at size: what the faster paths must keep.

The customers' derived columns are computed from the file's rows before they are written;
they must be exactly what ``customers_reindex`` computes from the database afterwards,
including the order of related rows (company contacts by last name in the database's
collation, vehicles by first registration with each engine's place for empty dates). The
file is read in a worker thread while the target's records are deleted: progress messages
still come from the caller's thread, and a refused file changes nothing. The zip is
written by a worker thread whose error reaches the caller; sealing gives the tokens it gave
before its keys were cached.
"""

import datetime
import threading
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.text import fold
from relais.crm.models import Customer, Vehicle
from relais.crm.search import build_search_document
from relais.crm.services.customers import customers_reindex
from relais.training.services.snapshots import snapshot_export, snapshot_import
from relais.training.snapshots import sealing
from relais.training.snapshots.workbook import _BackgroundZip


def _stored(workspace) -> dict:
    return dict(
        Customer._base_manager.filter(workspace=workspace).values_list(
            "public_id", "search_document"
        )
    )


@pytest.fixture
def ordered_sandbox(enrollment):
    """A company whose contacts' last names sort differently by case, accent and code point,
    two of them alike; a customer with vehicles registered the same day, later, and never."""
    sandbox = enrollment.sandbox
    company = Company.objects.create(workspace=sandbox, legal_name="Garage du Centre")
    Customer.objects.create(workspace=sandbox, kind="company", company=company, sort_name="x")
    for first, last in [
        ("Zoé", "dupont"),
        ("Adam", "Durand"),
        ("Bea", "Élie"),
        ("Carl", "Durand"),
        ("Dora", "eckert"),
    ]:
        person = Person.objects.create(
            workspace=sandbox, first_name=first, last_name=last, email=f"{first.lower()}@c.fr"
        )
        CompanyContact.objects.create(company=company, person=person)
    person = Person.objects.create(workspace=sandbox, first_name="Ivo", last_name="Nadal")
    owner = Customer.objects.create(
        workspace=sandbox, kind="individual", person=person, sort_name="y"
    )
    day = datetime.date(2020, 3, 1)
    for plate, registered in [
        ("AA-001-AA", None),
        ("BB-002-BB", day),
        ("CC-003-CC", day + datetime.timedelta(days=400)),
        ("DD-004-DD", None),
        ("EE-005-EE", day),
    ]:
        Vehicle.objects.create(
            workspace=sandbox,
            customer=owner,
            make="Renault",
            model="Clio",
            energy="petrol",
            plate=plate,
            vin=f"VF1{plate.replace('-', '')}000000"[:17],
            first_registration_date=registered,
        )
    customers_reindex(workspace=sandbox)
    return sandbox


def test_derived_columns_from_the_file_are_those_of_a_reindex_from_the_database(
    ordered_sandbox, learner, tmp_path
):
    path = tmp_path / "ordered.xlsx"
    snapshot_export(actor=learner, workspace=ordered_sandbox, path=path)
    expected = _stored(ordered_sandbox)
    workspace = snapshot_import(actor=learner, path=path, workspace=ordered_sandbox)
    assert workspace.snapshot_result.reindexed == 0  # the file's derived columns were right
    assert _stored(ordered_sandbox) == expected
    # And what a recomputation from the database gives, order of related rows included.
    assert customers_reindex(workspace=ordered_sandbox) == 0
    company = Customer.objects.get(workspace=ordered_sandbox, company__legal_name__startswith="G")
    assert company.search_document == build_search_document(company)
    # The contacts' order shows in the text (not a set): the database's order, as written.
    names = [fold(link.person.first_name) for link in company.company.contacts.all()]
    assert names != ["zoe", "adam", "bea", "carl", "dora"]  # not the file's order
    positions = [company.search_document.index(name) for name in names]
    assert positions == sorted(positions)


def test_a_stale_search_text_in_the_file_is_recomputed_before_it_is_written(
    ordered_sandbox, learner, tmp_path
):
    """The file's derived columns are wrong (the database was edited round the services):
    the import writes the recomputed ones and counts them."""
    path = tmp_path / "stale.xlsx"
    Customer.objects.filter(workspace=ordered_sandbox).update(search_document="faux")
    snapshot_export(actor=learner, workspace=ordered_sandbox, path=path)
    workspace = snapshot_import(actor=learner, path=path, workspace=ordered_sandbox)
    total = Customer._base_manager.filter(workspace=ordered_sandbox).count()
    assert workspace.snapshot_result.reindexed == total
    assert "faux" not in _stored(ordered_sandbox).values()
    assert customers_reindex(workspace=ordered_sandbox) == 0


def test_progress_comes_from_the_callers_thread_and_says_every_sheet(enrollment, learner, tmp_path):
    path = tmp_path / "progress.xlsx"
    snapshot_export(actor=learner, workspace=enrollment.sandbox, path=path)
    seen = []
    snapshot_import(
        actor=learner,
        path=path,
        workspace=enrollment.sandbox,
        progress=lambda text: seen.append((threading.current_thread(), text)),
    )
    assert {thread for thread, _text in seen} == {threading.current_thread()}
    texts = [text for _thread, text in seen]
    assert texts[0].startswith("Suppression du contenu actuel")
    assert "Lecture de la feuille crm.customer" in texts
    assert texts.index("Lecture de la feuille crm.invoiceline") < texts.index(
        "Recalcul des textes de recherche"
    )


def test_a_refused_file_leaves_the_target_whole_after_its_early_deletion(
    enrollment, learner, tmp_path
):
    """The records are deleted while the file is read: a file refused at its last sheet
    rolls the deletion back."""
    path = tmp_path / "bad.xlsx"
    snapshot_export(actor=learner, workspace=enrollment.sandbox, path=path)
    before = _stored(enrollment.sandbox)
    counts = {model: model._base_manager.count() for model in (Customer, Person, Vehicle)}
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(path.read_bytes())
    _replace_part(broken, *_last_sheet_with_a_changed_text(path))
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=broken, workspace=enrollment.sandbox)
    assert "somme de contrôle" in " ".join(error.value.messages)
    assert _stored(enrollment.sandbox) == before
    assert {model: model._base_manager.count() for model in counts} == counts
    assert customers_reindex(workspace=enrollment.sandbox) == 0


def _last_sheet_with_a_changed_text(path) -> tuple[str, bytes]:
    """The name and markup of the last sheet with text, its first text cell changed."""
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            (n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")),
            key=lambda n: int(n.removeprefix("xl/worksheets/sheet").removesuffix(".xml")),
        )
        for name in reversed(names):
            data = archive.read(name)
            if b'<row r="2"' in data and b"<is><t>" in data[data.index(b'<row r="2"') :]:
                marker = data.index(b"<is><t>", data.index(b'<row r="2"')) + len(b"<is><t>")
                return name, data[:marker] + b"Z" + data[marker:]
    raise AssertionError("no text cell found")


def _replace_part(path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in parts:
            archive.writestr(info, data if info.filename == name else content)


def test_the_zip_writers_error_reaches_the_caller(tmp_path):
    with (  # noqa: PT012 - the worker's error comes back at any call, or on leaving
        pytest.raises((OSError, RuntimeError)),
        _BackgroundZip(tmp_path / "absent" / "file.xlsx") as target,
    ):
        for _ in range(100):
            target.write(b"x")


def test_the_zip_writer_writes_parts_and_chunks_in_order(tmp_path):
    path = tmp_path / "parts.zip"
    with _BackgroundZip(path) as target:
        target.part(zipfile.ZipInfo("a.txt"), b"first")
        target.open("b.txt")
        for index in range(50):
            target.write(f"{index},".encode())
        target.close_part()
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["a.txt", "b.txt"]
        assert archive.read("b.txt") == "".join(f"{i}," for i in range(50)).encode()
        assert archive.testzip() is None


@override_settings(RELAIS_SNAPSHOT_KEY="clé de test")
def test_sealing_gives_the_tokens_it_gave_before_its_keys_were_cached():
    key, context = "0123456789abcdef0123456789abcdef", "crm.customer:4a1e:identity_key"
    token = (
        "scelle:v1:WX3FSuydmDSyCgI29iFkbcV-77wT4KrmIuEzhGqy34CzcgixrXvP69wPyQEt39sG_uJ228HScPcj"
        "tJS1djodtA"
    )
    assert sealing.seal(key, context) == token
    assert sealing.unseal(token, context) == key
    assert sealing.unseal(token, context + "x") is None
    with override_settings(RELAIS_SNAPSHOT_KEY="une autre clé"):
        assert sealing.unseal(token, context) is None  # the cache follows the secret


def _fold_by_the_general_rule(text) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).translate({0x153: "oe"}))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@pytest.mark.parametrize(
    "text", ["Jean-Marc DUPONT", "AB-123-CD", "06 12 34 56 78", "a\tb\x01", "~{|}", "Hélène"]
)
def test_fold_of_ascii_text_is_the_general_rule(text):
    assert fold(text) == _fold_by_the_general_rule(text)


def test_reserved_keys_are_new_distinct_and_apart_from_a_reservation_in_between(db):
    """``reserve_ids`` (PostgreSQL: one ``nextval`` per key, sent back as runs): as many keys
    as asked, each above every existing one, none given twice, even when another
    reservation takes keys between two of them."""
    from django.db import connection, transaction

    from relais.core.rows import reserve_ids

    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the keys past the highest are taken by writing them")
    with transaction.atomic():
        highest = Vehicle._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        first = list(reserve_ids(Vehicle, 500))
        between = list(reserve_ids(Vehicle, 3))
        second = list(reserve_ids(Vehicle, 1200))
    assert (len(first), len(between), len(second)) == (500, 3, 1200)
    keys = first + between + second
    assert len(set(keys)) == len(keys)
    assert min(keys) > highest
    assert first == sorted(first) and second == sorted(second)
    assert max(first) < min(between) and max(between) < min(second)
