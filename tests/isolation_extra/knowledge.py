"""Knowledge base entries of an organization, for the isolation tests and the accessibility
sweep (``knowledge:`` URLs name an entry by ``knowledge_entry_id``)."""

from relais.core.accounts.roles import Role
from relais.core.knowledge.services import entry_create, entry_publish
from tests.factories import UserFactory


def _entry(workspace, question):
    validator = UserFactory(
        role=Role.SUPERVISOR, organization=workspace.organization, workspaces=[workspace]
    )
    entry = entry_create(
        user=validator,
        organization=workspace.organization,
        question=question,
        answer="Réponse **validée**, avec [la source](https://www.service-public.fr/).",
        tags="démarches",
    )
    return entry_publish(user=validator, entry=entry)


def foreign_records(workspace, agent) -> dict:
    return {"knowledge_entry_id": _entry(workspace, "Question étrangerb ?").public_id}


def own_records(workspace, user) -> dict:
    return {"knowledge_entry_id": _entry(workspace, "Comment déclarer un sinistre ?").public_id}
