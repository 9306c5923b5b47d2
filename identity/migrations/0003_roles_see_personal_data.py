from django.db import migrations


def complete_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from identity.roles import roles_ensure

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    roles_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_roles"), ("registry", "0002_personal_data")]

    operations = [migrations.RunPython(complete_roles, migrations.RunPython.noop)]
