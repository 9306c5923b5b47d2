"""Synthetic households for demos and benchmarks, as a field office's file has them: real barangays,
plausible families (1 to 8 members, about 3.5), no real people."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from . import geography
from .models import Asset, RoofMaterial, Tenure, ToiletFacility, WallMaterial, WaterSource

GIVEN = {"female": ["Maria", "Ana", "Rosa", "Luz", "Elena", "Teresita", "Josephine", "Cristina", "Marites", "Liza",
                    "Rowena", "Jocelyn", "Maricel", "Angelica", "Princess", "Kimberly"],
         "male": ["Jose", "Juan", "Pedro", "Ramon", "Carlos", "Danilo", "Rodrigo", "Ernesto", "Romeo", "Noel",
                  "Mark", "John Paul", "Christian", "Jerome", "Rommel", "Bong"]}
FAMILY = ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva",
          "Dela Cruz", "Ramos", "Aquino", "Castillo", "Rivera", "Gonzales", "Lopez", "Fernandez", "Navarro", "Pascual"]
PLACES = ["Purok {n}", "Sitio Malinis {n}", "Zone {n}", "Blk {n} Lot 4", "{n} Rizal St.", "{n} Mabini St."]
OCCUPATIONS = ["farmer", "fisherfolk", "vendor", "driver", "laborer", "housekeeper", "carpenter", ""]
SIZES, SIZE_WEIGHTS = range(1, 9), [12, 20, 22, 19, 13, 7, 4, 3]
KIN = ["spouse"] + ["child"] * 6 + ["parent", "grandchild", "sibling"]
CIVIL = ["married", "live_in", "single", "widowed", "separated"]


@cache
def _barangays() -> list[str]:
    return sorted(code for code, area in geography.areas().items() if area.kind == "barangay")


class Households:
    """A reproducible stream of households as the registry's services take them (typed values).
    `poor=True` keeps every one under the default program's thresholds (PMT score and income)."""

    def __init__(self, seed: int, *, poor: bool = False, philsys_numbers: bool = True):
        self.rng, self.poor, self.with_numbers = random.Random(seed), poor, philsys_numbers
        self.numbers: set[str] = set()
        self.today = date.today()

    def _born(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low * 365 + 1, high * 365 + 300))

    def _philsys(self) -> str:
        while (number := f"{self.rng.randrange(10 ** 11, 10 ** 12)}") in self.numbers:
            pass
        self.numbers.add(number)
        return number

    def _member(self, relationship: str, family: str) -> dict:
        rng, adult = self.rng, relationship not in ("child", "grandchild")
        sex = rng.choice(["female", "male"])
        if relationship in ("child", "grandchild"):
            born, civil = self._born(0, 25 if relationship == "child" else 12), "single"
        elif relationship == "parent":
            born, civil = self._born(60, 85), "widowed"
        else:
            born, civil = self._born(20, 70), rng.choice(CIVIL)
        # A poor household's income stays under the default program's ceiling: the couple earns, at most.
        earning = rng.random() < 0.6 and (relationship in ("head", "spouse") if self.poor else adult)
        income = Decimal(rng.randrange(1000, 3000 if self.poor else 15000, 250)) if earning else Decimal(0)
        return {"given_name": rng.choice(GIVEN[sex]), "middle_name": rng.choice(FAMILY), "family_name": family,
                "suffix": "", "sex": sex, "birth_date": born, "relationship": relationship, "civil_status": civil,
                "has_disability": rng.random() < 0.04, "is_pregnant": False,
                "attending_school": relationship == "child" and rng.random() < 0.7,
                "occupation": rng.choice(OCCUPATIONS) if earning else "", "monthly_income": income,
                "philsys_number": self._philsys() if self.with_numbers and adult and rng.random() < 0.85 else ""}

    def next(self) -> tuple[dict, list[dict]]:
        rng = self.rng
        where = geography.locate(rng.choice(_barangays()))
        poor = self.poor
        household = {
            "address": rng.choice(PLACES).format(n=rng.randint(1, 40)),
            "region_code": where.region_code, "province_code": where.province_code,
            "municipality_code": where.municipality_code, "barangay_code": where.barangay_code,
            "roof_material": RoofMaterial.LIGHT if poor else rng.choice(RoofMaterial.values),
            "wall_material": WallMaterial.LIGHT if poor else rng.choice(WallMaterial.values),
            "tenure": rng.choice([Tenure.INFORMAL, Tenure.RENT_FREE]) if poor else rng.choice(Tenure.values),
            "water_source": WaterSource.UNPROTECTED if poor else rng.choice(WaterSource.values),
            "toilet_facility": ToiletFacility.NONE if poor else rng.choice(ToiletFacility.values),
            "has_electricity": rng.random() < 0.5,
            "assets": [] if poor else rng.sample(Asset.values, rng.randint(0, 3)),
            "phone_number": f"09{rng.randrange(10 ** 9):09d}" if rng.random() < 0.7 else "",
            "payout_account": f"{rng.randrange(10 ** 11):012d}" if rng.random() < 0.3 else "",
        }
        family = rng.choice(FAMILY)
        size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        relationships = ["head", *[rng.choice(KIN) if n else "spouse" for n in range(size - 1)]]
        return household, [self._member(relationship, family) for relationship in relationships]
