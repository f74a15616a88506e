"""The only way into the interaction log."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from relais.core.interactions.models import Interaction
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
