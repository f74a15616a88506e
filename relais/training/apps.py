from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_exercise_catalogue(sender, using, **kwargs) -> None:
    """Bring the built-in exercise catalogue up to date after every ``migrate`` (and ``flush``).

    The catalogue is data shipped with the code, like Django's content types: a new version's
    exercises appear at deployment, and no page view ever has to write them.
    """
    from relais.training.services.exercises import exercise_catalogue_ensure

    exercise_catalogue_ensure(using=using)


class TrainingConfig(AppConfig):
    name = "relais.training"
    label = "training"
    verbose_name = _("Formation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(
            _install_exercise_catalogue, sender=self, dispatch_uid="training.exercise_catalogue"
        )

        # Background jobs: which task runs each kind (relais.core.jobs.registry).
        from relais.training.job_kinds import register_training_job_kinds

        register_training_job_kinds()

        # Navigation entries (relais.core.navigation).
        from relais.training.navigation import register_navigation

        register_navigation()

        # Roles and permissions.
        from relais.training import permissions

        permissions.register()
