"""Attachment and tag rules of the community (administrators)."""

from django.utils.translation import gettext as _

from relais.community.forms import ContentRulesForm
from relais.community.services.attachments import (
    CONTENT_RULE_FIELDS,
    content_settings_of,
    content_settings_set,
)
from relais.community.views_backoffice.base import BackofficeView
from relais.core.web import submit


class ContentRulesView(BackofficeView):
    section = "community:backoffice-content"

    def page(self, form, status=200):
        return self.render("community/backoffice/content_rules.html", {"form": form}, status)

    def get(self, request):
        rules = content_settings_of(self.community)
        initial = {name: getattr(rules, name) for name in CONTENT_RULE_FIELDS}
        initial["attachment_extensions"] = ", ".join(rules.attachment_extensions or [])
        return self.page(ContentRulesForm(initial=initial))

    def post(self, request):
        form = ContentRulesForm(request.POST)
        done = submit(
            form,
            lambda: content_settings_set(
                user=request.user, community=self.community, **form.cleaned_data
            ),
        )
        if done:
            return self.saved(_("Les règles sont enregistrées."), "community:backoffice-content")
        return self.page(form, status=400)
