from relais.core.accounts.models import User
from relais.core.workspaces.middleware import SESSION_KEY
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.selectors import workspace_get_for_user


class WorkspaceAccessDenied(Exception):
    pass


def workspace_switch(*, request, user: User, public_id) -> Workspace:
    """Make ``public_id`` the current workspace of the session, if the user may enter it."""
    workspace = workspace_get_for_user(user=user, public_id=public_id)
    if workspace is None:
        raise WorkspaceAccessDenied
    request.session[SESSION_KEY] = str(workspace.public_id)
    return workspace
