from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        # Roles and permissions.
        from relais.crm import permissions

        permissions.register()
