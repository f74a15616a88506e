"""Which workspaces a user may enter."""

import uuid

from django.db.models import Q, QuerySet

from relais.core.accounts.models import User
from relais.core.accounts.roles import Role
from relais.core.workspaces.models import Workspace


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    if not user.is_authenticated or not user.is_active:
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.select_related("organization")
    if user.role == Role.ADMINISTRATOR and user.organization_id:
        return Workspace.objects.filter(organization_id=user.organization_id).select_related(
            "organization"
        )
    return Workspace.objects.filter(memberships__user=user).select_related("organization")


def workspace_get_for_user(*, user: User, public_id) -> Workspace | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return workspaces_for_user(user=user).filter(public_id=public_id).first()


def default_workspace_for_user(*, user: User) -> Workspace | None:
    return workspaces_for_user(user=user).order_by("kind", "name").first()


def users_of_workspace(*, workspace: Workspace) -> QuerySet[User]:
    """Active users who may enter ``workspace`` (the rule of ``workspaces_for_user`` seen from the
    workspace's side): its members and its organization's administrators."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__workspace=workspace)
            | Q(role=Role.ADMINISTRATOR, organization_id=workspace.organization_id)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
