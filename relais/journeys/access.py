"""Who may read or edit an organization's designed journeys.

A journey belongs to an organization. A user holds a permission there when a role they hold
in the organization, or in one of its workspaces, grants it (a supervisor named on one
workspace's membership designs the body's journeys too). Services and selectors call these
checks; a journey of an organization the user does not belong to is reported as not found.
"""

from django.utils.translation import gettext as _

from relais.core.accounts.permissions import permissions_of_role
from relais.core.accounts.selectors import role_index
from relais.core.exceptions import AccessDenied, NotFound
from relais.journeys.permissions import Permission


def _roles_in(user, organization) -> frozenset[str] | None:
    """The roles ``user`` holds in ``organization`` or its workspaces; ``None``: not a member."""
    index = role_index(user)
    organization_id = getattr(organization, "pk", organization)
    roles = set(index.organizations.get(organization_id, ()))
    member = organization_id in index.organizations
    for workspace_organization, role in index.workspaces.values():
        if workspace_organization == organization_id:
            member = True
            if role:
                roles.add(role)
    return frozenset(roles) if member else None


def has_journey_permission(user, permission: str, organization) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = _roles_in(user, organization) or frozenset()
    return any(permission in permissions_of_role(role) for role in roles)


def ensure_journey_permission(user, permission: str, organization) -> None:
    """Raise unless ``user`` holds ``permission`` in ``organization``.

    Outside the organization: not found (its journeys' existence does not leak); inside it
    without the role: access denied.
    """
    if user is None or not user.is_authenticated:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    if not user.is_superuser and _roles_in(user, organization) is None:
        raise NotFound(_("Parcours introuvable."))
    if not has_journey_permission(user, permission, organization):
        raise AccessDenied(_("Votre rôle ne permet pas cette action."))


def ensure_can_edit(user, organization) -> None:
    """The services' check; ``user=None`` is the system (demo loader, templates in commands)."""
    if user is None:
        return
    ensure_journey_permission(user, Permission.JOURNEYS_EDIT, organization)
