"""Which workspaces a user may enter."""

import uuid

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind

# Kept on the user object with its roles, and forgotten with them (accounts.selectors.forget_roles).
WORKSPACE_IDS_ATTRIBUTE = "_relais_workspace_ids"


def _administered_organizations(user: User):
    return OrganizationMembership.objects.filter(user_id=user.pk, role=Role.ADMINISTRATOR).values(
        "organization_id"
    )


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    """The workspaces ``user`` may enter: those they are a member of, and every workspace of
    the organizations where they are administrator."""
    if not user.is_authenticated or not user.is_active:
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.select_related("organization")
    return Workspace.objects.filter(
        Q(pk__in=Membership.objects.filter(user_id=user.pk).values("workspace_id"))
        | Q(organization_id__in=_administered_organizations(user))
    ).select_related("organization")


def workspace_ids_for_user(*, user: User) -> frozenset[int]:
    """The ids of ``workspaces_for_user``, read once per user object (like its roles): a
    filter on a short list of ids is cheaper to build and to run than the sub-query, in
    selectors that run on every keystroke of a search."""
    cached = getattr(user, WORKSPACE_IDS_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(workspaces_for_user(user=user).values_list("pk", flat=True))
        if user.is_authenticated:
            setattr(user, WORKSPACE_IDS_ATTRIBUTE, cached)
    return cached


def workspace_get_for_user(*, user: User, public_id) -> Workspace | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return workspaces_for_user(user=user).filter(public_id=public_id).first()


# Where a user lands first: the real work, then the school bases a trainer prepares, then a
# learner's sandbox (a trainer who also has a sandbox lands in the school base, as the README says).
KIND_PREFERENCE = (WorkspaceKind.LIVE, WorkspaceKind.TEMPLATE, WorkspaceKind.SANDBOX)


def default_workspace_for_user(*, user: User) -> Workspace | None:
    rank = Case(
        *(When(kind=kind, then=Value(index)) for index, kind in enumerate(KIND_PREFERENCE)),
        default=Value(len(KIND_PREFERENCE)),
        output_field=IntegerField(),
    )
    return workspaces_for_user(user=user).order_by(rank, "name", "pk").first()


def users_of_workspace(*, workspace: Workspace) -> QuerySet[User]:
    """Active users who may enter ``workspace`` (the rule of ``workspaces_for_user`` seen from the
    workspace's side): its members and its organization's administrators."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=Membership.objects.filter(workspace=workspace).values("user_id"))
            | Q(
                pk__in=OrganizationMembership.objects.filter(
                    organization_id=workspace.organization_id, role=Role.ADMINISTRATOR
                ).values("user_id")
            )
        )
        .order_by("last_name", "first_name", "username")
    )
