"""The interaction log: written only through ``record``, kept in step with its source."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.interactions.events import RECORDED
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.interactions.selectors import interactions_for_contact
from relais.core.interactions.services import (
    forget_source,
    record,
    record_many,
    sync_for_source,
)
from tests.factories import CompanyFactory, NoteFactory, PersonFactory

pytestmark = pytest.mark.django_db


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_record_logs_a_touchpoint_with_a_person(workspace, agent):
    person = PersonFactory(workspace=workspace)
    interaction = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="Relance entretien",
        summary="Rendez-vous pris pour le 20.",
        actor=agent,
        outcome="Rendez-vous pris",
    )
    interaction.refresh_from_db()
    assert interaction.workspace == workspace
    assert interaction.person == person
    assert interaction.company is None
    assert (interaction.channel, interaction.direction) == ("phone", "out")
    assert interaction.topic == "Relance entretien"
    assert interaction.actor == agent
    # Without a date, the touchpoint happens now (the fixed clock).
    assert interaction.started_at == timezone.now()
    assert interaction.source is None


def test_record_with_a_company_only(workspace):
    company = CompanyFactory(workspace=workspace)
    interaction = record(
        workspace=workspace,
        event_code=RECORDED,
        company=company,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        topic="Devis",
    )
    assert interaction.company == company
    assert interaction.person is None


def test_record_requires_a_contact(workspace):
    with pytest.raises(ValidationError):
        record(
            workspace=workspace,
            event_code=RECORDED,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic="Appel",
        )
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("kind", ["person", "company"])
def test_record_refuses_a_contact_of_another_workspace(workspace, other_workspace, kind):
    contact = (PersonFactory if kind == "person" else CompanyFactory)(workspace=other_workspace)
    with pytest.raises(ValueError, match="share one workspace"):
        record(
            workspace=workspace,
            event_code=RECORDED,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic="Appel",
            **{kind: contact},
        )
    assert not Interaction.objects.exists()


def test_record_refuses_a_mixed_pair_of_contacts(workspace, other_workspace):
    with pytest.raises(ValueError):
        record(
            workspace=workspace,
            event_code=RECORDED,
            person=PersonFactory(workspace=workspace),
            company=CompanyFactory(workspace=other_workspace),
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic="Appel",
        )


@pytest.mark.parametrize(("field", "value"), [("channel", "pigeon"), ("direction", "sideways")])
def test_record_refuses_unknown_choices(workspace, field, value):
    data = {"channel": Channel.PHONE, "direction": Direction.OUTBOUND, field: value}
    with pytest.raises(ValidationError) as exc:
        record(
            workspace=workspace,
            event_code=RECORDED,
            person=PersonFactory(workspace=workspace),
            topic="Appel",
            **data,
        )
    assert field in exc.value.message_dict


def test_record_cuts_long_topic_and_outcome(workspace):
    interaction = record(
        workspace=workspace,
        event_code=RECORDED,
        person=PersonFactory(workspace=workspace),
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="x" * 250,
        outcome="y" * 150,
    )
    assert len(interaction.topic) == 200
    assert len(interaction.outcome) == 100


def test_record_links_its_source(workspace):
    person = PersonFactory(workspace=workspace)
    note = NoteFactory(workspace=workspace)
    interaction = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.SMS,
        direction=Direction.OUTBOUND,
        topic="SMS",
        source=note,
    )
    interaction.refresh_from_db()
    assert interaction.source == note


def test_sync_for_source_updates_only_that_sources_interactions(workspace, fixed_clock):
    person = PersonFactory(workspace=workspace)
    note, other_note = NoteFactory(workspace=workspace), NoteFactory(workspace=workspace)
    mine = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="A",
        source=note,
    )
    theirs = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="B",
        source=other_note,
    )
    fixed_clock.shift(60)
    changed = sync_for_source(
        source=note, topic="z" * 250, channel=Channel.EMAIL, started_at=aware(2025, 6, 1, 9)
    )
    assert changed == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.topic == "z" * 200
    assert mine.channel == Channel.EMAIL
    assert mine.started_at == aware(2025, 6, 1, 9)
    assert mine.updated_at == timezone.now()
    assert (theirs.topic, theirs.channel) == ("B", Channel.PHONE)


def test_sync_for_source_without_interactions_changes_nothing(workspace):
    assert sync_for_source(source=NoteFactory(workspace=workspace), topic="x") == 0


def test_forget_source_unlinks_only_that_sources_interactions(workspace):
    person = PersonFactory(workspace=workspace)
    note, other_note = NoteFactory(workspace=workspace), NoteFactory(workspace=workspace)
    for source in (note, note, other_note):
        record(
            workspace=workspace,
            event_code=RECORDED,
            person=person,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic="A",
            source=source,
        )
    plain = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="B",
    )
    assert forget_source(source=note) == 2
    # The touchpoints happened: they stay in the log, no longer linked to the gone source.
    assert Interaction.objects.count() == 4
    assert Interaction.objects.filter(source_id=None).exclude(pk=plain.pk).count() == 2
    assert Interaction.objects.filter(source_id=other_note.pk).count() == 1
    assert all(row.source is None for row in Interaction.objects.exclude(source_id=other_note.pk))


def test_interactions_for_contact_is_a_timeline_scoped_to_the_workspace(workspace, other_workspace):
    person = PersonFactory(workspace=workspace)
    company = CompanyFactory(workspace=workspace)
    stranger = PersonFactory(workspace=workspace)
    older = record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="1",
        started_at=aware(2025, 1, 1, 9),
    )
    newer = record(
        workspace=workspace,
        event_code=RECORDED,
        company=company,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        topic="2",
        started_at=aware(2025, 3, 1, 9),
    )
    record(
        workspace=workspace,
        event_code=RECORDED,
        person=stranger,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="3",
    )
    assert list(interactions_for_contact(workspace=workspace, person=person, company=company)) == [
        newer,
        older,
    ]
    assert list(interactions_for_contact(workspace=workspace, person=person)) == [older]
    assert list(interactions_for_contact(workspace=workspace)) == []
    assert list(interactions_for_contact(workspace=other_workspace, person=person)) == []


def test_record_many_logs_a_batch_linked_to_its_sources(workspace, agent):
    people = [PersonFactory(workspace=workspace) for _ in range(3)]
    notes = [NoteFactory(customer__workspace=workspace) for _ in range(3)]
    logged = record_many(
        workspace=workspace,
        source_model=type(notes[0]),
        entries=[
            {
                "person_id": person.pk,
                "event_code": RECORDED,
                "channel": Channel.EMAIL,
                "direction": Direction.OUTBOUND,
                "topic": "Campagne " + "x" * 300,
                "actor": agent,
                "source_id": note.pk,
            }
            for person, note in zip(people, notes, strict=True)
        ],
    )
    assert len(logged) == 3
    rows = Interaction.objects.filter(workspace=workspace, channel=Channel.EMAIL)
    assert sorted(rows.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert {len(row.topic) for row in rows} == {200}
    # The same bookkeeping as record(): forgetting a source unlinks its interaction.
    assert forget_source(source=notes[0]) == 1
    assert rows.filter(source_id=None).count() == 1


def test_record_many_refuses_a_contact_of_another_workspace_and_writes_nothing(
    workspace, other_workspace
):
    mine, foreign = PersonFactory(workspace=workspace), PersonFactory(workspace=other_workspace)
    note = NoteFactory(customer__workspace=workspace)
    entries = [
        {
            "person_id": person.pk,
            "event_code": RECORDED,
            "channel": "email",
            "direction": "out",
            "topic": "T",
            "source_id": note.pk,
        }
        for person in (mine, foreign)
    ]
    with pytest.raises(ValueError):
        record_many(workspace=workspace, source_model=type(note), entries=entries)
    with pytest.raises(ValueError):
        record_many(
            workspace=workspace,
            source_model=type(note),
            entries=[{**entries[0], "channel": "pigeon"}],
        )
    assert not Interaction.objects.filter(topic="T").exists()


# --- v2: event codes, visitors, cases ---------------------------------------------------------


@pytest.fixture
def registry():
    """The event registry, restored after the test (registrations are module-level)."""
    from relais.core.interactions import events

    codes, outcomes = dict(events._EVENT_CODES), {k: dict(v) for k, v in events._OUTCOMES.items()}
    yield events
    events._EVENT_CODES.clear()
    events._EVENT_CODES.update(codes)
    events._OUTCOMES.clear()
    events._OUTCOMES.update(outcomes)


def test_registry_holds_core_and_crm_codes_with_labels(registry):
    codes = registry.event_codes()
    assert codes[RECORDED] == "Interaction enregistrée"
    assert "crm.invoice.issued" in codes and "crm.campaign.message.sent" in codes
    assert list(codes) == sorted(codes)
    assert registry.event_label("crm.invoice.issued") == "Facture émise"
    assert registry.event_label("nobody.knows") == "nobody.knows"
    assert (
        registry.outcome_label("message_left", event_code="crm.activity.logged") == "Message laissé"
    )
    # A free-text outcome (rows from elsewhere) is shown as it is.
    assert registry.outcome_label("Rappeler lundi", event_code=RECORDED) == "Rappeler lundi"


def test_register_event_codes_checks_prefix_and_duplicates(registry):
    from django.core.exceptions import ImproperlyConfigured

    registry.register_event_codes(
        "forum", {"forum.answer.posted": "Réponse publiée"}, outcomes={"accepted": "Acceptée"}
    )
    # The same registration again (Django may run ready() twice) changes nothing.
    registry.register_event_codes("forum", {"forum.answer.posted": "Réponse publiée"})
    assert registry.is_event_code("forum.answer.posted")
    assert registry.outcome_label("accepted", event_code="forum.answer.posted") == "Acceptée"
    refused = [
        ("forum", {"crm.answer.posted": "x"}),  # another app's prefix
        ("forum", {"forum": "x"}),  # no name after the prefix
        ("forum", {"forum..posted": "x"}),
        ("forum", {"forum.Answer": "x"}),
        ("forum", {"forum.answer.posted": "Autre libellé"}),  # a duplicate
        ("crm", {"crm.invoice.issued": "Facture"}),
        ("for.um", {"for.um.x": "x"}),
    ]
    for app_label, codes in refused:
        with pytest.raises(ImproperlyConfigured):
            registry.register_event_codes(app_label, codes)
    with pytest.raises(ImproperlyConfigured):
        registry.register_event_codes("forum", {}, outcomes={"accepted": "Refusée"})


def test_record_refuses_an_unregistered_event_code(workspace):
    for code in ("", "crm.unknown.thing"):
        with pytest.raises(ValueError, match="Unregistered"):
            record(
                workspace=workspace,
                event_code=code,
                person=PersonFactory(workspace=workspace),
                channel=Channel.WEB,
                direction=Direction.INBOUND,
                topic="Visite",
            )
    with pytest.raises(ValueError, match="Unregistered"):
        record_many(
            workspace=workspace,
            entries=[
                {
                    "visitor_key": "v1",
                    "event_code": "crm.unknown.thing",
                    "channel": "web",
                    "direction": "in",
                    "topic": "T",
                }
            ],
        )
    assert not Interaction.objects.exists()


def test_an_anonymous_visitor_touchpoint_needs_only_a_visitor_key(workspace, agent):
    interaction = record(
        workspace=workspace,
        event_code=RECORDED,
        visitor_key="anon-4f2a",
        case_key="demande:42",
        channel=Channel.WEB,
        direction=Direction.INBOUND,
        topic="Page « Mes remboursements »",
        actor_id=agent.pk,
    )
    interaction.refresh_from_db()
    assert (interaction.person, interaction.company) == (None, None)
    assert (interaction.visitor_key, interaction.case_key) == ("anon-4f2a", "demande:42")
    assert interaction.actor == agent
    assert interaction.event_label == "Interaction enregistrée"
    batch = record_many(
        workspace=workspace,
        entries=[
            {
                "visitor_key": "anon-77",
                "event_code": RECORDED,
                "channel": "web",
                "direction": "in",
                "topic": "T",
                "source_id": 99,  # ignored without a source model
            }
        ],
    )
    assert batch[0].source_type_id is None and batch[0].source_id is None
    with pytest.raises(ValueError, match="visitor key"):
        record_many(
            workspace=workspace,
            entries=[{"event_code": RECORDED, "channel": "web", "direction": "in", "topic": "T"}],
        )


def test_the_database_refuses_a_row_without_contact_nor_visitor(workspace):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            workspace=workspace,
            event_code=RECORDED,
            channel="web",
            direction="in",
            topic="T",
            started_at=timezone.now(),
        )


def test_sync_for_source_checks_a_new_event_code(workspace):
    note = NoteFactory(workspace=workspace)
    with pytest.raises(ValueError):
        sync_for_source(source=note, event_code="crm.nope")


def test_erase_for_source_deletes_only_that_sources_rows(workspace):
    from relais.core.interactions.services import erase_for_source

    person = PersonFactory(workspace=workspace)
    note, other = NoteFactory(workspace=workspace), NoteFactory(workspace=workspace)
    for source in (note, other):
        record(
            workspace=workspace,
            event_code=RECORDED,
            person=person,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic="A",
            source=source,
        )
    assert erase_for_source(source=note) == 1
    assert list(Interaction.objects.values_list("source_id", flat=True)) == [other.pk]


def test_deleting_the_contact_deletes_its_history(workspace):
    """Deleting a person is erasing them: the CRM's deletion keeps a 30-day copy instead."""
    person = PersonFactory(workspace=workspace)
    record(
        workspace=workspace,
        event_code=RECORDED,
        person=person,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        topic="A",
    )
    person.delete()
    assert not Interaction.objects.exists()


# --- v2: the workspace-wide reader ------------------------------------------------------------


def _touch(workspace, day, *, code=RECORDED, channel=Channel.PHONE, case_key="", **contact):
    contact = contact or {"person": PersonFactory(workspace=workspace)}
    return record(
        workspace=workspace,
        event_code=code,
        channel=channel,
        direction=Direction.INBOUND,
        topic=f"jour {day}",
        case_key=case_key,
        started_at=aware(2025, 6, day, 9),
        **contact,
    )


def test_interactions_of_workspace_reads_a_window_oldest_first(workspace, agent, other_workspace):
    from relais.core.interactions.selectors import interactions_of_workspace

    person = PersonFactory(workspace=workspace)
    third = _touch(workspace, 3, person=person)
    first = _touch(workspace, 1, channel=Channel.EMAIL, code="crm.invoice.issued", person=person)
    second = _touch(workspace, 2, case_key="dossier-1", visitor_key="anon")
    same_moment = _touch(workspace, 3, case_key="dossier-1", visitor_key="anon")
    _touch(other_workspace, 2)
    assert list(interactions_of_workspace(user=agent, workspace=workspace)) == [
        first,
        second,
        third,
        same_moment,
    ]
    window = interactions_of_workspace(
        user=agent, workspace=workspace, since=aware(2025, 6, 2, 9), until=aware(2025, 6, 3, 9)
    )
    assert list(window) == [second]  # since included, until excluded
    by_channel = interactions_of_workspace(user=agent, workspace=workspace, channels=["email"])
    assert list(by_channel) == [first]
    by_code = interactions_of_workspace(
        user=agent, workspace=workspace, event_codes=["crm.invoice.issued", "crm.lead.received"]
    )
    assert list(by_code) == [first]
    by_case = interactions_of_workspace(user=agent, workspace=workspace, case_key="dossier-1")
    assert list(by_case) == [second, same_moment]


def test_interactions_of_workspace_refuses_strangers(workspace, other_workspace, other_agent):
    from django.contrib.auth.models import AnonymousUser

    from relais.core.exceptions import AccessDenied, NotFound
    from relais.core.interactions.selectors import interactions_of_workspace
    from tests.factories import UserFactory

    _touch(workspace, 1)
    with pytest.raises(NotFound):
        interactions_of_workspace(user=other_agent, workspace=workspace)
    with pytest.raises(AccessDenied):
        interactions_of_workspace(user=AnonymousUser(), workspace=workspace)
    no_role = UserFactory(
        role="reader-without-role", organization=workspace.organization, workspaces=[workspace]
    )
    with pytest.raises(AccessDenied):
        interactions_of_workspace(user=no_role, workspace=workspace)
    # The other workspace's agent reads their own, empty, log: nothing of ours leaks.
    assert not interactions_of_workspace(user=other_agent, workspace=other_workspace).exists()


def test_window_reads_use_an_index(workspace):
    from django.db import connection

    from relais.core.interactions.selectors import interactions_in_window

    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    plans = {}
    for name, rows in {
        "window": interactions_in_window(workspace=workspace, since=aware(2025, 6, 1, 0)),
        "event": interactions_in_window(workspace=workspace, event_codes=["crm.invoice.issued"]),
        "case": interactions_in_window(workspace=workspace, case_key="dossier-1"),
    }.items():
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans[name] = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "interaction_window_idx" in plans["window"]
    assert "interaction_window_idx" in plans["event"]  # the codes are filtered on the way
    assert "interaction_case_idx" in plans["case"]
    assert not any("USE TEMP B-TREE FOR ORDER BY" in plan for plan in plans.values()), plans
