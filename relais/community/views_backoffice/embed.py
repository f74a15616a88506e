"""The widget's allow-list (administrators)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from relais.community import selectors
from relais.community.forms_backoffice import (
    EmbedForm,
)
from relais.community.services.backoffice import (
    embed_origins_set,
)
from relais.community.views_backoffice.base import BackofficeView
from relais.core.web import submit


class EmbedView(BackofficeView):
    section = "community:backoffice-embed"

    def page(self, form, status=200):
        categories = selectors.public_categories(community=self.community)
        first = categories.first()
        snippet = iframe = ""
        if first is not None:
            script_url = self.absolute(
                reverse("community:widget-script", kwargs={"category_slug": first.slug})
            )
            frame_url = self.absolute(
                reverse("community:widget", kwargs={"category_slug": first.slug})
            )
            snippet = (
                '<div id="relais-communaute"></div>\n'
                f'<script src="{script_url}" data-cible="relais-communaute" async></script>'
            )
            iframe = (
                f'<iframe src="{frame_url}" title="{_("Questions de la communauté")}" '
                'width="100%" height="420" style="border:0"></iframe>'
            )
        return self.render(
            "community/backoffice/embed.html",
            {"form": form, "categories": categories, "snippet": snippet, "iframe": iframe},
            status,
        )

    def get(self, request):
        return self.page(EmbedForm(initial={"origins": "\n".join(self.community.embed_origins)}))

    def post(self, request):
        form = EmbedForm(request.POST)
        done = submit(
            form,
            lambda: embed_origins_set(
                user=request.user, community=self.community, origins=form.cleaned_data["origins"]
            ),
        )
        if done:
            return self.saved(
                _("Les sites autorisés sont enregistrés."), "community:backoffice-embed"
            )
        return self.page(form, status=400)
