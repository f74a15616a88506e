"""The interaction log as an event log: CSV and XES (IEEE 1849), streamed."""

import csv
import datetime
import io

# Parsing our own export, not untrusted input.
import xml.etree.ElementTree as ET  # noqa: S405

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relais.core.interactions.events import RECORDED
from relais.core.interactions.export import (
    CSV_COLUMNS,
    XES_NAMESPACE,
    by_case,
    export_interactions_csv,
    export_interactions_xes,
)
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.interactions.selectors import interactions_in_window, interactions_of_workspace
from relais.core.interactions.services import record
from tests.factories import CompanyFactory, PersonFactory

pytestmark = pytest.mark.django_db
X = "{" + XES_NAMESPACE + "}"


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def journey(workspace):
    """Two people, a company, an anonymous visitor and a case spanning two people."""
    alice, bob = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    company = CompanyFactory(workspace=workspace)

    def touch(day, hour, code=RECORDED, **kwargs):
        return record(
            workspace=workspace,
            event_code=code,
            channel=kwargs.pop("channel", Channel.PHONE),
            direction=Direction.INBOUND,
            topic="Confidentiel : " + kwargs.pop("topic", "échange"),
            summary="Ne sort jamais du journal.",
            started_at=aware(2025, 6, day, hour),
            **kwargs,
        )

    rows = [
        touch(2, 10, person=alice, outcome="message_left", code="crm.activity.logged"),
        touch(1, 9, person=alice, code="crm.invoice.issued", outcome="apv"),
        touch(3, 11, company=company, ended_at=aware(2025, 6, 3, 12)),
        touch(1, 8, visitor_key='anon <&"é>'),
        touch(4, 9, person=bob, case_key="crm.campaign:42", code="crm.campaign.message.sent"),
        touch(5, 9, person=alice, case_key="crm.campaign:42", code="crm.campaign.reply.received"),
    ]
    # A control character can no longer be recorded; rows stored before that rule may hold
    # one, and an export must still write them safely.
    Interaction.objects.filter(pk=rows[3].pk).update(visitor_key='anon <&"é>\x01')
    return {"alice": alice, "bob": bob, "company": company, "rows": rows}


def test_csv_has_a_documented_header_and_one_row_per_touchpoint(
    workspace, agent, journey, monkeypatch
):
    monkeypatch.setattr("relais.core.interactions.export.ROWS_PER_CHUNK", 4)
    rows = interactions_of_workspace(user=agent, workspace=workspace)
    chunks = list(export_interactions_csv(rows.iterator()))
    assert len(chunks) == 2
    text = "".join(chunks)
    table = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(table) == 6
    alice = str(journey["alice"].public_id)
    first, second = table[0], table[1]
    # Oldest first; the visitor's case is their key.
    assert first["case:concept:name"] == 'anon <&"é>\x01'
    assert second == second | {
        "case:concept:name": alice,
        "concept:name": "crm.invoice.issued",
        "time:timestamp": "2025-06-01T09:00:00+02:00",
        "relais:event_label": "Facture émise",
        "relais:outcome": "apv",
        "relais:outcome_label": "Après-vente (APV)",
        "relais:contact": alice,
        "relais:channel": "phone",
        "relais:direction": "in",
    }
    company_row = next(r for r in table if r["relais:contact"] == str(journey["company"].public_id))
    assert company_row["relais:ended_at"] == "2025-06-03T12:00:00+02:00"
    # A case key wins over the contact.
    assert [r["case:concept:name"] for r in table[-2:]] == ["crm.campaign:42"] * 2
    assert "Confidentiel" not in text and "Ne sort jamais" not in text


def test_csv_of_nothing_is_its_header(workspace):
    assert list(export_interactions_csv([])) == [",".join(CSV_COLUMNS) + "\r\n"]


def test_xes_parses_back_into_traces_in_time_order(workspace, journey, monkeypatch):
    monkeypatch.setattr("relais.core.interactions.export.ROWS_PER_CHUNK", 2)
    rows = by_case(interactions_in_window(workspace=workspace))
    chunks = list(export_interactions_xes(rows.iterator(), log_name="Lyon & co"))
    assert len(chunks) == 5  # header, three chunks of two rows, closing tags
    log = ET.fromstring("".join(chunks))  # noqa: S314
    assert log.tag == X + "log" and log.get("xes.version") == "1849-2016"
    assert {e.get("prefix") for e in log.findall(X + "extension")} == {"concept", "time"}
    assert log.find(X + "string").get("value") == "Lyon & co"
    traces = {}
    for trace in log.findall(X + "trace"):
        name = trace.find(X + "string").get("value")
        assert name not in traces, "one trace per case"
        traces[name] = [
            {child.get("key"): child.get("value") for child in event}
            for event in trace.findall(X + "event")
        ]
    alice, bob = str(journey["alice"].public_id), str(journey["bob"].public_id)
    assert set(traces) == {
        alice,
        str(journey["company"].public_id),
        'anon <&"é>',
        "crm.campaign:42",
    }
    assert [e["concept:name"] for e in traces[alice]] == [
        "crm.invoice.issued",
        "crm.activity.logged",
    ]
    assert [e["relais:contact"] for e in traces["crm.campaign:42"]] == [bob, alice]
    for events in traces.values():
        stamps = [datetime.datetime.fromisoformat(e["time:timestamp"]) for e in events]
        assert all(stamp.tzinfo is not None for stamp in stamps)
        assert stamps == sorted(stamps)
    assert traces[alice][1]["relais:outcome_label"] == "Message laissé"


def test_xes_of_nothing_is_an_empty_log(workspace):
    log = ET.fromstring("".join(export_interactions_xes([])))  # noqa: S314
    assert log.findall(X + "trace") == []


def test_export_command_writes_csv_and_xes_with_progress(workspace, journey, tmp_path, capsys):
    target = tmp_path / "log.csv"
    call_command(
        "export_interactions",
        "--workspace",
        str(workspace.public_id),
        "--format",
        "csv",
        "--since",
        "2025-06-02",
        "--until",
        "2025-06-05",
        "-o",
        str(target),
    )
    table = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert len(table) == 3  # days 2, 3 and 4
    err = capsys.readouterr().err
    assert "3/3 (100 %)" in err and "3 interactions exportées" in err
    xes = tmp_path / "log.xes"
    call_command(
        "export_interactions",
        "--workspace",
        str(workspace.public_id),
        "--format",
        "xes",
        "-o",
        str(xes),
    )
    assert len(ET.parse(xes).getroot().findall(X + "trace")) == 4  # noqa: S314


@pytest.mark.parametrize(
    "args",
    [
        ["--workspace", "not-a-uuid"],
        ["--workspace", "00000000-0000-0000-0000-000000000000"],
        ["--since", "demain"],
    ],
)
def test_export_command_refuses_bad_input(workspace, tmp_path, args):
    base = {"--workspace": str(workspace.public_id), "--format": "csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError):
        call_command(
            "export_interactions",
            *[item for pair in base.items() for item in pair],
            "-o",
            str(tmp_path / "x.csv"),
        )


def test_an_export_reads_its_rows_in_one_query(workspace, journey, django_assert_num_queries):
    from relais.core.interactions.export import for_export

    rows = for_export(interactions_in_window(workspace=workspace))
    with django_assert_num_queries(1):
        csv_text = "".join(export_interactions_csv(rows.iterator()))
    with django_assert_num_queries(1):
        xes_text = "".join(export_interactions_xes(by_case(rows).iterator()))
    assert csv_text.count("\r\n") == 7
    assert xes_text.count("<event>") == 6
