from django.db.models import Q, QuerySet

from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Workspace


def interactions_for_contact(
    *, workspace: Workspace, person=None, company=None
) -> QuerySet[Interaction]:
    """Timeline of a person and/or company, newest first, within one workspace."""
    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(person=person)
    if company is not None:
        condition |= Q(company=company)
    return (
        Interaction.objects.in_workspace(workspace)
        .filter(condition)
        .select_related("actor", "source_type")
        .order_by("-started_at", "-id")
    )
