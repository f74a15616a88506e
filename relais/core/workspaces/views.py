from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from relais.core.workspaces.services import WorkspaceAccessDenied, workspace_switch


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
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("crm:customer-list")
        # Records differ between workspaces: a detail page of the old one would 404.
        if "/crm/clients/" in target and target.rstrip("/") != reverse("crm:customer-list").rstrip(
            "/"
        ):
            target = reverse("crm:customer-list")
        return HttpResponseRedirect(target)
