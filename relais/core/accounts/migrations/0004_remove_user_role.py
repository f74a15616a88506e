from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles_to_memberships"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="role"),
    ]
