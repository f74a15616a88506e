"""Excel snapshots: the round trip, every rejection, isolation, the commands and the pages."""

import io
import shutil
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import NotFound
from relais.core.interactions.models import Interaction
from relais.core.jobs.models import Job, JobStatus
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.core.workspaces.sandbox import sandbox_models
from relais.crm.models import Customer, Invoice, InvoiceLine
from relais.crm.selectors import customer_list
from relais.training.models import Anomaly, AnomalyKind, SchoolBase
from relais.training.services.snapshots import snapshot_export, snapshot_import
from relais.training.snapshots import workbook as fmt
from relais.training.snapshots.workbook import decode_text, encode_text

HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example","clic")',
    "+33 6 12 34 56 78",
    "-2+3",
    "@SUM(A1:A2)",
    "\tcmd|' /C calc'!A0",
    "\rretour chariot",
    "'déjà une apostrophe",
    "<script>alert('x')</script>",
    "ligne 1\r\nligne 2",
    "littéral _x000D_ à garder",
]


# --- helpers -----------------------------------------------------------------------------------


def counts(workspace) -> dict:
    from relais.training.snapshots.workbook import table_queryset, tables

    return {table.sheet: table_queryset(table, workspace).count() for table in tables()}


def all_counts() -> dict:
    return {model._meta.label: model._base_manager.count() for model in sandbox_models()} | {
        "workspaces": Workspace.objects.count()
    }


def sheets_of(path) -> dict:
    """Every sheet's cells, as openpyxl reads them."""
    book = load_workbook(path, read_only=True)
    try:
        return {
            name: [list(row) for row in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames
        }
    finally:
        book.close()


def without_export_time(sheets: dict) -> dict:
    sheets = dict(sheets)
    sheets[fmt.META_SHEET] = [row for row in sheets[fmt.META_SHEET] if row[0] != "exported_at"]
    return sheets


def rewrite(source, target, change):
    """Copy the workbook, letting ``change(book)`` edit it (openpyxl full mode)."""
    book = load_workbook(source)
    change(book)
    book.save(target)


@pytest.fixture
def rich_sandbox(enrollment, trainer):
    """The learner's sandbox with company contacts, invoice lines, interactions and hostile text."""
    sandbox = enrollment.sandbox
    company = Company.objects.filter(workspace=sandbox).first()
    person = Person.objects.filter(workspace=sandbox).first()
    if company is None:
        company = Company.objects.create(workspace=sandbox, legal_name="Transports Martin")
    CompanyContact.objects.get_or_create(company=company, person=person, defaults={"role": "=1+1"})
    invoice = Invoice.objects.filter(workspace=sandbox).first()
    customer = Customer.objects.filter(workspace=sandbox, person=person).first()
    for index, text in enumerate(HOSTILE_TEXTS):
        InvoiceLine.objects.create(
            invoice=invoice,
            label=text,
            quantity="1.00",
            unit_price_excl_tax="10.50",
            vat_rate="20.00",
        )
        Interaction.objects.create(
            workspace=sandbox,
            person=person,
            channel="phone",
            direction="in",
            topic=text[:100],
            summary=text,
            started_at=f"2025-06-1{index % 9}T08:00:00+00:00",
            actor=trainer if index % 2 else enrollment.learner,
            source_type=ContentType.objects.get_for_model(Invoice),
            source_id=invoice.pk,
        )
    Person.objects.filter(pk=person.pk).update(
        last_name="=cmd|'/C calc'!A0", first_name="<script>x</script>"
    )
    assert customer is not None
    # The update above went round the services: derived columns follow, as they would.
    from relais.crm.services.customers import customers_reindex

    customers_reindex(workspace=sandbox)
    return sandbox


# --- text encoding -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_TEXTS + ["", "simple", "_x005F_", "a\x0bb"])
def test_encode_text_is_reversible_and_never_starts_like_a_formula(text):
    encoded = encode_text(text)
    assert decode_text(encoded) == text
    assert not encoded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "\r" not in encoded


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_gives_the_same_workbook_cell_by_cell(rich_sandbox, learner, tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=first)
    before = counts(rich_sandbox)
    assert before["contacts.companycontact"] >= 1 and before["crm.invoiceline"] >= len(
        HOSTILE_TEXTS
    )
    assert before["interactions.interaction"] >= len(HOSTILE_TEXTS)

    workspace = snapshot_import(actor=learner, path=first, workspace=rich_sandbox)
    assert workspace.snapshot_result.renamed_ids == 0
    assert counts(rich_sandbox) == before
    snapshot_export(actor=learner, workspace=rich_sandbox, path=second)

    one, two = sheets_of(first), sheets_of(second)
    assert list(one) == list(two)
    for name in one:
        rows_one = (
            without_export_time({name: one[name]})[name] if name == fmt.META_SHEET else one[name]
        )
        rows_two = (
            without_export_time({name: two[name]})[name] if name == fmt.META_SHEET else two[name]
        )
        assert len(rows_one) == len(rows_two), name
        for row_one, row_two in zip(rows_one, rows_two, strict=True):
            assert row_one == row_two, name


def test_hostile_text_is_stored_as_text_and_restored(rich_sandbox, learner, tmp_path):
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=path)
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )
    assert "<f>" not in xml  # no formula anywhere
    assert "&lt;script&gt;" in xml
    lines = sheets_of(path)["crm.invoiceline"]
    labels = {row[lines[0].index("label")] for row in lines[1:]}
    assert '\'=HYPERLINK("http://evil.example","clic")' in labels
    snapshot_import(actor=learner, path=path, workspace=rich_sandbox)
    restored = set(
        InvoiceLine.objects.filter(invoice__workspace=rich_sandbox).values_list("label", flat=True)
    )
    assert set(HOSTILE_TEXTS) <= restored
    person = Person.objects.get(workspace=rich_sandbox, last_name="=cmd|'/C calc'!A0")
    assert person.first_name == "<script>x</script>"


def test_import_keeps_users_and_maps_unknown_ones_to_the_importer(
    rich_sandbox, learner, trainer, tmp_path
):
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=path)
    trainer.username = "parti"
    trainer.save()
    workspace = snapshot_import(actor=learner, path=path, workspace=rich_sandbox)
    assert workspace.snapshot_result.unknown_users == ["formateur"]
    actors = set(Interaction.objects.filter(workspace=rich_sandbox).values_list("actor", flat=True))
    assert actors == {learner.pk}


def test_customer_search_works_after_import(enrollment, learner, tmp_path):
    sandbox = enrollment.sandbox
    person = Person.objects.filter(workspace=sandbox).exclude(last_name="").first()
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=sandbox, path=path)
    snapshot_import(actor=learner, path=path, workspace=sandbox)
    found = customer_list(user=learner, workspace=sandbox, query=person.last_name)
    assert person.public_id in {customer.person.public_id for customer in found}
    assert not Person.objects.filter(pk=person.pk).exists()  # really re-inserted


def test_template_export_has_anomalies_and_a_new_machine_recreates_it(school_template, tmp_path):
    school = SchoolBase.objects.get(workspace=school_template)
    Anomaly.objects.create(
        school_base=school,
        kind=AnomalyKind.TYPO,
        records=[{"identity_key": "k1", "label": "=Dupont"}],
        description="Faute de frappe",
        expected_correction="Corriger",
    )
    path, again = tmp_path / "t.xlsx", tmp_path / "t2.xlsx"
    call_command(
        "export_snapshot", str(school_template.public_id), "-o", str(path), stderr=io.StringIO()
    )
    sheets = sheets_of(path)
    assert fmt.ANOMALY_SHEET in sheets and len(sheets[fmt.ANOMALY_SHEET]) == 2
    before = counts(school_template)
    ids = set(
        Customer.objects.filter(workspace=school_template).values_list("public_id", flat=True)
    )
    public_id, organization = school_template.public_id, school_template.organization

    # Another machine: the template does not exist there.
    from relais.core.workspaces.cloning import workspace_records_delete

    workspace_records_delete(school_template)
    school_template.training_classes.all().delete()
    school_template.delete()
    call_command(
        "import_snapshot", str(path), "--organization", organization.slug, stderr=io.StringIO()
    )

    recreated = Workspace.objects.get(public_id=public_id)
    assert recreated.kind == WorkspaceKind.TEMPLATE and recreated.name == "Base école test"
    assert counts(recreated) == before
    assert (
        set(Customer.objects.filter(workspace=recreated).values_list("public_id", flat=True)) == ids
    )
    assert Anomaly.objects.get(school_base__workspace=recreated).records[0]["label"] == "=Dupont"
    call_command("export_snapshot", "Base école test", "-o", str(again), stderr=io.StringIO())
    assert without_export_time(sheets_of(again)) == without_export_time(sheets)


def test_importing_into_another_sandbox_derives_new_public_ids(
    enrollment, other_enrollment, learner, tmp_path
):
    path = tmp_path / "s.xlsx"
    snapshot_export(actor=None, workspace=other_enrollment.sandbox, path=path)
    neighbour_ids = set(
        Customer.objects.filter(workspace=other_enrollment.sandbox).values_list(
            "public_id", flat=True
        )
    )
    workspace = snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    mine = set(
        Customer.objects.filter(workspace=enrollment.sandbox).values_list("public_id", flat=True)
    )
    assert len(mine) == len(neighbour_ids) and not mine & neighbour_ids
    assert workspace.snapshot_result.renamed_ids > 0
    assert "remplacés" in workspace.snapshot_result.summary()
    assert AuditEntry.objects.filter(
        action="snapshot.import", workspace=enrollment.sandbox
    ).exists()


# --- rejections: each leaves everything as it was ----------------------------------------------


@pytest.fixture
def exported(enrollment, learner, tmp_path):
    path = tmp_path / "good.xlsx"
    snapshot_export(actor=learner, workspace=enrollment.sandbox, path=path)
    return path


def _rejected(learner, sandbox, path, message):
    before = all_counts()
    sandbox_counts = counts(sandbox)
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=path, workspace=sandbox)
    assert message in " ".join(error.value.messages)
    assert all_counts() == before
    assert counts(sandbox) == sandbox_counts


def test_rejects_a_file_that_is_not_a_workbook(enrollment, learner, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("nom;prénom\nDupont;Jean\n")
    _rejected(learner, enrollment.sandbox, path, "pas un classeur Excel")


def test_rejects_random_bytes(enrollment, learner, tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    _rejected(learner, enrollment.sandbox, path, "pas un classeur Excel")


def test_rejects_a_zip_that_is_not_a_workbook(enrollment, learner, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    _rejected(learner, enrollment.sandbox, path, "pas un classeur Excel")


def test_rejects_a_truncated_file(enrollment, learner, exported, tmp_path):
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(exported.read_bytes()[: exported.stat().st_size * 2 // 3])
    _rejected(learner, enrollment.sandbox, path, "incomplet")


def test_rejects_a_tampered_cell(enrollment, learner, exported, tmp_path):
    path = tmp_path / "tampered.xlsx"

    def change(book):
        sheet = book["crm.customer"]
        sheet.cell(row=2, column=sheet.max_column).value = "autre"

    rewrite(exported, path, change)
    _rejected(learner, enrollment.sandbox, path, "somme de contrôle")


def test_rejects_another_format_version(enrollment, learner, exported, tmp_path):
    path = tmp_path / "v2.xlsx"

    def change(book):
        for row in book[fmt.META_SHEET].iter_rows():
            if row[0].value == "format_version":
                row[1].value = "2"

    rewrite(exported, path, change)
    _rejected(learner, enrollment.sandbox, path, "Version de format 2 non prise en charge")


def test_rejects_missing_metadata(enrollment, learner, exported, tmp_path):
    path = tmp_path / "nometa.xlsx"
    rewrite(exported, path, lambda book: book.remove(book[fmt.META_SHEET]))
    _rejected(learner, enrollment.sandbox, path, "pas une sauvegarde Relais")


def test_rejects_a_missing_sheet(enrollment, learner, exported, tmp_path):
    path = tmp_path / "nosheet.xlsx"
    rewrite(exported, path, lambda book: book.remove(book["crm.vehicle"]))
    _rejected(learner, enrollment.sandbox, path, "Feuilles manquantes : crm.vehicle")


def test_rejects_a_missing_column(enrollment, learner, exported, tmp_path):
    path = tmp_path / "nocolumn.xlsx"
    rewrite(exported, path, lambda book: book["crm.vehicle"].delete_cols(3))
    _rejected(learner, enrollment.sandbox, path, "colonnes manquantes")


def test_rejects_a_file_too_large(enrollment, learner, exported, settings, monkeypatch):
    monkeypatch.setattr(fmt, "MAX_FILE_BYTES", 1000)
    _rejected(learner, enrollment.sandbox, exported, "trop volumineux")


def test_rejects_too_many_rows(enrollment, learner, exported, monkeypatch):
    monkeypatch.setattr(fmt, "MAX_ROWS", 5)
    _rejected(learner, enrollment.sandbox, exported, "trop de lignes")


def _resign(path):
    """Recompute the checksum after an edit, as a forger would: the values must still be checked."""
    sheets = sheets_of(path)
    book = load_workbook(path)
    meta = {row[0]: decode_text(row[1] or "") for row in sheets[fmt.META_SHEET][1:]}
    checksum = fmt.Checksum()
    for name in meta["tables"].split(","):
        checksum.sheet(name)
        rows = sheets[name]
        for row in rows:
            checksum.row(list(row) + [None] * (len(rows[0]) - len(row)))
    checksum.meta(meta)
    for row in book[fmt.META_SHEET].iter_rows():
        if row[0].value == "checksum":
            row[1].value = checksum.hexdigest()
    book.save(path)


def test_rejects_a_dangling_reference_even_with_a_valid_checksum(
    enrollment, learner, exported, tmp_path
):
    path = tmp_path / "dangling.xlsx"

    def change(book):
        sheet = book["crm.vehicle"]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(
            row=2, column=header.index("customer") + 1
        ).value = "00000000-0000-4000-8000-000000000000"

    rewrite(exported, path, change)
    _resign(path)
    _rejected(learner, enrollment.sandbox, path, "ne désigne aucune ligne")


def test_rejects_an_invalid_value_even_with_a_valid_checksum(
    enrollment, learner, exported, tmp_path
):
    path = tmp_path / "invalid.xlsx"

    def change(book):
        sheet = book["crm.customer"]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(row=2, column=header.index("status") + 1).value = "pirate"
        sheet.cell(row=3, column=header.index("created_at") + 1).value = "hier"

    rewrite(exported, path, change)
    _resign(path)
    before = all_counts()
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    messages = " ".join(error.value.messages)
    assert "colonne status" in messages and "n'est pas un choix permis" in messages
    assert "colonne created_at" in messages
    assert all_counts() == before


# --- permissions and isolation -----------------------------------------------------------------


def test_service_refuses_another_learners_sandbox(
    enrollment, other_enrollment, learner, exported, tmp_path
):
    with pytest.raises(NotFound):
        snapshot_export(actor=learner, workspace=other_enrollment.sandbox, path=tmp_path / "x.xlsx")
    before = counts(other_enrollment.sandbox)
    with pytest.raises(NotFound):
        snapshot_import(actor=learner, path=exported, workspace=other_enrollment.sandbox)
    assert counts(other_enrollment.sandbox) == before


def test_service_refuses_a_live_workspace_and_other_trainers(
    workspace, enrollment, trainer, tmp_path
):
    from tests.factories import UserFactory

    with pytest.raises(NotFound):
        snapshot_export(actor=trainer, workspace=workspace, path=tmp_path / "x.xlsx")
    stranger = UserFactory(
        username="autre-formateur", role="trainer", organization=trainer.organization
    )
    with pytest.raises(NotFound):
        snapshot_export(actor=stranger, workspace=enrollment.sandbox, path=tmp_path / "x.xlsx")
    # The trainer of the class may.
    snapshot_export(actor=trainer, workspace=enrollment.sandbox, path=tmp_path / "ok.xlsx")


# --- commands ----------------------------------------------------------------------------------


def test_commands_export_and_import_by_name(enrollment, tmp_path):
    path = tmp_path / "cli.xlsx"
    err = io.StringIO()
    call_command("export_snapshot", enrollment.sandbox.name, "-o", str(path), stderr=err)
    assert path.exists()
    err = io.StringIO()
    call_command(
        "import_snapshot", str(path), "--into", str(enrollment.sandbox.public_id), stderr=err
    )
    assert "lignes importées" in err.getvalue()


def test_command_import_fails_with_one_french_line(enrollment, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 pas vraiment")
    with pytest.raises(CommandError) as error:
        call_command("import_snapshot", str(path), stderr=io.StringIO())
    assert "pas un classeur Excel" in str(error.value)
    assert "\n" not in str(error.value)


def test_command_export_unknown_workspace(db, tmp_path):
    with pytest.raises(CommandError, match="introuvable"):
        call_command(
            "export_snapshot", "Nulle part", "-o", str(tmp_path / "x.xlsx"), stderr=io.StringIO()
        )


# --- pages -------------------------------------------------------------------------------------


def test_export_page_runs_a_job_that_offers_the_workbook(
    learner_client, enrollment, tmp_path, django_capture_on_commit_callbacks
):
    url = reverse("training:snapshot-export", kwargs={"workspace_id": enrollment.sandbox.public_id})
    page = learner_client.get(url)
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post(url)
    job = Job.objects.get(kind="training.snapshot_export")
    job.refresh_from_db()
    assert response.status_code == 302 and str(job.public_id) in response["Location"]
    assert job.status == JobStatus.SUCCEEDED and job.result_file.name.endswith(".xlsx")
    download = learner_client.get(reverse("jobs:job-download", kwargs={"public_id": job.public_id}))
    content = b"".join(download.streaming_content)
    path = tmp_path / "dl.xlsx"
    path.write_bytes(content)
    assert fmt.META_SHEET in sheets_of(path)


def test_import_page_replaces_the_sandbox(learner_client, enrollment, exported):
    sandbox = enrollment.sandbox
    url = reverse("training:snapshot-import", kwargs={"workspace_id": sandbox.public_id})
    page = learner_client.get(url)
    assert "sera remplacé" in page.content.decode()
    Customer.objects.filter(workspace=sandbox).delete()
    with exported.open("rb") as handle:
        refused = learner_client.post(url, {"file": handle})  # not confirmed
    assert refused.status_code == 200 and not Customer.objects.filter(workspace=sandbox).exists()
    with exported.open("rb") as handle:
        response = learner_client.post(url, {"file": handle, "confirm": "on"})
    assert response.status_code == 302
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("lignes importées" in notice for notice in notices)
    assert Customer.objects.filter(workspace=sandbox).count() == 10


def test_import_page_shows_errors_and_changes_nothing(learner_client, enrollment, tmp_path):
    sandbox = enrollment.sandbox
    before = counts(sandbox)
    url = reverse("training:snapshot-import", kwargs={"workspace_id": sandbox.public_id})
    bad = io.BytesIO(b"pas un classeur")
    bad.name = "faux.xlsx"
    response = learner_client.post(url, {"file": bad, "confirm": "on"})
    assert response.status_code == 200
    assert "pas un classeur Excel" in response.content.decode()
    assert counts(sandbox) == before


def test_pages_hide_another_learners_sandbox(learner_client, other_enrollment, exported):
    sandbox = other_enrollment.sandbox
    before = counts(sandbox)
    for name in ("training:snapshot-export", "training:snapshot-import"):
        url = reverse(name, kwargs={"workspace_id": sandbox.public_id})
        assert learner_client.get(url).status_code == 404
        with exported.open("rb") as handle:
            assert learner_client.post(url, {"file": handle, "confirm": "on"}).status_code == 404
    assert counts(sandbox) == before
    url = reverse("training:snapshot-export", kwargs={"workspace_id": "pas-un-uuid"})
    assert learner_client.get(url).status_code == 404


def test_workbook_copy_is_unchanged_by_reading(exported, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copy(exported, copy)
    fmt.read_workbook(copy)
    assert copy.read_bytes() == exported.read_bytes()


def test_new_records_get_fresh_keys_after_an_import(
    enrollment, other_enrollment, learner, tmp_path
):
    """Keys come from the sequences: rows created afterwards, anywhere, never clash."""
    from tests.factories import CustomerFactory, InvoiceLineFactory

    path = tmp_path / "s.xlsx"
    snapshot_export(actor=learner, workspace=enrollment.sandbox, path=path)
    snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    highest = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    customer = CustomerFactory(workspace=other_enrollment.sandbox)
    assert customer.pk > highest
    invoice = Invoice.objects.filter(workspace=enrollment.sandbox).first()
    line = InvoiceLineFactory(invoice=invoice)
    assert line.pk == InvoiceLine.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_pages_for_trainers_and_other_roles(client, trainer, school_template, enrollment, agent):
    from tests.factories import OrganizationFactory, UserFactory

    urls = [
        reverse(name, kwargs={"workspace_id": workspace.public_id})
        for name in ("training:snapshot-export", "training:snapshot-import")
        for workspace in (school_template, enrollment.sandbox)
    ]
    client.force_login(trainer)
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200
        assert "<h1" in page.content.decode()
    outsider = UserFactory(
        username="formateur-ailleurs", role="trainer", organization=OrganizationFactory()
    )
    for user in (agent, outsider):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


def _with_shared_strings(source, target):
    """Rewrite the workbook as Excel saves it: texts in a shared-string table."""
    import re

    strings: list[str] = []
    cell = re.compile(
        r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
        re.S,
    )

    def shared(match):
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name).decode()
            if name.startswith("xl/worksheets/"):
                data = cell.sub(shared, data)
            elif name == "[Content_Types].xml":
                data = data.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    "</Relationships>",
                )
            dst.writestr(name, data)
        items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
        dst.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>',
        )
    return len(strings)


def test_a_workbook_saved_with_shared_strings_is_still_accepted(rich_sandbox, learner, tmp_path):
    """Saved again unchanged by a spreadsheet (shared strings): same values, accepted."""
    path, resaved = tmp_path / "s.xlsx", tmp_path / "resaved.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=path)
    assert _with_shared_strings(path, resaved) > 100
    # Every sheet reads the same but the texts with _xHHHH_ escapes, which openpyxl decodes in
    # shared strings: the import must not.
    assert list(sheets_of(resaved)) == list(sheets_of(path))
    before = counts(rich_sandbox)
    snapshot_import(actor=learner, path=resaved, workspace=rich_sandbox)
    assert counts(rich_sandbox) == before
    labels = set(
        InvoiceLine.objects.filter(invoice__workspace=rich_sandbox).values_list("label", flat=True)
    )
    assert set(HOSTILE_TEXTS) <= labels


# --- derived columns and required fields -------------------------------------------------------


def _resign_as_read(path):
    """Like ``_resign``, over the values a reader sees (a formula's cached value, or nothing)."""
    book = load_workbook(path, read_only=True, data_only=True)
    sheets = {
        name: [list(row) for row in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }
    book.close()
    meta = {row[0]: decode_text(row[1] or "") for row in sheets[fmt.META_SHEET][1:]}
    checksum = fmt.Checksum()
    for name in meta["tables"].split(","):
        checksum.sheet(name)
        for row in sheets[name]:
            checksum.row(list(row) + [None] * (len(sheets[name][0]) - len(row)))
    checksum.meta(meta)
    full = load_workbook(path)
    for row in full[fmt.META_SHEET].iter_rows():
        if row[0].value == "checksum":
            row[1].value = checksum.hexdigest()
    full.save(path)


def test_an_import_recomputes_the_search_text_never_trusts_the_file(
    enrollment, learner, exported, tmp_path
):
    """The file renames a customer but keeps its old search text: search follows the name."""
    path = tmp_path / "renamed.xlsx"
    person = Person.objects.filter(workspace=enrollment.sandbox).order_by("pk").first()
    old_name = person.last_name

    def change(book):
        sheet = book["contacts.person"]
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == str(person.public_id):
                row[header.index("last_name")].value = "Zyrkowski"

    rewrite(exported, path, change)
    _resign(path)
    workspace = snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    assert workspace.snapshot_result.reindexed >= 1
    found = customer_list(user=learner, workspace=enrollment.sandbox, query="zyrkowski")
    assert [c.person.public_id for c in found] == [person.public_id]
    assert found[0].sort_name.startswith("zyrkowski")
    from relais.crm.search import build_search_document

    customer = Customer.objects.get(person__public_id=person.public_id)
    assert customer.search_document == build_search_document(customer)
    assert old_name.lower() not in customer.sort_name


def test_a_formula_without_a_cached_value_is_a_missing_required_last_name(
    enrollment, learner, exported, tmp_path
):
    path = tmp_path / "formula.xlsx"

    def change(book):
        sheet = book["contacts.person"]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(row=2, column=header.index("last_name") + 1).value = "=UPPER(B2)"

    rewrite(exported, path, change)  # openpyxl stores the formula, no cached value
    _resign_as_read(path)
    _rejected(learner, enrollment.sandbox, path, "colonne last_name : valeur obligatoire manquante")


def test_the_format_document_lists_every_sheet_and_column():
    """docs/training/snapshot-format.md names every record sheet an export writes, with its
    columns in order (it once listed 12 sheets where an export had 22)."""
    import re
    from pathlib import Path

    from relais.training.snapshots.workbook import tables

    doc = (Path(__file__).resolve().parents[2] / "docs/training/snapshot-format.md").read_text()
    documented = {}
    for line in doc.splitlines():
        found = re.match(r"\| `([a-z_]+\.[a-z_]+)` \| [^|]+ \| (.+) \|$", line)
        if found:
            documented[found.group(1)] = re.findall(r"`([a-z_]+)`", found.group(2))
    expected = {t.sheet: [c.name for c in t.columns] for t in tables()}
    assert list(documented) == list(expected)
    for sheet, columns in expected.items():
        assert [c for c in documented[sheet] if c in columns] == columns, sheet
    assert f"{len(expected)} record sheets" in doc.replace("\n", " ")


# --- issue 12: the faster reader and writer keep the format and every check ---------------------


def test_the_export_is_cell_for_cell_the_one_written_before_issue_12(
    rich_sandbox, learner, tmp_path
):
    """The export's new writer (raw values, a writer per column) gives the same workbook as
    the previous code, frozen for the benchmark, on a sandbox holding hostile texts, links of
    every kind and dates written by the sandbox copy's SQL."""
    from bench import _snapshot_before as before

    path, previous = tmp_path / "now.xlsx", tmp_path / "before.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=path)
    before.snapshot_export(actor=learner, workspace=rich_sandbox, path=previous)
    assert without_export_time(sheets_of(path)) == without_export_time(sheets_of(previous))


def test_the_previous_importer_and_the_new_one_restore_the_same_records(
    rich_sandbox, learner, tmp_path
):
    from bench import _snapshot_before as before

    path, again = tmp_path / "s.xlsx", tmp_path / "again.xlsx"
    snapshot_export(actor=learner, workspace=rich_sandbox, path=path)
    before.snapshot_import(actor=learner, path=path, workspace=rich_sandbox)
    snapshot_export(actor=learner, workspace=rich_sandbox, path=again)
    by_previous = without_export_time(sheets_of(again))
    snapshot_import(actor=learner, path=path, workspace=rich_sandbox)
    snapshot_export(actor=learner, workspace=rich_sandbox, path=again)
    assert without_export_time(sheets_of(again)) == by_previous


def test_a_fraction_in_an_integer_column_is_refused_in_french(
    enrollment, learner, exported, tmp_path
):
    """Spreadsheets store every number as a float: a whole one reads as an integer, a
    fraction is refused where an integer is expected."""
    path = tmp_path / "fraction.xlsx"

    def change(book):
        sheet = book["crm.invoice"]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(row=2, column=header.index("mileage") + 1).value = 12000.5

    rewrite(exported, path, change)
    _resign(path)
    _rejected(
        learner,
        enrollment.sandbox,
        path,
        "Feuille « crm.invoice », ligne 2, colonne mileage : « 12000.5 » n'est pas un nombre "
        "entier.",
    )


def test_a_text_where_an_integer_is_expected_and_a_number_where_a_text_is_are_refused(
    enrollment, learner, exported, tmp_path
):
    path = tmp_path / "types.xlsx"

    def change(book):
        sheet = book["crm.invoice"]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(row=2, column=header.index("mileage") + 1).value = "douze mille"
        sheet.cell(row=2, column=header.index("number") + 1).value = 42

    rewrite(exported, path, change)
    _resign(path)
    before = all_counts()
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    messages = " ".join(error.value.messages)
    assert "colonne mileage : « douze mille » n'est pas un nombre entier" in messages
    assert "colonne number : « 42 » devrait être un texte" in messages
    assert all_counts() == before


def test_a_duplicate_and_a_malformed_identifier_are_refused(
    enrollment, learner, exported, tmp_path
):
    path = tmp_path / "ids.xlsx"

    def change(book):
        sheet = book["crm.customer"]
        sheet.cell(row=3, column=1).value = sheet.cell(row=2, column=1).value
        sheet.cell(row=4, column=1).value = "pas-un-uuid"

    rewrite(exported, path, change)
    _resign(path)
    before = all_counts()
    with pytest.raises(ValidationError) as error:
        snapshot_import(actor=learner, path=path, workspace=enrollment.sandbox)
    messages = error.value.messages
    assert "Feuille « crm.customer », ligne 3 : identifiant en double." in messages
    assert "Feuille « crm.customer », ligne 4 : identifiant invalide." in messages
    assert all_counts() == before


def test_the_checksum_reads_escaped_texts_as_they_were_written():
    """The reader decodes ``_xHHHH_`` escapes (keeping the formula guard's apostrophe); the
    checksum hashes the cells as stored."""
    stored = [encode_text(text) for text in HOSTILE_TEXTS + ["_x005F_", "a\x0bb", "simple"]]
    as_read = [
        "'" + decode_text(value) if value.startswith("'") else decode_text(value)
        for value in stored
    ]
    written, read = fmt.Checksum(), fmt.Checksum()
    written.row(["id", *stored, 3, True, None])
    read.cells(["id", *as_read, 3, True, None])
    assert as_read != stored
    assert read.hexdigest() == written.hexdigest()
