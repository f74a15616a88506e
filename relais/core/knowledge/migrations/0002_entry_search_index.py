"""French full-text index of the knowledge base: FTS5 on SQLite, relais_french GIN on PostgreSQL."""

from django.db import migrations

from relais.core.knowledge.search import ENTRY_INDEX


def create_index(apps, schema_editor):
    ENTRY_INDEX.setup(schema_editor)


def drop_index(apps, schema_editor):
    ENTRY_INDEX.teardown(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
