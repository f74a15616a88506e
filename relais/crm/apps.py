from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        # Background jobs: which task runs each kind (relais.core.jobs.registry).
        from relais.crm.job_kinds import register_crm_job_kinds

        register_crm_job_kinds()

        # Navigation entries (relais.core.navigation).
        from relais.crm.navigation import register_navigation

        register_navigation()

    def ready(self):
        # Sandbox records (issue 8, item 4).
        from relais.crm import sandbox_models

        sandbox_models.register()
