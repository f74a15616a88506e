import re
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from relais.core.navigation import nav_entries_for
from relais.core.workspaces.services import WorkspaceAccessDenied, workspace_switch

# A path segment naming a record: a public id (UUID) or a numeric id.
_RECORD_SEGMENT = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d+)$"
)


def landing_after_switch(*, request, workspace, target: str) -> str:
    """Where to go after switching to ``workspace``: back to ``target`` when it is a safe local
    page, else home. Records differ between workspaces, so a page naming a record of the old
    one goes to the list of its navigation entry (or home)."""
    home = reverse("home")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return home
    path = urlsplit(target).path
    if not any(_RECORD_SEGMENT.match(segment) for segment in path.split("/")):
        return target
    items = nav_entries_for(user=request.user, workspace=workspace, path=path)
    active = next((item for item in items if item.active), None)
    return active.url if active is not None else home


class WorkspaceSwitchView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            workspace = workspace_switch(
                request=request, user=request.user, public_id=request.POST.get("workspace", "")
            )
        except WorkspaceAccessDenied as exc:
            raise Http404(_("Espace de travail introuvable.")) from exc
        messages.success(
            request, _("Vous travaillez maintenant dans « %(name)s ».") % {"name": workspace.name}
        )
        return HttpResponseRedirect(
            landing_after_switch(
                request=request, workspace=workspace, target=request.POST.get("next", "")
            )
        )
