"""Access checks that every service and selector funnels through."""

from django.utils.translation import gettext as _

from relais.core.exceptions import AccessDenied, NotFound
from relais.core.workspaces.selectors import workspaces_for_user


def ensure_permission(user, permission: str, workspace=None) -> None:
    """Raise unless ``user`` holds ``permission`` and may enter ``workspace``.

    A workspace the user may not enter is reported as *not found*, so that its
    existence does not leak.
    """
    if user is None or not user.is_authenticated:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    if (
        workspace is not None
        and not workspaces_for_user(user=user).filter(pk=workspace.pk).exists()
    ):
        raise NotFound(_("Espace de travail introuvable."))
    if not user.has_role_permission(permission):
        raise AccessDenied(_("Votre rôle ne permet pas cette action."))
