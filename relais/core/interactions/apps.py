from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "relais.core.interactions"
    label = "interactions"

    def ready(self) -> None:
        from relais.core.interactions import events
        from relais.core.interactions.models import Interaction
        from relais.core.workspaces.sandbox import register_sandbox_models

        # A workspace's interaction log is part of its sandboxes' records.
        register_sandbox_models(Interaction)
        events.register_event_codes("core", events.CORE_EVENT_CODES)
