from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "relais.community"
    label = "community"
    verbose_name = _("Communauté")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations with the kernel (permissions, navigation, job kinds, event codes) go here.
        pass
