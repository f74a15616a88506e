from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "relais.core.calendars"
    label = "calendars"
    verbose_name = _("Calendriers")
    default_auto_field = "django.db.models.BigAutoField"
