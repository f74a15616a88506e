from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        # Navigation entries (relais.core.navigation).
        from relais.crm.navigation import register_navigation

        register_navigation()
