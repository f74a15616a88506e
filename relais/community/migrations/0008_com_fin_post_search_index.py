"""French full-text index of the posts' text (replies found by search): a stored
``relais_french`` tsvector column and its GIN index on PostgreSQL; nothing on SQLite (see
0009)."""

from django.db import migrations

from relais.community.search import setup_replies_index, teardown_replies_index


def create_index(apps, schema_editor):
    setup_replies_index(schema_editor, vendor="postgresql")


def drop_index(apps, schema_editor):
    teardown_replies_index(schema_editor, vendor="postgresql")


class Migration(migrations.Migration):
    dependencies = [("community", "0007_com_content")]

    operations = [migrations.RunPython(create_index, drop_index)]
