from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "relais.core.interactions"
    label = "interactions"

    def ready(self) -> None:
        from relais.core.interactions import events

        events.register_event_codes("core", events.CORE_EVENT_CODES)
