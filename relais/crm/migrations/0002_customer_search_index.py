"""Trigram index behind customer search: FTS5 on SQLite, pg_trgm on PostgreSQL."""

from django.db import migrations

from relais.crm import search


def create_index(apps, schema_editor):
    statements = {"sqlite": search.SQLITE_SETUP, "postgresql": search.POSTGRES_SETUP}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    statements = {"sqlite": search.SQLITE_TEARDOWN, "postgresql": search.POSTGRES_TEARDOWN}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
