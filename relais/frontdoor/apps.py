from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdoorConfig(AppConfig):
    name = "relais.frontdoor"
    label = "frontdoor"
    verbose_name = _("Guichet unique")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations with the kernel (permissions, navigation, job kinds, event codes) go here.
        pass
