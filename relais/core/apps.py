from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "relais.core"
    label = "core"
    verbose_name = "Relais — noyau partagé"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from relais.core.search import register_sqlite_functions

        # The triggers of the full-text indexes call these functions: every connection needs
        # them, including one an earlier app may already have opened.
        connection_created.connect(register_sqlite_functions, dispatch_uid="relais-sqlite-fns")
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_functions(connection=connection)
