from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relais.core.accounts"
    label = "accounts"

    def ready(self) -> None:
        from relais.core.accounts.permissions import register_permissions
        from relais.core.accounts.roles import CORE_GRANTS, Permission

        register_permissions(
            "core",
            dict(Permission.choices),
            CORE_GRANTS,
        )
