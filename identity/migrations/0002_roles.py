from django.db import migrations

from identity.roles import roles_ensure_for_migration

class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("registry", "0001_initial"),
        ("eligibility", "0001_initial"),
        ("payment", "0001_initial"),
        ("analytics", "0001_initial"),
        ("audit", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_ensure_for_migration, migrations.RunPython.noop)]
