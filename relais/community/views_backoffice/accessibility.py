"""The RGAA accessibility statement: edited in the back office, published for everyone."""

from django.urls import reverse
from django.utils.translation import gettext as _

from relais.community.forms_backoffice import (
    AccessibilityForm,
)
from relais.community.services.backoffice import (
    accessibility_set,
)
from relais.community.statement import statement_for
from relais.community.views import CommunityView
from relais.community.views_backoffice.base import BackofficeView
from relais.core.web import submit


class AccessibilityEditView(BackofficeView):
    section = "community:backoffice-accessibility"

    def page(self, form, status=200):
        return self.render("community/backoffice/accessibility.html", {"form": form}, status)

    def get(self, request):
        return self.page(AccessibilityForm(initial=self.community.accessibility or {}))

    def post(self, request):
        form = AccessibilityForm(request.POST)
        done = submit(
            form,
            lambda: accessibility_set(
                user=request.user, community=self.community, statement=form.cleaned_data
            ),
        )
        if done:
            return self.saved(
                _("La déclaration d'accessibilité est enregistrée."),
                "community:backoffice-accessibility",
            )
        return self.page(form, status=400)


# --- public: the accessibility statement ----------------------------------------------------


class AccessibilityStatementView(CommunityView):
    """« Déclaration d'accessibilité » (RGAA), for everyone, whatever modules are on."""

    feature = None

    def get(self, request):
        return self.render(
            "community/accessibility_statement.html",
            {
                "statement": statement_for(self.community),
                "canonical": self.absolute(reverse("community:accessibility")),
                "meta_description": _("Déclaration d'accessibilité de %(name)s.")
                % {"name": self.community.name},
            },
        )


# --- the widget -----------------------------------------------------------------------------
