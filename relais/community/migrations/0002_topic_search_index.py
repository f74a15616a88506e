"""French full-text index of the forum's topics: FTS5 on SQLite, relais_french GIN on
PostgreSQL."""

from django.db import migrations

from relais.community.search import TOPIC_INDEX


def create_index(apps, schema_editor):
    TOPIC_INDEX.setup(schema_editor)


def drop_index(apps, schema_editor):
    TOPIC_INDEX.teardown(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
