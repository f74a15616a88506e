from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "relais.core.interactions"
    label = "interactions"

    def ready(self) -> None:
        from relais.core.accounts.roles import Permission
        from relais.core.interactions import events
        from relais.core.interactions.models import Interaction
        from relais.core.navigation import register_nav_entry
        from relais.core.workspaces.sandbox import register_sandbox_models

        # A workspace's interaction log is part of its sandboxes' records.
        register_sandbox_models(Interaction)
        events.register_event_codes("core", events.CORE_EVENT_CODES)
        register_nav_entry(
            key="core.interactions.export",
            label=_("Exporter le journal des interactions"),
            url_name="interactions:export",
            icon="bi-journal-arrow-down",
            permission=Permission.INTERACTIONS_VIEW,
            section="tools",
            order=800,
            description=_("Le journal d'événements de l'espace, en CSV ou XES."),
        )
