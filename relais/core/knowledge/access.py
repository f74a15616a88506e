"""Who may read or write an organization's knowledge base."""

from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound
from relais.core.workspaces.selectors import workspaces_for_user


def ensure_organization_access(user, organization, permission: str) -> None:
    """Raise unless ``user`` holds ``permission`` and belongs to ``organization`` (their own
    organization, or one of whose workspaces they may enter). Another organization's base is
    reported as *not found*."""
    ensure_permission(user, permission)
    if user.is_superuser or user.organization_id == organization.pk:
        return
    if not workspaces_for_user(user=user).filter(organization_id=organization.pk).exists():
        raise NotFound(_("Base de connaissances introuvable."))


def ensure_entry_access(user, entry, permission: str) -> None:
    """As ``ensure_organization_access``, and the entry's workspace (if any) must be enterable."""
    ensure_organization_access(user, entry.organization, permission)
    if entry.workspace_id is not None and not (
        workspaces_for_user(user=user).filter(pk=entry.workspace_id).exists()
    ):
        raise NotFound(_("Entrée introuvable."))
