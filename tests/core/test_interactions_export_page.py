"""The interaction-log export page: form, streamed CSV and XES, access and bad input."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.core.accounts.roles import Role
from relais.core.interactions.services import record
from tests.factories import PersonFactory, UserFactory

URL = reverse("interactions:export")


@pytest.fixture
def log(workspace, other_workspace):
    person = PersonFactory(workspace=workspace, last_name="Martin")
    moments = [timezone.now() - datetime.timedelta(days=d) for d in (40, 10, 2)]
    for moment, channel in zip(moments, ("phone", "email", "phone"), strict=True):
        record(
            workspace=workspace,
            event_code="core.interaction.recorded",
            channel=channel,
            direction="in",
            topic="Réclamation confidentielle",
            person=person,
            case_key="dossier-1",
            started_at=moment,
        )
    record(
        workspace=other_workspace,
        event_code="core.interaction.recorded",
        channel="phone",
        direction="in",
        topic="Étranger",
        person=PersonFactory(workspace=other_workspace),
        case_key="dossier-b",
    )
    return person


def _download(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content).decode()


def test_the_form_is_shown_first(agent_client, log):
    response = agent_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Exporter le journal des interactions" in html and 'name="format"' in html


def test_csv_export_of_a_window_and_a_channel(agent_client, log):
    today = timezone.localdate()
    response, text = _download(
        agent_client,
        format="csv",
        since=(today - datetime.timedelta(days=15)).isoformat(),
        until=today.isoformat(),
        channels="phone",
    )
    assert "interactions-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["case:concept:name"] for r in rows] == ["dossier-1"]
    assert rows[0]["relais:channel"] == "phone"
    assert "confidentielle" not in text and "dossier-b" not in text


def test_xes_export_is_one_trace_per_case(agent_client, log):
    _response, text = _download(agent_client, format="xes")
    root = ET.fromstring(text)  # noqa: S314 - our own output
    traces = [t for t in root if t.tag.endswith("trace")]
    assert len(traces) == 1
    assert len([e for e in traces[0] if e.tag.endswith("event")]) == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "pdf"}, "Sélectionnez un choix valide"),
        ({"format": "csv", "since": "2025-06-10", "until": "2025-06-01"}, "précède"),
        ({"format": "csv", "since": "1990-01-01", "until": "2025-06-01"}, "cinq ans"),
        ({"format": "csv", "since": "pas une date"}, "Saisissez une date valide"),
        ({"format": "csv", "channels": "<script>"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_french_error(agent_client, log, params, message):
    response = agent_client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<script>" not in html


def test_a_role_without_the_log_may_not_export(client, workspace, log):
    member = UserFactory(
        role=Role.MEMBER, organization=workspace.organization, workspaces=[workspace]
    )
    client.force_login(member)
    assert client.get(URL, {"format": "csv"}).status_code == 403
