from relais.core.organizations.models import Organization


def branding_for_request(request) -> Organization | None:
    """The organization whose branding dresses the page: the workspace's, else the user's,
    else the first one (the login page of a single-body installation)."""
    workspace = getattr(request, "workspace", None)
    if workspace is not None:
        return workspace.organization
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.organization_id:
        return user.organization
    return Organization.objects.order_by("id").first()
