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
