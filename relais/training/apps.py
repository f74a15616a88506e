from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "relais.training"
    label = "training"
    verbose_name = _("Formation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Background jobs: which task runs each kind (relais.core.jobs.registry).
        from relais.training.job_kinds import register_training_job_kinds

        register_training_job_kinds()
