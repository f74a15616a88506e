from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "relais.core.interactions"
    label = "interactions"

    def ready(self):
        # A workspace's interaction log is part of its sandboxes' records.
        from relais.core.interactions.models import Interaction
        from relais.core.workspaces.sandbox import register_sandbox_models

        register_sandbox_models(Interaction)
