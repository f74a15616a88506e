from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relais.core.accounts"
    label = "accounts"
