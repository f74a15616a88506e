"""The only way into the interaction log."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from relais.core.contacts.models import Company, Person
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.workspaces.models import Workspace


def record(
    *,
    workspace: Workspace,
    channel: str,
    direction: str,
    topic: str,
    person=None,
    company=None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    actor=None,
    outcome: str = "",
    summary: str = "",
    source: models.Model | None = None,
) -> Interaction:
    """Log one touchpoint with a person and/or a company of ``workspace``.

    ``source`` is the object that caused it (an activity, an invoice, a campaign message);
    ``sync_for_source`` and ``forget_source`` keep the log in step when it changes.
    """
    for contact in (person, company):
        if contact is not None and contact.workspace_id != workspace.pk:
            raise ValueError("An interaction and its contact must share one workspace.")
    interaction = Interaction(
        workspace=workspace,
        person=person,
        company=company,
        channel=channel,
        direction=direction,
        topic=topic[:200],
        summary=summary,
        started_at=started_at or timezone.now(),
        ended_at=ended_at,
        actor=actor,
        outcome=outcome[:100],
    )
    if source is not None:
        interaction.source_type = ContentType.objects.get_for_model(source)
        interaction.source_id = source.pk
    interaction.full_clean()
    interaction.save()
    return interaction


def record_many(
    *, workspace: Workspace, entries: Iterable[Mapping], source_model: type[models.Model]
) -> list[Interaction]:
    """Log many touchpoints of ``workspace`` at once (a campaign's thousands of messages).

    Each entry holds ``record``'s keyword arguments, with ``person_id`` / ``company_id`` and
    ``source_id`` (a row of ``source_model``) in place of objects. The checks ``record`` makes
    one row at a time are made here on the whole batch: contacts of another workspace, unknown
    channels or directions are refused before anything is written.
    """
    entries = list(entries)
    if not entries:
        return []
    for model, key in ((Person, "person_id"), (Company, "company_id")):
        ids = {entry[key] for entry in entries if entry.get(key)}
        if ids and model.objects.filter(pk__in=ids).exclude(workspace=workspace).exists():
            raise ValueError("An interaction and its contact must share one workspace.")
    channels, directions = set(Channel.values), set(Direction.values)
    source_type = ContentType.objects.get_for_model(source_model)
    now = timezone.now()
    rows = []
    for entry in entries:
        if entry["channel"] not in channels or entry["direction"] not in directions:
            raise ValueError(
                f"Unknown channel or direction: {entry['channel']}/{entry['direction']}"
            )
        if not (entry.get("person_id") or entry.get("company_id")):
            raise ValueError("An interaction needs a person or a company.")
        rows.append(
            Interaction(
                workspace=workspace,
                person_id=entry.get("person_id"),
                company_id=entry.get("company_id"),
                channel=entry["channel"],
                direction=entry["direction"],
                topic=entry["topic"][:200],
                summary=entry.get("summary", ""),
                started_at=entry.get("started_at") or now,
                ended_at=entry.get("ended_at"),
                actor=entry.get("actor"),
                outcome=entry.get("outcome", "")[:100],
                source_type=source_type,
                source_id=entry["source_id"],
            )
        )
    return Interaction.objects.bulk_create(rows, batch_size=500)


def sync_for_source(*, source: models.Model, **changes) -> int:
    """Apply ``changes`` to the interactions caused by ``source``; returns how many changed."""
    if "topic" in changes:
        changes["topic"] = changes["topic"][:200]
    return Interaction.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    ).update(**changes, updated_at=timezone.now())


def forget_source(*, source: models.Model) -> int:
    """Remove the interactions caused by ``source`` when the source itself is deleted."""
    deleted, _ = Interaction.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    ).delete()
    return deleted
