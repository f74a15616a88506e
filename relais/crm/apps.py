from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self):
        # Sandbox records (issue 8, item 4).
        from relais.crm import sandbox_models

        sandbox_models.register()
