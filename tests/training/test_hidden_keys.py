"""Hidden answers stay hidden: identity keys are sealed in snapshots (restored on this
installation, unreadable elsewhere) and never shown to a learner, in pages or through the API."""

import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from relais.core.accounts.services import api_token_create
from relais.crm.models import Customer, CustomerMerge
from relais.training.models import Anomaly, AnomalyKind, SchoolBase
from relais.training.services.snapshots import snapshot_export, snapshot_import
from relais.training.snapshots import sealing
from relais.training.snapshots import workbook as fmt
from tests.training.test_snapshots import _resign

pytestmark = pytest.mark.django_db


def all_cells(path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
    finally:
        book.close()


def keys_of(workspace) -> dict:
    return dict(
        Customer.objects.filter(workspace=workspace).values_list("public_id", "identity_key")
    )


@pytest.fixture
def sandbox_with_a_duplicate(enrollment):
    """Two records of one person (the same identity key) and one merge already done."""
    sandbox = enrollment.sandbox
    first, second, third = Customer.objects.filter(workspace=sandbox).order_by("pk")[:3]
    Customer.objects.filter(pk=second.pk).update(identity_key=first.identity_key)
    CustomerMerge.objects.create(
        workspace=sandbox,
        survivor=third,
        absorbed_public_id=first.public_id,
        absorbed_identity_key=third.identity_key,
        absorbed_name="Fiche absorbée",
    )
    assert all(keys_of(sandbox).values())
    return sandbox


def test_an_exported_workbook_holds_no_identity_key(sandbox_with_a_duplicate, learner, tmp_path):
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=path)
    keys = set(keys_of(sandbox_with_a_duplicate).values())
    cells = all_cells(path)
    assert len(keys) >= 5
    assert not [cell for cell in cells if any(key in cell for key in keys)]
    # The column is there, sealed; two records of the same person carry unrelated tokens.
    book = load_workbook(path, read_only=True)
    rows = list(book["crm.customer"].iter_rows(values_only=True))
    book.close()
    column = rows[0].index("identity_key")
    tokens = [row[column] for row in rows[1:]]
    assert all(sealing.is_sealed(token) for token in tokens)
    assert len(set(tokens)) == len(tokens)


def test_a_reimport_on_this_installation_restores_the_keys(
    sandbox_with_a_duplicate, learner, tmp_path
):
    path, again = tmp_path / "s.xlsx", tmp_path / "s2.xlsx"
    before = keys_of(sandbox_with_a_duplicate)
    merge_key = CustomerMerge.objects.get(workspace=sandbox_with_a_duplicate).absorbed_identity_key
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=path)
    Customer.objects.filter(workspace=sandbox_with_a_duplicate).update(identity_key="")
    workspace = snapshot_import(actor=learner, path=path, workspace=sandbox_with_a_duplicate)
    assert keys_of(sandbox_with_a_duplicate) == before
    assert CustomerMerge.objects.get(workspace=workspace).absorbed_identity_key == merge_key
    assert workspace.snapshot_result.unopened_keys == 0
    # Unchanged base, same workbook: the seal depends on the row and the key only.
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=again)
    assert [c for c in all_cells(path) if sealing.is_sealed(c)] == [
        c for c in all_cells(again) if sealing.is_sealed(c)
    ]


def test_another_installation_cannot_read_the_keys(
    settings, sandbox_with_a_duplicate, learner, tmp_path
):
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=path)
    count = Customer.objects.filter(workspace=sandbox_with_a_duplicate).count()
    settings.SECRET_KEY = "une-autre-installation-" + "x" * 40
    workspace = snapshot_import(actor=learner, path=path, workspace=sandbox_with_a_duplicate)
    assert set(keys_of(workspace).values()) == {""}  # no truth: merges of them are not graded
    assert workspace.snapshot_result.unopened_keys == count + 1  # and the merge's
    assert "clés d'identité cachées" in workspace.snapshot_result.summary()


def test_installations_sharing_a_snapshot_key_exchange_graded_bases(
    settings, sandbox_with_a_duplicate, learner, tmp_path
):
    settings.RELAIS_SNAPSHOT_KEY = "clé-partagée-par-deux-centres"
    path = tmp_path / "s.xlsx"
    before = keys_of(sandbox_with_a_duplicate)
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=path)
    settings.SECRET_KEY = "une-autre-installation-" + "x" * 40
    workspace = snapshot_import(actor=learner, path=path, workspace=sandbox_with_a_duplicate)
    assert keys_of(workspace) == before


def test_a_token_moved_to_another_row_or_edited_does_not_open(
    sandbox_with_a_duplicate, learner, tmp_path
):
    """A learner cannot make two records "the same person" by copying a seal."""
    path, forged = tmp_path / "s.xlsx", tmp_path / "forged.xlsx"
    snapshot_export(actor=learner, workspace=sandbox_with_a_duplicate, path=path)
    book = load_workbook(path)
    sheet = book["crm.customer"]
    column = [cell.value for cell in sheet[1]].index("identity_key") + 1
    moved_to = sheet.cell(row=3, column=column)
    moved_to.value = sheet.cell(row=2, column=column).value
    book.save(forged)
    _resign(forged)  # the checksum redone, as a forger would
    target_id = sheet.cell(row=3, column=1).value
    workspace = snapshot_import(actor=learner, path=forged, workspace=sandbox_with_a_duplicate)
    assert Customer.objects.get(workspace=workspace, public_id=target_id).identity_key == ""
    assert workspace.snapshot_result.unopened_keys == 1
    token = sealing.seal("0123456789abcdef0123456789abcdef", "ici")
    assert sealing.unseal(token, "ici") == "0123456789abcdef0123456789abcdef"
    assert (
        sealing.unseal(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "ici") is None
    )
    assert sealing.unseal(token, "ailleurs") is None


def test_a_school_base_seals_its_anomalies(school_template, tmp_path):
    customer = Customer.objects.filter(workspace=school_template).first()
    school = SchoolBase.objects.get(workspace=school_template)
    Anomaly.objects.create(
        school_base=school,
        kind=AnomalyKind.TYPO,
        records=[{"identity_key": customer.identity_key, "label": "Dupont"}],
        description="Faute de frappe",
        expected_correction="Corriger",
    )
    path = tmp_path / "t.xlsx"
    snapshot_export(actor=None, workspace=school_template, path=path)
    assert not [c for c in all_cells(path) if customer.identity_key in c]
    book = load_workbook(path, read_only=True)
    records = json.loads(list(book[fmt.ANOMALY_SHEET].iter_rows(values_only=True))[1][4])
    book.close()
    assert sealing.is_sealed(records[0]["identity_key"]) and records[0]["label"] == "Dupont"
    Anomaly.objects.all().delete()
    snapshot_import(actor=None, path=path, workspace=school_template)
    assert Anomaly.objects.get(school_base__workspace=school_template).records == [
        {"identity_key": customer.identity_key, "label": "Dupont"}
    ]


def test_a_learner_never_sees_a_key_in_pages_or_the_api(client, learner, enrollment):
    sandbox = enrollment.sandbox
    keys = {k for k in keys_of(sandbox).values() if k}
    assert keys
    client.force_login(learner)
    customer = Customer.objects.filter(workspace=sandbox).first()
    pages = [reverse("crm:customer-list"), reverse("training:exercise-list")]
    for name in ("customer-detail", "customer-vehicles", "customer-timeline", "customer-edit"):
        pages.append(reverse(f"crm:{name}", kwargs={"customer_id": customer.public_id}))
    bodies = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    _token, key = api_token_create(user=learner, name="tests")
    headers = {"Authorization": f"Bearer {key}"}
    base = f"/api/workspaces/{sandbox.public_id}/"
    for url in (
        f"{base}customers",
        f"{base}customers/{customer.public_id}",
        "/api/training/sandboxes/",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    for body in bodies:
        assert not [k for k in keys if k in body]
        assert "identity_key" not in body
