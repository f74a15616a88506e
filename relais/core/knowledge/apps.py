from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "relais.core.knowledge"
    label = "knowledge"
    verbose_name = _("Base de connaissances")

    def ready(self) -> None:
        from relais.core.knowledge import permissions
        from relais.core.navigation import register_nav_entry

        permissions.register()
        register_nav_entry(
            key="core.knowledge",
            label=_("Connaissances"),
            url_name="knowledge:entry-list",
            icon="bi-book",
            permission=permissions.Permission.KNOWLEDGE_VIEW,
            order=300,
            active_prefix=True,
            description=_(
                "Chercher, rédiger et valider les réponses de référence de l'organisation."
            ),
        )
