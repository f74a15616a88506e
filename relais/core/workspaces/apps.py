from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "relais.core.workspaces"
    label = "workspaces"
