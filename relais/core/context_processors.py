from relais.core.organizations.selectors import branding_for_request
from relais.core.workspaces.selectors import workspaces_for_user


def platform(request) -> dict:
    """Branding and the workspace switcher, on every page."""
    user = getattr(request, "user", None)
    workspace = getattr(request, "workspace", None)
    return {
        "branding": branding_for_request(request),
        "current_workspace": workspace,
        "available_workspaces": (
            list(workspaces_for_user(user=user)[:50])
            if user is not None and user.is_authenticated
            else []
        ),
    }
