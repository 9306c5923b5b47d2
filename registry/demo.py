"""Synthetic households for demos and benchmarks: real barangays, plausible families, no real people."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from . import geography
from .models import Asset, RoofMaterial, Tenure, ToiletFacility, WallMaterial, WaterSource

GIVEN = {"female": ["Maria", "Ana", "Rosa", "Luz", "Elena", "Teresita", "Josefina", "Liza", "Cristina", "Marites",
                    "Jocelyn", "Rowena", "Angelica", "Princess", "Mary Grace"],
         "male": ["Jose", "Juan", "Pedro", "Ramon", "Carlos", "Danilo", "Rodrigo", "Ernesto", "Mark", "John Paul",
                  "Romeo", "Arnel", "Rommel", "Jerome", "Christian"]}
FAMILY = ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva",
          "Dela Cruz", "Ramos", "Aquino", "Castillo", "Navarro", "Domingo", "Mercado", "Aguilar", "Pascual", "Salazar"]
PLACES = ["Purok 3", "Sitio Malinis", "Zone 5", "Blk 12 Lot 4", "Purok 1", "Sitio Centro", "Purok 7"]
OCCUPATIONS = ["farmer", "fisherfolk", "vendor", "driver", "construction worker", "laundry worker", "carpenter"]


@cache
def _barangays() -> list[str]:
    return sorted(code for code, area in geography.areas().items() if area.kind == "barangay")


def _adult_birth_date(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low * 365 + 1, high * 365 - 1))


def _member(rng, today, *, relationship, sex, family, low, high, philsys=None, max_income=12000) -> dict:
    birth_date = _adult_birth_date(rng, today, low, high)
    adult = low >= 18
    income = Decimal(rng.randrange(0, max_income, 250)) if adult and rng.random() < 0.6 else Decimal(0)
    return {"given_name": rng.choice(GIVEN[sex]), "middle_name": rng.choice(FAMILY), "family_name": family,
            "suffix": "", "sex": sex, "birth_date": birth_date, "relationship": relationship,
            "civil_status": "married" if relationship in ("head", "spouse") else "single",
            "has_disability": rng.random() < 0.03, "is_pregnant": False, "attending_school": 5 <= (today - birth_date).days // 365 <= 18,
            "occupation": rng.choice(OCCUPATIONS) if income else "", "monthly_income": income,
            "philsys_number": philsys or ""}


def demo_household(rng: random.Random, *, philsys_base: int | None = None, today: date | None = None,
                   poor: bool | None = None):
    """A household and its members (1 to 8) as the registry's services take them; poor (below the
    default program's thresholds) if `poor`, six times in ten if None. With `philsys_base`, adults get
    PhilSys numbers philsys_base, philsys_base + 1, ... (unique if the bases are 10 apart)."""
    today = today or date.today()
    poor = rng.random() < 0.6 if poor is None else poor
    max_income = 5000 if poor else 12000
    location = geography.locate(rng.choice(_barangays()))
    family = rng.choice(FAMILY)
    head_sex = rng.choice(["female", "male"])
    numbers = iter(range(philsys_base, philsys_base + 10)) if philsys_base is not None else None
    number = (lambda: f"{next(numbers):012d}") if numbers else (lambda: "")
    members = [_member(rng, today, relationship="head", sex=head_sex, family=family, low=22, high=75,
                       philsys=number(), max_income=max_income)]
    if rng.random() < 0.7:
        members.append(_member(rng, today, relationship="spouse", sex="male" if head_sex == "female" else "female",
                               family=family, low=20, high=70, philsys=number(),
                               max_income=max_income))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 5])):
        members.append(_member(rng, today, relationship="child", sex=rng.choice(["female", "male"]), family=family,
                               low=0, high=18))
    household = {
        "address": f"{rng.choice(PLACES)}, {geography.name_of(location.barangay_code)}",
        "region_code": location.region_code, "province_code": location.province_code,
        "municipality_code": location.municipality_code, "barangay_code": location.barangay_code,
        "roof_material": RoofMaterial.LIGHT if poor else rng.choice(RoofMaterial.values),
        "wall_material": WallMaterial.LIGHT if poor else rng.choice(WallMaterial.values),
        "tenure": rng.choice([Tenure.INFORMAL, Tenure.RENT_FREE]) if poor else rng.choice(Tenure.values),
        "water_source": rng.choice(WaterSource.values),
        "toilet_facility": rng.choice([ToiletFacility.PIT, ToiletFacility.NONE]) if poor
        else rng.choice(ToiletFacility.values),
        "has_electricity": not poor or rng.random() < 0.5,
        "assets": [] if poor else rng.sample(Asset.values, rng.randint(0, 4)),
        "phone_number": f"09{rng.randint(100000000, 999999999)}" if rng.random() < 0.8 else "",
        "payout_account": "",
    }
    return household, members
