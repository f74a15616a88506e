"""The only way into the interaction log."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from relais.core.contacts.models import Company, Person
from relais.core.interactions import events
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.rows import insert_rows
from relais.core.workspaces.models import Workspace


def _check_event_code(event_code: str) -> None:
    if not events.is_event_code(event_code):
        raise ValueError(f"Unregistered interaction event code: {event_code!r}")


def record(
    *,
    workspace: Workspace,
    event_code: str,
    channel: str,
    direction: str,
    topic: str,
    person=None,
    company=None,
    visitor_key: str = "",
    case_key: str = "",
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    actor=None,
    actor_id: int | None = None,
    outcome: str = "",
    summary: str = "",
    source: models.Model | None = None,
) -> Interaction:
    """Log one touchpoint with a person, a company or an anonymous visitor of ``workspace``.

    ``event_code`` must be registered (``relais.core.interactions.events``); ``outcome`` is
    an outcome code its app registered (shown by ``events.outcome_label``), not display text. ``case_key`` groups the touchpoints of one
    procedure or request, ``visitor_key`` names a visitor not identified yet. ``actor`` or
    ``actor_id`` is the user who acted. ``source`` is the object that caused the touchpoint
    (an activity, an invoice, a campaign message); ``sync_for_source`` and ``forget_source``
    keep the log in step when it changes.
    """
    _check_event_code(event_code)
    for contact in (person, company):
        if contact is not None and contact.workspace_id != workspace.pk:
            raise ValueError("An interaction and its contact must share one workspace.")
    interaction = Interaction(
        workspace=workspace,
        person=person,
        company=company,
        visitor_key=visitor_key,
        event_code=event_code,
        case_key=case_key,
        channel=channel,
        direction=direction,
        topic=topic[:200],
        summary=summary,
        started_at=started_at or timezone.now(),
        ended_at=ended_at,
        actor=actor,
        outcome=outcome[:100],
    )
    if actor is None and actor_id is not None:
        interaction.actor_id = actor_id
    if source is not None:
        interaction.source_type = ContentType.objects.get_for_model(source)
        interaction.source_id = source.pk
    interaction.full_clean()
    interaction.save()
    return interaction


def record_many(
    *,
    workspace: Workspace,
    entries: Iterable[Mapping],
    source_model: type[models.Model] | None = None,
) -> list[Interaction]:
    """Log many touchpoints of ``workspace`` at once and return them (see ``record_batch``,
    which makes the same checks and writes the same rows without reading them back)."""
    ids = record_batch(workspace=workspace, entries=entries, source_model=source_model)
    return list(Interaction.objects.filter(pk__in=ids).order_by("pk")) if ids else []


_BATCH_FIELDS = (
    "workspace_id",
    "person_id",
    "company_id",
    "visitor_key",
    "event_code",
    "case_key",
    "channel",
    "direction",
    "topic",
    "summary",
    "started_at",
    "ended_at",
    "actor_id",
    "outcome",
    "source_type_id",
    "source_id",
)


def record_batch(
    *,
    workspace: Workspace,
    entries: Iterable[Mapping],
    source_model: type[models.Model] | None = None,
) -> list[int]:
    """Log many touchpoints of ``workspace`` at once (a campaign's thousands of messages);
    returns the new interactions' ids in the entries' order.

    Each entry holds ``record``'s keyword arguments, with ``person_id`` / ``company_id``,
    ``actor_id`` and ``source_id`` (a row of ``source_model``) in place of objects. The checks
    ``record`` makes one row at a time are made here on the whole batch: contacts of another
    workspace, unregistered event codes, unknown channels or directions, a row without a
    contact or visitor key are refused before anything is written. The rows go in with one
    prepared statement (``relais.core.rows.insert_rows``). Run inside a transaction.
    """
    entries = list(entries)
    if not entries:
        return []
    for model, key in ((Person, "person_id"), (Company, "company_id")):
        ids = {entry[key] for entry in entries if entry.get(key)}
        if ids and model.objects.filter(pk__in=ids).exclude(workspace=workspace).exists():
            raise ValueError("An interaction and its contact must share one workspace.")
    channels, directions = set(Channel.values), set(Direction.values)
    source_type_id = ContentType.objects.get_for_model(source_model).pk if source_model else None
    now = timezone.now()
    checked_codes: set[str] = set()
    rows = []
    for entry in entries:
        if entry["channel"] not in channels or entry["direction"] not in directions:
            raise ValueError(
                f"Unknown channel or direction: {entry['channel']}/{entry['direction']}"
            )
        if not (entry.get("person_id") or entry.get("company_id") or entry.get("visitor_key")):
            raise ValueError("An interaction needs a person, a company or a visitor key.")
        event_code = entry.get("event_code", "")
        if event_code not in checked_codes:
            _check_event_code(event_code)
            checked_codes.add(event_code)
        rows.append(
            (
                workspace.pk,
                entry.get("person_id"),
                entry.get("company_id"),
                entry.get("visitor_key", ""),
                event_code,
                entry.get("case_key", ""),
                str(entry["channel"]),
                str(entry["direction"]),
                entry["topic"][:200],
                entry.get("summary", ""),
                entry.get("started_at") or now,
                entry.get("ended_at"),
                entry.get("actor_id") or getattr(entry.get("actor"), "pk", None),
                entry.get("outcome", "")[:100],
                source_type_id,
                entry.get("source_id") if source_type_id else None,
            )
        )
    with transaction.atomic():
        return insert_rows(Interaction, _BATCH_FIELDS, rows, now=now)


def _of_source(source: models.Model):
    return Interaction.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    )


def sync_for_source(*, source: models.Model, **changes) -> int:
    """Apply ``changes`` to the interactions caused by ``source``; returns how many changed.

    A new ``event_code`` must be registered."""
    if "event_code" in changes:
        _check_event_code(changes["event_code"])
    for name, size in (("topic", 200), ("outcome", 100)):
        if name in changes:
            changes[name] = changes[name][:size]
    return _of_source(source).update(**changes, updated_at=timezone.now())


def forget_source(*, source: models.Model) -> int:
    """Unlink the interactions caused by ``source`` when the source itself is deleted.

    The touchpoints happened: they stay in the log, with their event code and text, but no
    longer point at a row that is gone. Returns how many were unlinked.
    """
    return _of_source(source).update(source_type=None, source_id=None, updated_at=timezone.now())


def erase_for_source(*, source: models.Model) -> int:
    """Delete the interactions caused by ``source`` because they were wrong (an appointment
    moved to another customer), not because the source is gone: that is ``forget_source``.
    Returns how many were deleted."""
    deleted, _detail = _of_source(source).delete()
    return deleted
