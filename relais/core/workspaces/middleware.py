from relais.core.workspaces.selectors import default_workspace_for_user, workspace_get_for_user

SESSION_KEY = "relais_workspace"


class CurrentWorkspaceMiddleware:
    """Puts the workspace the user chose (and may still enter) on ``request.workspace``.

    The choice lives in the session; it is checked against the user's access on every
    request, so revoking a membership takes effect at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.session.get(SESSION_KEY)
            workspace = workspace_get_for_user(user=user, public_id=chosen) if chosen else None
            if workspace is None:
                workspace = default_workspace_for_user(user=user)
                if workspace is not None:
                    request.session[SESSION_KEY] = str(workspace.public_id)
            request.workspace = workspace
        return self.get_response(request)
