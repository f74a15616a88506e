from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        # Interaction log v2: the CRM's event and outcome codes.
        from relais.crm import interaction_events

        interaction_events.register()
