"""CSV export of customers: the service, and the background job started from the list."""

import csv
import io

import pytest
from django.urls import reverse

from relais.core.downloads import csv_safe
from relais.core.exceptions import NotFound
from relais.core.jobs.models import Job, JobStatus
from relais.core.workspaces.models import Membership
from relais.crm.models import CustomerKind
from relais.crm.services.exports import customer_export_csv
from tests.factories import CustomerFactory, UserFactory


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf"), "French Excel needs the UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Dupont", "Dupont"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_csv_safe_neutralises_formulas(value, expected):
    assert csv_safe(value) == expected


def test_export_service_writes_one_row_per_customer(agent, workspace, other_workspace):
    CustomerFactory(
        workspace=workspace, person__first_name="Hélène", person__last_name="Dupré", owner=agent
    )
    CustomerFactory(workspace=workspace, person__last_name='=HYPERLINK("http://x")')
    CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="@Flotte SAS"
    )
    CustomerFactory(workspace=other_workspace, person__last_name="Étranger")
    export = customer_export_csv(actor=agent, workspace=workspace)
    rows = read_csv(export.content)
    assert export.rows == len(rows) == 3
    by_name = {row["Nom"] or row["Raison sociale"]: row for row in rows}
    assert set(by_name) == {"Dupré", '\'=HYPERLINK("http://x")', "'@Flotte SAS"}
    helene = by_name["Dupré"]
    assert helene["Prénom"] == "Hélène"
    assert helene["Type"] == "Particulier" and helene["Statut"] == "Prospect"
    assert helene["Code postal"] == "75011" and helene["Ville"] == "Paris"
    assert helene["Téléphone portable"] == "06 12 34 56 78"
    assert helene["Accepte les SMS"] == "Non"
    assert helene["Responsable"] == agent.display_name
    assert helene["Date de naissance"] == "17/05/1980"
    assert helene["Créé le"] == "15/06/2025"
    assert by_name["'@Flotte SAS"]["SIRET"] == "73282932000074"


def test_export_service_applies_search_and_filters(agent, workspace):
    CustomerFactory(workspace=workspace, person__last_name="Garder")
    CustomerFactory(workspace=workspace, person__last_name="Laisser")
    CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Garder SA")
    rows = read_csv(
        customer_export_csv(
            actor=agent, workspace=workspace, query="garder", kind="individual"
        ).content
    )
    assert [row["Nom"] for row in rows] == ["Garder"]


def test_export_service_checks_access(other_agent, workspace):
    with pytest.raises(NotFound):
        customer_export_csv(actor=other_agent, workspace=workspace)


def test_export_job_from_the_list(
    agent_client, agent, workspace, django_capture_on_commit_callbacks
):
    CustomerFactory(workspace=workspace, person__last_name="Exporté")
    CustomerFactory(workspace=workspace, person__last_name="Ignoré")
    list_page = agent_client.get(reverse("crm:customer-list"), {"q": "exporte"}).content.decode()
    assert f'action="{reverse("crm:customer-export")}"' in list_page
    assert 'name="q" value="exporte"' in list_page
    assert agent_client.get(reverse("crm:customer-export")).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse("crm:customer-export"), {"q": "exporte", "statut": ""})
    job = Job.objects.get(owner=agent)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.workspace == workspace
    assert job.total == job.done == 1
    assert job.message == "1 client exporté."
    detail = agent_client.get(response["Location"]).content.decode()
    assert reverse("jobs:job-download", args=[job.public_id]) in detail
    download = agent_client.get(reverse("jobs:job-download", args=[job.public_id]))
    assert download.status_code == 200
    assert 'filename="clients-2025-06-15.csv"' in download["Content-Disposition"]
    rows = read_csv(b"".join(download.streaming_content))
    assert [row["Nom"] for row in rows] == ["Exporté"]


def test_export_job_rows_and_neutralised_formulas(
    agent_client, agent, workspace, django_capture_on_commit_callbacks
):
    CustomerFactory(
        workspace=workspace, person__last_name="Dangereux", person__profession="=cmd|'/c calc'!A0"
    )
    CustomerFactory(
        workspace=workspace, person__last_name="Dangereuse", person__profession="+SUM(1)"
    )
    CustomerFactory(workspace=workspace, person__last_name="Sage")
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(reverse("crm:customer-export"), {"q": "dangere"})
    job = Job.objects.get(owner=agent)
    assert job.status == JobStatus.SUCCEEDED
    with job.result_file.open("rb") as handle:
        rows = read_csv(handle.read())
    assert sorted(row["Nom"] for row in rows) == ["Dangereuse", "Dangereux"]
    assert sorted(row["Profession"] for row in rows) == ["'+SUM(1)", "'=cmd|'/c calc'!A0"]
    assert job.message == "2 clients exportés."


def test_export_download_is_refused_to_another_user(
    agent_client, client, agent, workspace, django_capture_on_commit_callbacks
):
    CustomerFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(reverse("crm:customer-export"))
    job = Job.objects.get(owner=agent)
    assert job.status == JobStatus.SUCCEEDED
    colleague = UserFactory(organization=workspace.organization, workspaces=[workspace])
    client.force_login(colleague)
    assert client.get(reverse("jobs:job-detail", args=[job.public_id])).status_code == 404
    assert client.get(reverse("jobs:job-download", args=[job.public_id])).status_code == 404


def test_export_download_is_refused_after_the_membership_is_revoked(
    agent_client, agent, workspace, django_capture_on_commit_callbacks
):
    CustomerFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(reverse("crm:customer-export"))
    job = Job.objects.get(owner=agent)
    assert job.status == JobStatus.SUCCEEDED
    url = reverse("jobs:job-download", args=[job.public_id])
    assert agent_client.get(url).status_code == 200
    # The agent leaves the dealership: the file made while they belonged is no longer theirs.
    Membership.objects.filter(user=agent, workspace=workspace).delete()
    assert agent_client.get(url).status_code == 404
