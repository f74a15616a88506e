"""French full-text index of the posts' text on SQLite (replies found by search): an FTS5
table of their folded, stemmed words, kept in step by triggers on ``community_post`` and filled
with the posts already there; nothing on PostgreSQL (its index came with 0008)."""

from django.db import migrations

from relais.community.search import setup_replies_index, teardown_replies_index


def create_index(apps, schema_editor):
    setup_replies_index(schema_editor, vendor="sqlite")


def drop_index(apps, schema_editor):
    teardown_replies_index(schema_editor, vendor="sqlite")


class Migration(migrations.Migration):
    dependencies = [("community", "0008_com_fin_post_search_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
