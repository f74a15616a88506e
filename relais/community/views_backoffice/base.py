"""The back office's frame: who may open it, its sections, its saved-message redirect."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.community import selectors
from relais.community.permissions import Permission
from relais.community.views import CommunityView, _login_redirect
from relais.core.exceptions import AccessDenied

SECTIONS = (
    ("community:backoffice", gettext_lazy("Indicateurs"), Permission.KPIS),
    ("community:backoffice-features", gettext_lazy("Modules"), Permission.MANAGE),
    ("community:backoffice-categories", gettext_lazy("Catégories"), Permission.MANAGE),
    ("community:backoffice-trust", gettext_lazy("Niveaux de confiance"), Permission.MANAGE),
    ("community:backoffice-words", gettext_lazy("Mots interdits"), Permission.MANAGE),
    (
        "community:backoffice-content",
        gettext_lazy("Pièces jointes et étiquettes"),
        Permission.MANAGE,
    ),
    ("community:backoffice-embed", gettext_lazy("Widget"), Permission.MANAGE),
    ("community:backoffice-accessibility", gettext_lazy("Accessibilité"), Permission.MANAGE),
)


class BackofficeView(CommunityView):
    """A back-office page: signed-in staff holding ``permission``; never indexed; open
    whatever modules are switched off (it is where they are switched on again)."""

    permission = Permission.MANAGE
    section = ""

    def dispatch(self, request, *args, **kwargs):
        self.community = selectors.community_for_request(request)
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if not self.can(self.permission):
            raise AccessDenied(_("Le pilotage de la communauté est réservé à son équipe."))
        return super(CommunityView, self).dispatch(request, *args, **kwargs)

    def render(self, template, context=None, status=200):
        sections = [
            {"url_name": name, "label": label, "current": name == self.section}
            for name, label, permission in SECTIONS
            if self.can(permission)
        ]
        return super().render(
            template, {"sections": sections, "noindex": True, **(context or {})}, status
        )

    def saved(self, message: str, url_name: str):
        messages.success(self.request, message)
        return redirect(url_name)
