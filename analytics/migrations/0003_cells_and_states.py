"""The dimensional read model: cells and states replace the two fact tables.

`HouseholdAssessmentFact` becomes `Cell` (renamed, so the `view_summary` permission and the roles that
hold it keep their content type); its rows and `PaymentFact`'s are dropped: `manage.py
analytics_rebuild` fills the new tables from the event log.
"""

from django.db import migrations, models


def forget_old_facts(apps, schema_editor):
    apps.get_model("analytics", "HouseholdAssessmentFact").objects.all().delete()


CODE = {"max_length": 10, "blank": True, "default": ""}


class Migration(migrations.Migration):

    dependencies = [("analytics", "0002_levels_below_region")]

    operations = [
        migrations.RunPython(forget_old_facts, migrations.RunPython.noop),
        migrations.DeleteModel(name="PaymentFact"),
        migrations.RemoveConstraint(model_name="householdassessmentfact", name="one_assessment_fact_per_household_program"),
        migrations.RenameModel(old_name="HouseholdAssessmentFact", new_name="Cell"),
        *[migrations.RemoveField(model_name="cell", name=name) for name in (
            "household_id", "program_code", "household_version", "decision", "region_code", "province_code",
            "municipality_code", "barangay_code", "assessed_at")],
        migrations.AddField("cell", "generation", models.CharField(max_length=40, blank=True, default="")),
        migrations.AddField("cell", "key", models.CharField(max_length=255, default=""), preserve_default=False),
        migrations.AddField("cell", "measure", models.CharField(max_length=40, default=""), preserve_default=False),
        migrations.AddField("cell", "level", models.CharField(max_length=20, default=""), preserve_default=False),
        *[migrations.AddField("cell", name, models.CharField(**CODE)) for name in (
            "region_code", "province_code", "municipality_code", "barangay_code")],
        migrations.AddField("cell", "program_code", models.CharField(max_length=32, blank=True, default="")),
        migrations.AddField("cell", "cycle", models.CharField(max_length=64, blank=True, default="")),
        migrations.AddField("cell", "day", models.CharField(max_length=10, default=""), preserve_default=False),
        migrations.AddField("cell", "n", models.BigIntegerField(default=0)),
        migrations.AddField("cell", "amount", models.BigIntegerField(default=0)),
        migrations.AddConstraint("cell", models.UniqueConstraint(fields=["generation", "key"], name="one_cell_per_key")),
        *[migrations.AddIndex("cell", models.Index(fields=["generation", "level", field, "day"],
                                                   name=f"cell_{field[:4]}_day"))
          for field in ("region_code", "province_code", "municipality_code", "barangay_code")],
        migrations.CreateModel(
            name="State",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generation", models.CharField(max_length=40, blank=True, default="")),
                ("key", models.CharField(max_length=120)),
                ("doc", models.JSONField()),
            ],
            options={"constraints": [models.UniqueConstraint(fields=["generation", "key"], name="one_state_per_key")]},
        ),
        migrations.CreateModel(
            name="LiveGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, blank=True, default="")),
            ],
        ),
    ]
