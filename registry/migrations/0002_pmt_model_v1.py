"""The first PMT model, active from the start so that households can be scored on day one.

Its weights are illustrative, in the shape of the Listahanan PMT (housing, water and sanitation,
electricity, assets, household composition); a supervisor reviews them in the admin and activates
a corrected copy as version 2.
"""

from decimal import Decimal

from django.db import migrations

INTERCEPT = "0.4500"
NATIONAL = {
    ("roof_material", "strong"): "0.05", ("roof_material", "mixed"): "0.02",
    ("roof_material", "light"): "-0.05", ("roof_material", "salvaged"): "-0.08",
    ("wall_material", "strong"): "0.05", ("wall_material", "mixed"): "0.02",
    ("wall_material", "light"): "-0.04", ("wall_material", "salvaged"): "-0.07",
    ("tenure", "owned"): "0.04", ("tenure", "amortized"): "0.05", ("tenure", "rented"): "0.02",
    ("tenure", "rent_free"): "-0.02", ("tenure", "informal"): "-0.06",
    ("water_source", "piped"): "0.04", ("water_source", "shared_tap"): "0.00",
    ("water_source", "protected_well"): "-0.01", ("water_source", "unprotected"): "-0.05",
    ("water_source", "bought"): "0.02",
    ("toilet_facility", "water_sealed"): "0.04", ("toilet_facility", "shared"): "-0.01",
    ("toilet_facility", "pit"): "-0.04", ("toilet_facility", "none"): "-0.08",
    ("has_electricity", "yes"): "0.02", ("has_electricity", "no"): "-0.06",
    ("asset", "television"): "0.02", ("asset", "refrigerator"): "0.05", ("asset", "washing_machine"): "0.05",
    ("asset", "aircon"): "0.10", ("asset", "computer"): "0.07", ("asset", "smartphone"): "0.01",
    ("asset", "motorcycle"): "0.04", ("asset", "car"): "0.12",
    ("household_size", ""): "-0.02", ("children_under_15", ""): "-0.02", ("seniors_60_plus", ""): "-0.01",
    ("members_with_disability", ""): "-0.02", ("earning_members", ""): "0.04",
}
# Where an indicator separates the poor less (or more) than nationally.
REGIONAL = {
    ("water_source", "piped", "1300000000"): "0.00",  # NCR: piped water is nearly universal
    ("has_electricity", "yes", "1300000000"): "0.00",
    ("has_electricity", "no", "1300000000"): "-0.10",
    ("roof_material", "light", "1900000000"): "-0.03",  # BARMM: light roofs are common across incomes
}


def create_model_v1(apps, schema_editor):
    PmtModel = apps.get_model("registry", "PmtModel")
    PmtWeight = apps.get_model("registry", "PmtWeight")
    if PmtModel.objects.exists():
        return
    model = PmtModel.objects.create(version=1, intercept=Decimal(INTERCEPT), status="active",
                                    description="Initial model (illustrative weights); review before use.")
    weights = [PmtWeight(model=model, indicator=i, option=o, region_code="", weight=Decimal(w))
               for (i, o), w in NATIONAL.items()]
    weights += [PmtWeight(model=model, indicator=i, option=o, region_code=r, weight=Decimal(w))
                for (i, o, r), w in REGIONAL.items()]
    PmtWeight.objects.bulk_create(weights)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(create_model_v1, migrations.RunPython.noop)]
