from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "relais.core.jobs"
    label = "jobs"
