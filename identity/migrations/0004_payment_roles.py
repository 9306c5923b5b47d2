from django.db import migrations

from identity.roles import roles_ensure_for_migration


class Migration(migrations.Migration):
    """Payment officers run cycles and batches (approving only another officer's), import settlement files and
    resolve reconciliation exceptions; auditors read all of it."""

    dependencies = [
        ("identity", "0003_eligibility_roles"),
        ("payment", "0005_seed_4ps"),
    ]

    operations = [migrations.RunPython(roles_ensure_for_migration, migrations.RunPython.noop)]
