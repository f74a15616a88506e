"""Account reads."""

from django.utils.translation import gettext as _

from relais.core.accounts.models import User
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.selectors import workspaces_for_user


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
