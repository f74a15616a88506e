from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "relais.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        """Register what the CRM brings to the kernel: each registry lives in core."""
        from relais.crm import interaction_events, permissions, sandbox_models
        from relais.crm.job_kinds import register_crm_job_kinds
        from relais.crm.navigation import register_navigation

        permissions.register()  # its permissions and the roles that grant them
        sandbox_models.register()  # its records belong to a learner's sandbox
        register_crm_job_kinds()  # background jobs: which task runs each kind
        register_navigation()  # navigation entries
        interaction_events.register()  # the event and outcome codes of its touchpoints
