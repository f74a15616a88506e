"""Permissions: the registry every app fills at start-up, and the access checks that every
service and selector funnels through."""

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import ANONYMOUS, ROLE_CODES
from relais.core.accounts.selectors import roles_held, user_can_enter
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.organizations.models import Organization

# code → (app label, label); role → codes it grants; apps that registered.
_PERMISSIONS: dict[str, tuple[str, str]] = {}
_GRANTS: dict[str, set[str]] = {}
_APPS: set[str] = set()


def register_permissions(
    app_label: str, permissions: dict[str, str], grants: dict[str, Iterable[str]]
) -> None:
    """Declare ``app_label``'s permissions (code → label) and the roles that grant them.

    Called once per app from its ``AppConfig.ready()``. An app grants only its own
    permissions; a code may belong to one app only, and an app registers once.
    ``grants`` keys are role codes (``relais.core.accounts.roles.Role`` or ``anonymous``
    for what the visitor of a public page may do).
    """
    if app_label in _APPS:
        raise ImproperlyConfigured(f"Permissions of {app_label!r} are already registered.")
    taken = sorted(code for code in permissions if code in _PERMISSIONS)
    if taken:
        raise ImproperlyConfigured(f"Permissions already registered by another app: {taken}.")
    permissions = {str(code): label for code, label in permissions.items()}
    grants = {str(role): frozenset(str(code) for code in codes) for role, codes in grants.items()}
    for role, codes in grants.items():
        if role not in ROLE_CODES:
            raise ImproperlyConfigured(f"{app_label}: unknown role {role!r}.")
        foreign = sorted(codes - permissions.keys())
        if foreign:
            raise ImproperlyConfigured(
                f"{app_label} grants permissions it does not own: {foreign}."
            )
    _APPS.add(app_label)
    for code, label in permissions.items():
        _PERMISSIONS[code] = (app_label, label)
    for role, codes in grants.items():
        _GRANTS.setdefault(role, set()).update(codes)


def registered_permissions() -> dict[str, str]:
    """Every registered permission: code → label."""
    return {code: label for code, (_app, label) in _PERMISSIONS.items()}


def permissions_of_role(role: str) -> frozenset[str]:
    """The permissions ``role`` grants (``anonymous`` included)."""
    return frozenset(_GRANTS.get(role, ()))


def permissions_of_user(user, *, workspace=None, organization=None) -> frozenset[str]:
    """Every permission ``user`` holds in that context (see ``user_has_permission``)."""
    if user is not None and user.is_authenticated:
        if not user.is_active:
            return frozenset()
        if user.is_superuser:
            return frozenset(_PERMISSIONS)
    held = set(_GRANTS.get(ANONYMOUS, ()))
    for role in roles_held(user, workspace=workspace, organization=organization):
        held |= _GRANTS.get(role, set())
    return frozenset(held)


def user_has_permission(user, permission: str, *, workspace=None, organization=None) -> bool:
    """Whether a role ``user`` holds grants ``permission``.

    In ``workspace``: the role of the user's membership of it, else the roles held in its
    organization (an administrator of the organization enters all its workspaces). In
    ``organization``: the roles held there. With no context: any role the user holds.
    What the anonymous visitor may do, everyone may; a superuser may do everything; an
    inactive account nothing.
    """
    if user is not None and user.is_authenticated:
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
    return permission in permissions_of_user(user, workspace=workspace, organization=organization)


def roles_granting(permission: str) -> frozenset[str]:
    """The roles that grant ``permission``."""
    return frozenset(role for role, codes in _GRANTS.items() if permission in codes)


def organizations_with_permission(user, permission: str) -> QuerySet[Organization]:
    """The organizations in which a role ``user`` holds grants ``permission`` (every one for a
    superuser). Lazy: usable as a subquery."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        pk__in=OrganizationMembership.objects.filter(
            user_id=user.pk, role__in=roles_granting(permission)
        ).values("organization_id")
    )


def ensure_permission(user, permission: str, workspace=None) -> None:
    """Raise unless ``user`` may enter ``workspace`` and holds ``permission`` there.

    A workspace the user may not enter is reported as *not found*, so that its
    existence does not leak. Without a workspace, any role the user holds counts.
    """
    if user is None or not user.is_authenticated:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    if workspace is not None and not user_can_enter(user, workspace):
        raise NotFound(_("Espace de travail introuvable."))
    if not user_has_permission(user, permission, workspace=workspace):
        raise AccessDenied(_("Votre rôle ne permet pas cette action."))
