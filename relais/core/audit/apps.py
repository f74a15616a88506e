from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "relais.core.audit"
    label = "audit"
