from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "relais.core.organizations"
    label = "organizations"
