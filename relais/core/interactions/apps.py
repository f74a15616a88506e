from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "relais.core.interactions"
    label = "interactions"
