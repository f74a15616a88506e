from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "relais.core.knowledge"
    label = "knowledge"
    verbose_name = "Base de connaissances"
