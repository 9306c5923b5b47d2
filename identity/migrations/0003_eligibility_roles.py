from django.db import migrations

from identity.roles import roles_ensure_for_migration


class Migration(migrations.Migration):
    """Program officers define programs and rule sets, preview and publish them, and manage enrolments;
    supervisors and auditors read them."""

    dependencies = [
        ("identity", "0002_roles"),
        ("eligibility", "0005_assessment_outcome"),
    ]

    operations = [migrations.RunPython(roles_ensure_for_migration, migrations.RunPython.noop)]
