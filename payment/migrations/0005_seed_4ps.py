"""Payment's record of the 4PS program and its entitlement formula v1 (amounts in centavos per month).

A 4Ps-like formula: a health grant per household, an education grant per child in school aged 3 to
18 (at most three children), a grant for a pregnant member (at most one), capped per household.
"""

from django.db import migrations

COMPONENTS = [
    {"position": 1, "code": "education", "label": "Education grant per child in school (3-18), up to three",
     "amount_centavos": 30000, "max_members": 3, "relationships": ["child", "grandchild"], "min_age": 3,
     "max_age": 18, "attending_school": True},
    {"position": 2, "code": "first-1000-days", "label": "Grant for a pregnant member, one per household",
     "amount_centavos": 30000, "max_members": 1, "is_pregnant": True},
]


def seed_programs(apps, schema_editor):
    Program, Formula, FormulaComponent = (apps.get_model("payment", name) for name in
                                          ("Program", "Formula", "FormulaComponent"))
    program, _ = Program.objects.get_or_create(code="4PS", defaults={
        "name": "Pantawid Pamilyang Pilipino Program", "currency": "PHP", "schedule": "monthly", "due_days": 15,
        "provider_code": "mifos-csv", "payer_identifier": "4PS-DISBURSEMENT-001", "payee_dfsp_id": "lbp",
        "batch_size": 5000, "max_attempts": 3})
    formula, created = Formula.objects.get_or_create(program=program, version=1, defaults={
        "base_centavos": 75000, "household_cap_centavos": 180000,
        "note": "health grant 750.00 per household; education 300.00 per child in school, up to 3; "
                "300.00 for a pregnant member; at most 1,800.00 a month"})
    if created:
        for component in COMPONENTS:
            FormulaComponent.objects.create(formula=formula, **component)


class Migration(migrations.Migration):
    dependencies = [("payment", "0004_lifecycle")]

    operations = [migrations.RunPython(seed_programs, migrations.RunPython.noop)]
