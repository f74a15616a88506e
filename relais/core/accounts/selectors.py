"""Account reads: users, and the roles they hold where."""

from dataclasses import dataclass

from django.db.models import BigIntegerField, QuerySet, Value
from django.utils.translation import gettext as _

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import ANONYMOUS, Role
from relais.core.exceptions import NotFound
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Membership, Workspace
from relais.core.workspaces.selectors import WORKSPACE_IDS_ATTRIBUTE, workspaces_for_user

# The roles a user holds are read once per user object (so once per request) and kept on it.
_CACHE_ATTRIBUTE = "_relais_role_index"


def user_get_in_workspace(*, username: str, workspace: Workspace) -> User:
    """The active user called ``username`` who may enter ``workspace``.

    Any other user, existing or not, is reported the same way, so that usernames of
    other bodies do not leak.
    """
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not workspaces_for_user(user=user).filter(pk=workspace.pk).exists():
        raise NotFound(
            _("Aucun utilisateur « %(username)s » dans cet espace.") % {"username": username}
        )
    return user


@dataclass(frozen=True)
class RoleIndex:
    """Every membership of one user: organization id → roles held there, and workspace id →
    (its organization id, the membership's own role or ``None`` to inherit)."""

    organizations: dict[int, frozenset[str]]
    workspaces: dict[int, tuple[int, str | None]]

    def all_roles(self) -> frozenset[str]:
        held = {role for _organization, role in self.workspaces.values() if role}
        for roles in self.organizations.values():
            held |= roles
        return frozenset(held)

    def workspace_roles(self, workspace: Workspace) -> frozenset[str] | None:
        """The roles held in ``workspace``, or ``None`` when the user may not enter it."""
        organization_roles = self.organizations.get(workspace.organization_id, frozenset())
        entry = self.workspaces.get(workspace.pk)
        if entry is not None:
            return frozenset({entry[1]}) if entry[1] else organization_roles
        if Role.ADMINISTRATOR in organization_roles:
            return organization_roles
        return None


def _load_role_index(user: User) -> RoleIndex:
    # One query for both kinds of membership.
    workspace_rows = (
        Membership.objects.filter(user_id=user.pk)
        .order_by()
        .values_list("workspace__organization_id", "workspace_id", "role")
    )
    organization_rows = (
        OrganizationMembership.objects.filter(user_id=user.pk)
        .order_by()
        .values_list("organization_id", Value(None, output_field=BigIntegerField()), "role")
    )
    organizations: dict[int, set[str]] = {}
    workspaces: dict[int, tuple[int, str | None]] = {}
    for organization_id, workspace_id, role in workspace_rows.union(organization_rows, all=True):
        if workspace_id is None:
            organizations.setdefault(organization_id, set()).add(role)
        else:
            workspaces[workspace_id] = (organization_id, role or None)
    return RoleIndex(
        organizations={pk: frozenset(roles) for pk, roles in organizations.items()},
        workspaces=workspaces,
    )


def role_index(user: User, *, refresh: bool = False) -> RoleIndex:
    """The memberships of ``user``, read once and kept on the user object."""
    index = None if refresh else getattr(user, _CACHE_ATTRIBUTE, None)
    if index is None:
        index = _load_role_index(user)
        setattr(user, _CACHE_ATTRIBUTE, index)
    return index


def organization_ids_of_user(user: User) -> set[int]:
    """The organizations ``user`` holds a role in or works in: their home organization, their
    organization memberships and the organizations of their workspaces (read once per user
    object, with the roles)."""
    if not _usable(user):
        return set()
    index = role_index(user)
    ids = set(index.organizations) | {org for org, _role in index.workspaces.values()}
    if user.organization_id:
        ids.add(user.organization_id)
    return ids


def forget_roles(user: User) -> None:
    """Drop the roles kept on ``user`` (call it after changing their memberships)."""
    for attribute in (_CACHE_ATTRIBUTE, WORKSPACE_IDS_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def _usable(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def user_can_enter(user, workspace: Workspace) -> bool:
    """Whether ``user`` may enter ``workspace`` (the rule of ``workspaces_for_user``).

    Read from the memberships kept on the user; a workspace not found there is looked up
    again once, so that a membership granted during the request counts.
    """
    if not _usable(user):
        return False
    if user.is_superuser:
        return True
    if role_index(user).workspace_roles(workspace) is not None:
        return True
    return role_index(user, refresh=True).workspace_roles(workspace) is not None


def roles_held(user, *, workspace: Workspace | None = None, organization=None) -> frozenset[str]:
    """The roles ``user`` holds in ``workspace`` (its membership's role, else the roles held in
    its organization; none if the user may not enter it), in ``organization``, or — with no
    context — anywhere. An anonymous visitor holds the ``anonymous`` pseudo-role; an inactive
    account holds nothing.
    """
    if user is None or not user.is_authenticated:
        return frozenset({ANONYMOUS})
    if not user.is_active:
        return frozenset()
    if workspace is not None:
        roles = role_index(user).workspace_roles(workspace)
        if roles is None:
            roles = role_index(user, refresh=True).workspace_roles(workspace)
        return roles or frozenset()
    if organization is not None:
        organization_id = getattr(organization, "pk", organization)
        return role_index(user).organizations.get(organization_id, frozenset())
    return role_index(user).all_roles()


def user_has_role(
    user, role: str, *, workspace: Workspace | None = None, organization=None
) -> bool:
    """Whether ``user`` holds ``role`` in ``workspace``, in ``organization`` or anywhere.

    Holding is literal: a superuser holds no role they were not given."""
    return role in roles_held(user, workspace=workspace, organization=organization)


def organizations_where(user, role: str) -> QuerySet[Organization]:
    """The organizations in which ``user`` holds ``role`` (lazy: usable as a subquery)."""
    if not _usable(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=OrganizationMembership.objects.filter(user_id=user.pk, role=role).values(
            "organization_id"
        )
    )


def users_with_role(*, organization, role: str) -> QuerySet[User]:
    """Active users holding ``role`` in ``organization``."""
    return User.objects.filter(
        is_active=True,
        pk__in=OrganizationMembership.objects.filter(organization=organization, role=role).values(
            "user_id"
        ),
    )
