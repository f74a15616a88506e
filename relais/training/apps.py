from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "relais.training"
    label = "training"
    verbose_name = _("Formation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Roles and permissions.
        from relais.training import permissions

        permissions.register()
