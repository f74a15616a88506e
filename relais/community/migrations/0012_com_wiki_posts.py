"""Wiki posts: ``Post.is_wiki`` and the two trust levels of ``ContentSettings``.

On SQLite, adding a NOT NULL column re-creates ``community_post``, which drops the triggers of
the replies' full-text index (0009): the index is taken down before and set up again after
(refilled from the posts). Nothing of it on PostgreSQL (a new column leaves its index alone).
"""

import django.core.validators
from django.db import migrations, models

from relais.community.search import setup_replies_index, teardown_replies_index


def drop_index(apps, schema_editor):
    teardown_replies_index(schema_editor, vendor="sqlite")


def create_index(apps, schema_editor):
    setup_replies_index(schema_editor, vendor="sqlite")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0011_com_readtime_reading_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="contentsettings",
            name="wiki_edit_min_level",
            field=models.PositiveSmallIntegerField(
                default=1,
                validators=[django.core.validators.MaxValueValidator(4)],
                verbose_name="niveau requis pour modifier un message wiki",
            ),
        ),
        migrations.AddField(
            model_name="contentsettings",
            name="wiki_min_level",
            field=models.PositiveSmallIntegerField(
                default=3,
                validators=[django.core.validators.MaxValueValidator(4)],
                verbose_name="niveau requis pour faire de son message un wiki",
            ),
        ),
        migrations.RunPython(drop_index, create_index),
        migrations.AddField(
            model_name="post",
            name="is_wiki",
            field=models.BooleanField(default=False, verbose_name="wiki"),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
