"""Segment screens: builder, live count, save/rename/duplicate/delete, members, export CSV
and xlsx (inline and as a background job), hostile definitions, roles and isolation."""

import csv
import datetime
import html
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.jobs.models import Job, JobStatus
from relais.crm.models import Segment
from relais.crm.segments import services
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db

LYON_OLD_CAR_NO_VISIT = {
    "match": "all",
    "conditions": [
        {"field": "customer.city", "op": "eq", "value": "Lyon"},
        {
            "field": "vehicle.first_registration_date",
            "op": "older_than",
            "value": {"amount": 4, "unit": "years"},
        },
        {
            "entity": "invoice",
            "quantifier": "none",
            "match": "all",
            "conditions": [
                {"field": "invoice.kind", "op": "eq", "value": "apv"},
                {
                    "field": "invoice.issued_on",
                    "op": "in_last",
                    "value": {"amount": 12, "unit": "months"},
                },
            ],
        },
    ],
    "sort": [{"field": "customer.last_name", "dir": "asc"}],
}


@pytest.fixture
def base(workspace):
    """Lyon customers: Ancien matches; Récent's car is new; Fidèle came last month."""
    ancien = CustomerFactory(workspace=workspace, person__last_name="Ancien", person__city="Lyon")
    VehicleFactory(customer=ancien, first_registration_date=datetime.date(2019, 1, 1))
    recent = CustomerFactory(workspace=workspace, person__last_name="Récent", person__city="Lyon")
    VehicleFactory(customer=recent, first_registration_date=datetime.date(2024, 1, 1))
    fidele = CustomerFactory(workspace=workspace, person__last_name="Fidèle", person__city="Lyon")
    VehicleFactory(customer=fidele, first_registration_date=datetime.date(2018, 1, 1))
    InvoiceFactory(customer=fidele, kind="apv", issued_on=datetime.date(2025, 5, 10))
    CustomerFactory(workspace=workspace, person__last_name="Parisien", person__city="Paris")
    return {"ancien": ancien, "recent": recent, "fidele": fidele}


def count(client, definition, **params):
    url = reverse("crm:segment-count")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    payload = definition if isinstance(definition, str) else json.dumps(definition)
    return client.post(url, {"definition": payload}, HTTP_HX_REQUEST="true")


def make_segment(workspace, agent, name="Relance atelier", definition=None):
    return services.segment_create(
        actor=agent,
        workspace=workspace,
        name=name,
        definition=definition if definition is not None else LYON_OLD_CAR_NO_VISIT,
    )


# --- list and builder --------------------------------------------------------------------


def test_empty_list_invites_to_create(agent_client):
    page = agent_client.get(reverse("crm:segment-list")).content.decode()
    assert "Aucun segment pour l'instant" in html.unescape(page)
    assert reverse("crm:segment-create") in page


def test_list_shows_segments_with_their_counts(agent_client, workspace, agent, base):
    make_segment(workspace, agent)
    page = html.unescape(agent_client.get(reverse("crm:segment-list")).content.decode())
    assert "Relance atelier" in page
    segment = Segment.objects.get()
    size_url = reverse("crm:segment-size", args=[segment.public_id])
    assert f'hx-get="{size_url}"' in page
    size = agent_client.get(size_url)
    assert (size.content, size["Content-Type"]) == (b"1", "text/plain; charset=utf-8")
    assert "Ville est égal à Lyon ET" in page


def test_builder_page_carries_the_catalogue_and_a_live_region(agent_client):
    response = agent_client.get(reverse("crm:segment-create"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="segment-catalogue"' in page and 'id="segment-initial"' in page
    assert 'aria-live="polite"' in page
    assert f'hx-post="{reverse("crm:segment-count")}"' in page
    assert "relais/segments.js" in page
    catalogue = response.context["catalogue"]
    assert {"customer", "vehicle", "invoice", "activity", "note", "lead", "computed"} <= {
        e["key"] for e in catalogue["entities"]
    }
    assert ["agent", response.context["user"].display_name] in catalogue["users"]


def test_live_count_and_preview(agent_client, base):
    response = count(agent_client, LYON_OLD_CAR_NO_VISIT)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "1 client correspond" in page
    assert 'hx-swap-oob="true"' in page and "ANCIEN" in page and "RÉCENT" not in page
    everyone = html.unescape(count(agent_client, {"conditions": []}).content.decode())
    assert "4 clients correspondent" in everyone


def test_live_count_as_json(agent_client, base):
    response = count(agent_client, LYON_OLD_CAR_NO_VISIT, format="json")
    assert response.json() == {"count": 1, "errors": []}
    bad = count(agent_client, {"conditions": [{"field": "x", "op": "eq"}]}, format="json")
    assert bad.status_code == 400
    assert "champ inconnu" in bad.json()["errors"][0]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "n'est pas un JSON valide"),
        ("[1, 2]", "doit être un objet JSON"),
        (
            json.dumps({"conditions": [{"field": "customer.city", "op": "gt", "value": "a"}]}),
            "n'est pas permis",
        ),
        (
            json.dumps(
                {
                    "conditions": [
                        {"field": "customer.city", "op": "eq", "value": "<script>alert(1)</script>"}
                    ]
                }
            ),
            None,
        ),
        (
            json.dumps({"conditions": [{"field": "<script>alert(1)</script>", "op": "eq"}]}),
            "champ inconnu",
        ),
        ("x" * 200_001, "trop volumineuse"),
        ("[" * 50_000 + "]" * 50_000, "n'est pas un JSON valide"),
        (
            '{"conditions": [{"field": "customer.city", "op": "in", "value": [[1]]}]}',
            "saisissez un texte",
        ),
        (
            '{"match": ["all"], "conditions": [{"field": {"a": 1}, "op": [1]}], "sort": [{"field": []}]}',
            "« match » doit valoir",
        ),
        (
            json.dumps({"conditions": [{"field": "computed.age", "op": "eq", "value": 10**30}]}),
            "hors des limites",
        ),
        (json.dumps({"conditions": [{"field": "", "op": ""}]}), "choisissez un champ"),
    ],
)
def test_hostile_definitions_never_crash_the_live_count(agent_client, base, payload, message):
    response = count(agent_client, payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page
    if message:
        assert message in html.unescape(page)


def test_saving_a_segment(agent_client, agent, workspace, base):
    response = agent_client.post(
        reverse("crm:segment-create"),
        {
            "name": "Relance atelier",
            "description": "Pour l'opération printemps",
            "definition": json.dumps(LYON_OLD_CAR_NO_VISIT),
        },
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:segment-detail", args=[segment.public_id])
    assert (segment.workspace, segment.owner, segment.description) == (
        workspace,
        agent,
        "Pour l'opération printemps",
    )
    assert segment.definition["conditions"][0] == {
        "field": "customer.city",
        "op": "eq",
        "value": "Lyon",
    }
    detail = html.unescape(agent_client.get(response["Location"]).content.decode())
    assert "1 client dans ce segment" in detail and "ANCIEN" in detail


def test_saving_refuses_invalid_definitions_and_keeps_the_input(agent_client, base):
    bad = {"conditions": [{"field": "customer.status", "op": "eq", "value": "vip"}]}
    response = agent_client.post(
        reverse("crm:segment-create"), {"name": "Mauvais", "definition": json.dumps(bad)}
    )
    assert response.status_code == 200
    assert "hors de la liste proposée" in html.unescape(response.content.decode())
    assert response.context["initial_definition"] == bad
    assert response.context["form"]["name"].value() == "Mauvais"
    assert not Segment.objects.exists()


def test_names_are_unique_in_the_workspace(agent_client, agent, workspace):
    make_segment(workspace, agent, name="Clients VIP", definition={"conditions": []})
    response = agent_client.post(
        reverse("crm:segment-create"), {"name": "clients vip", "definition": "{}"}
    )
    assert "Un segment porte déjà ce nom" in html.unescape(response.content.decode())
    assert Segment.objects.count() == 1


def test_editing_a_segment(agent_client, agent, workspace, base):
    segment = make_segment(workspace, agent)
    page = agent_client.get(reverse("crm:segment-edit", args=[segment.public_id]))
    assert page.context["initial_definition"] == segment.definition
    new = {"conditions": [{"field": "customer.city", "op": "eq", "value": "Paris"}]}
    response = agent_client.post(
        reverse("crm:segment-edit", args=[segment.public_id]),
        {"name": "Parisiens", "definition": json.dumps(new)},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Parisiens"
    assert segment.definition["conditions"] == new["conditions"]


def test_rename_duplicate_delete(agent_client, agent, workspace):
    segment = make_segment(workspace, agent, definition={"conditions": []})
    url = reverse("crm:segment-rename", args=[segment.public_id])
    assert agent_client.get(url).status_code == 200
    agent_client.post(url, {"name": "Nouveau nom", "description": "Décrit"})
    segment.refresh_from_db()
    assert (segment.name, segment.description) == ("Nouveau nom", "Décrit")
    empty = agent_client.post(url, {"name": "  "})
    assert empty.status_code == 200

    dup_url = reverse("crm:segment-duplicate", args=[segment.public_id])
    assert agent_client.get(dup_url).status_code == 405
    first = agent_client.post(dup_url)
    second = agent_client.post(dup_url)
    names = sorted(Segment.objects.values_list("name", flat=True))
    assert names == ["Copie de Nouveau nom", "Copie de Nouveau nom (2)", "Nouveau nom"]
    copy = Segment.objects.get(name="Copie de Nouveau nom")
    assert first["Location"] == reverse("crm:segment-edit", args=[copy.public_id])
    assert second.status_code == 302
    assert copy.definition == segment.definition

    delete_url = reverse("crm:segment-delete", args=[copy.public_id])
    confirm = html.unescape(agent_client.get(delete_url).content.decode())
    assert "Supprimer le segment « Copie de Nouveau nom » ?" in confirm
    assert agent_client.post(delete_url)["Location"] == reverse("crm:segment-list")
    assert not Segment.objects.filter(pk=copy.pk).exists()


def test_members_are_paginated(agent_client, agent, workspace):
    for index in range(30):
        CustomerFactory(workspace=workspace, person__last_name=f"Membre{index:02d}")
    segment = make_segment(
        workspace,
        agent,
        definition={"conditions": [], "sort": [{"field": "customer.last_name", "dir": "desc"}]},
    )
    page = agent_client.get(reverse("crm:segment-detail", args=[segment.public_id]))
    assert len(page.context["page_obj"].object_list) == 25
    assert page.context["page_obj"].object_list[0].person.last_name == "Membre29"
    second = agent_client.get(reverse("crm:segment-detail", args=[segment.public_id]), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


# --- export ------------------------------------------------------------------------------


def test_export_csv_inline(agent_client, agent, workspace, base):
    segment = make_segment(workspace, agent)
    url = reverse("crm:segment-export", args=[segment.public_id])
    assert agent_client.get(url).status_code == 405
    response = agent_client.post(url, {"format": "csv"})
    assert response.status_code == 200
    assert 'filename="segment-relance-atelier-2025-06-15.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["Nom"] for row in rows] == ["Ancien"]


def test_export_xlsx_inline_is_readable(agent_client, agent, workspace, base):
    base["ancien"].person.profession = "=HYPERLINK(1)"
    base["ancien"].person.save()
    segment = make_segment(
        workspace,
        agent,
        definition={
            "conditions": [{"field": "customer.city", "op": "eq", "value": "Lyon"}],
            "sort": [{"field": "customer.last_name", "dir": "asc"}],
        },
    )
    response = agent_client.post(
        reverse("crm:segment-export", args=[segment.public_id]), {"format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header = values[0]
    names = [row[header.index("Nom")] for row in values[1:]]
    assert names == ["Ancien", "Fidèle", "Récent"]
    assert values[1][header.index("Profession")] == "'=HYPERLINK(1)"


def test_unknown_export_format_is_refused(agent_client, agent, workspace):
    segment = make_segment(workspace, agent, definition={"conditions": []})
    response = agent_client.post(
        reverse("crm:segment-export", args=[segment.public_id]), {"format": "pdf"}
    )
    assert response.status_code == 302


def test_large_export_runs_as_a_job(
    agent_client, agent, workspace, base, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_EXPORT_MAX", 2)
    segment = make_segment(
        workspace,
        agent,
        definition={
            "conditions": [{"field": "customer.city", "op": "eq", "value": "Lyon"}],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("crm:segment-export", args=[segment.public_id]), {"format": "xlsx"}
        )
    job = Job.objects.get(owner=agent)
    assert response["Location"] == reverse("jobs:job-detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.total, job.done, job.message) == (3, 3, "3 clients exportés.")
    assert job.workspace == workspace
    with job.result_file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert sheet.max_row == 4


def test_large_csv_export_job(
    agent, workspace, base, monkeypatch, django_capture_on_commit_callbacks
):
    segment = make_segment(workspace, agent, definition={"conditions": []})
    with django_capture_on_commit_callbacks(execute=True):
        job = services.segment_export_start(actor=agent, segment=segment, fmt="csv")
    job.refresh_from_db()
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 5


# --- roles and isolation -----------------------------------------------------------------


def test_a_learner_builds_segments_in_the_sandbox(client, workspace):
    learner = UserFactory(
        username="apprenant",
        role=Role.LEARNER,
        organization=workspace.organization,
        workspaces=[workspace],
    )
    client.force_login(learner)
    response = client.post(
        reverse("crm:segment-create"), {"name": "Mon segment", "definition": "{}"}
    )
    assert response.status_code == 302
    assert Segment.objects.get().owner == learner


def test_every_member_sees_the_workspace_segments(client, agent, supervisor, workspace):
    segment = make_segment(workspace, agent, definition={"conditions": []})
    client.force_login(supervisor)
    page = client.get(reverse("crm:segment-list")).content.decode()
    assert segment.name in page
    assert client.get(reverse("crm:segment-detail", args=[segment.public_id])).status_code == 200


def test_another_workspace_segment_is_not_found(
    agent_client, other_workspace, other_agent, django_capture_on_commit_callbacks
):
    foreign = make_segment(
        other_workspace, other_agent, name="Secret", definition={"conditions": []}
    )
    for name in (
        "segment-detail",
        "segment-edit",
        "segment-rename",
        "segment-delete",
        "segment-size",
    ):
        assert agent_client.get(reverse(f"crm:{name}", args=[foreign.public_id])).status_code == 404
    for name in (
        "segment-edit",
        "segment-rename",
        "segment-delete",
        "segment-duplicate",
        "segment-export",
    ):
        response = agent_client.post(
            reverse(f"crm:{name}", args=[foreign.public_id]),
            {"name": "Pirate", "definition": "{}", "format": "csv"},
        )
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Secret"
    assert Segment.objects.count() == 1
    assert not Job.objects.exists()
    assert "Secret" not in agent_client.get(reverse("crm:segment-list")).content.decode()


def test_live_count_never_counts_another_workspace(agent_client, other_workspace, base):
    CustomerFactory(workspace=other_workspace, person__last_name="Voisin", person__city="Lyon")
    response = count(
        agent_client,
        {"conditions": [{"field": "customer.city", "op": "eq", "value": "Lyon"}]},
        format="json",
    )
    assert response.json()["count"] == 3


def test_the_same_name_may_exist_in_two_workspaces(agent, other_agent, workspace, other_workspace):
    make_segment(workspace, agent, name="Commun", definition={"conditions": []})
    make_segment(other_workspace, other_agent, name="Commun", definition={"conditions": []})
    assert Segment.objects.filter(name="Commun").count() == 2


# --- command line ------------------------------------------------------------------------


def test_export_segment_command(agent, workspace, base, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    make_segment(workspace, agent)
    target = tmp_path / "relance.xlsx"
    call_command("export_segment", workspace.name, "Relance atelier", "-o", str(target))
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 2
    assert "1/1 (100 %)" in capsys.readouterr().err
    with pytest.raises(CommandError, match="introuvable"):
        call_command("export_segment", workspace.name, "Inconnu", "-o", str(target))
    with pytest.raises(CommandError, match=r"\.csv ou \.xlsx"):
        call_command("export_segment", workspace.name, "Relance atelier", "-o", "x.pdf")


# --- saved conditions that no longer validate, audit ------------------------------------------

STALE_DEFINITION = {"conditions": [{"field": "customer.retired_field", "op": "eq", "value": "x"}]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_a_segment_whose_conditions_no_longer_validate(
    agent_client, agent, workspace, base, fmt
):
    segment = make_segment(workspace, agent)
    Segment.objects.filter(pk=segment.pk).update(definition=STALE_DEFINITION)
    response = agent_client.post(
        reverse("crm:segment-export", args=[segment.public_id]), {"format": fmt}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("crm:segment-detail", args=[segment.public_id])
    page = html.unescape(response.content.decode())
    assert "Les conditions enregistrées du segment « Relance atelier » ne sont plus valides" in page
    assert "modifiez le segment" in page


def test_a_background_export_of_stale_conditions_fails_with_the_french_message(
    agent, workspace, base, django_capture_on_commit_callbacks
):
    segment = make_segment(workspace, agent)
    Segment.objects.filter(pk=segment.pk).update(definition=STALE_DEFINITION)
    segment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.segment_export_start(actor=agent, segment=segment, fmt="xlsx")
    job = Job.objects.get(owner=agent)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Les conditions enregistrées du segment")


def test_segment_update_is_audited(agent, workspace):
    from relais.core.audit.models import AuditEntry

    segment = make_segment(workspace, agent)
    services.segment_update(
        actor=agent,
        segment=segment,
        name="Relance atelier Lyon",
        description="",
        definition={"conditions": []},
    )
    entry = AuditEntry.objects.get(action="segment.update")
    assert entry.actor == agent
    assert entry.before["name"] == "Relance atelier"
    assert entry.after["name"] == "Relance atelier Lyon"
    assert entry.after["definition"]["conditions"] == []
    assert entry.before["definition"]["conditions"] == LYON_OLD_CAR_NO_VISIT["conditions"]
    assert "description" not in entry.after  # unchanged values are not repeated
