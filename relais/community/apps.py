"""The community platform (seed ``001_…``): forum with official answers, moderation, chat,
polls, events, gamification, KPIs, SSO and SEO.

Built on the shared kernel only: it imports ``relais.core`` and never another app (the
import-linter contracts in ``pyproject.toml`` say so). Members, their posts' touchpoints and
validated answers go through core's contacts, interaction log and knowledge base.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "relais.community"
    label = "community"
    verbose_name = _("Communauté")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from relais.community import permissions
        from relais.community.selectors import user_runs_a_community
        from relais.core.navigation import register_nav_entry

        permissions.register()

        from django.contrib.auth.signals import user_logged_in

        from relais.community.services import member_events
        from relais.community.services.sanctions import refuse_sanctioned_login

        member_events.register()
        # A suspended or banned member is signed out at once, told why and until when.
        user_logged_in.connect(refuse_sanctioned_login, dispatch_uid="community-sanctions")

        from relais.community.demo import load_demo_for_platform
        from relais.core.demo import register_demo

        register_demo(
            "community", _("Communauté des artistes-auteurs"), load_demo_for_platform, order=200
        )
        # The forum, for visitors (public layout) and for signed-in users (staff layout).
        register_nav_entry(
            key="community.home",
            label=_("Communauté"),
            url_name="community:home",
            icon="bi-chat-square-text",
            order=400,
            active_prefix=True,
            public=True,
            description=_(
                "Questions et réponses entre artistes-auteurs, validées par l'organisme."
            ),
        )
        register_nav_entry(
            key="community.forum",
            label=_("Communauté"),
            url_name="community:home",
            icon="bi-chat-square-text",
            permission=permissions.Permission.POST,
            available=user_runs_a_community,
            order=400,
            active_prefix=True,
            description=_("Le forum d'entraide, ses réponses officielles et sa modération."),
        )
