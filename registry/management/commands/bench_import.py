import csv
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dsrs.events.models import OutboxEvent
from registry import geography
from registry.importing import COLUMNS, households_import
from registry.models import Asset, RoofMaterial, Tenure, ToiletFacility, WallMaterial, WaterSource

GIVEN = {"female": ["Maria", "Ana", "Rosa", "Luz", "Elena", "Teresita", "Josephine", "Cristina", "Marites", "Liza",
                    "Rowena", "Jocelyn", "Maricel", "Angelica", "Princess", "Kimberly"],
         "male": ["Jose", "Juan", "Pedro", "Ramon", "Carlos", "Danilo", "Rodrigo", "Ernesto", "Romeo", "Noel",
                  "Mark", "John Paul", "Christian", "Jerome", "Rommel", "Bong"]}
FAMILY = ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva",
          "Dela Cruz", "Ramos", "Aquino", "Castillo", "Rivera", "Gonzales", "Lopez", "Fernandez", "Navarro", "Pascual"]
PLACES = ["Purok {n}", "Sitio Malinis {n}", "Zone {n}", "Blk {n} Lot 4", "{n} Rizal St.", "{n} Mabini St."]
OCCUPATIONS = ["farmer", "fisherfolk", "vendor", "driver", "laborer", "housekeeper", "carpenter", ""]
# Members per household, 1 to 8: about 3.5 on average.
SIZES, SIZE_WEIGHTS = range(1, 9), [12, 20, 22, 19, 13, 7, 4, 3]


class SyntheticFile:
    """Households as a field office's file has them: real barangays, plausible families."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.barangays = sorted(code for code, area in geography.areas().items() if area.kind == "barangay")
        self.numbers = set()
        self.today = date.today()

    def _born(self, low: int, high: int) -> str:
        return (self.today - timedelta(days=self.rng.randint(low * 365 + 1, high * 365 + 300))).isoformat()

    def _philsys(self) -> str:
        while (number := f"{self.rng.randrange(10 ** 11, 10 ** 12)}") in self.numbers:
            pass
        self.numbers.add(number)
        return number

    def _member(self, relationship: str, family: str, *, adult: bool) -> dict:
        rng = self.rng
        sex = rng.choice(["female", "male"])
        if relationship == "child":
            born, civil = self._born(0, 25), "single"
        elif relationship == "parent":
            born, civil = self._born(60, 85), "widowed"
        else:
            born, civil = self._born(20, 70), rng.choice(["married", "live_in", "single", "widowed", "separated"])
        earning = adult and rng.random() < 0.6
        return {"given_name": rng.choice(GIVEN[sex]), "middle_name": rng.choice(FAMILY), "family_name": family,
                "suffix": "", "sex": sex, "birth_date": born, "relationship": relationship, "civil_status": civil,
                "has_disability": "yes" if rng.random() < 0.04 else "no", "is_pregnant": "no",
                "attending_school": "yes" if relationship == "child" and rng.random() < 0.7 else "no",
                "occupation": rng.choice(OCCUPATIONS) if earning else "",
                "monthly_income": f"{rng.randrange(1000, 15000, 250)}.00" if earning else "0",
                "philsys_number": self._philsys() if adult and rng.random() < 0.85 else ""}

    def household_rows(self, reference: str) -> list[dict]:
        rng = self.rng
        where = geography.locate(rng.choice(self.barangays))
        household = {
            "household_ref": reference, "address": rng.choice(PLACES).format(n=rng.randint(1, 40)),
            "region_code": where.region_code, "province_code": where.province_code,
            "municipality_code": where.municipality_code, "barangay_code": where.barangay_code,
            "roof_material": rng.choice(RoofMaterial.values), "wall_material": rng.choice(WallMaterial.values),
            "tenure": rng.choice(Tenure.values), "water_source": rng.choice(WaterSource.values),
            "toilet_facility": rng.choice(ToiletFacility.values), "has_electricity": rng.choice(["yes", "no"]),
            "assets": ";".join(rng.sample(Asset.values, rng.randint(0, 3))),
            "phone_number": f"09{rng.randrange(10 ** 9):09d}" if rng.random() < 0.7 else "",
            "payout_account": f"{rng.randrange(10 ** 11):012d}" if rng.random() < 0.3 else "",
        }
        family = rng.choice(FAMILY)
        size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        kin = ["spouse"] + ["child"] * 6 + ["parent", "grandchild", "sibling"]
        relationships = ["head", *[rng.choice(kin) if n else "spouse" for n in range(size - 1)]]
        members = [self._member(relationship, family, adult=relationship not in ("child", "grandchild"))
                   for relationship in relationships]
        # Only the first row carries the household's columns, as many offices send them.
        return [{**(household if n == 0 else {"household_ref": reference}), **member}
                for n, member in enumerate(members)]

    def write(self, path: Path, households: int) -> int:
        rows = 0
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for number in range(households):
                for row in self.household_rows(f"BENCH-{number:07d}"):
                    writer.writerow(row)
                    rows += 1
        return rows


class Command(BaseCommand):
    help = ("Benchmark the bulk import: write a synthetic CSV of households and import it as "
            "`import_households` does. Run it on PostgreSQL, in a fresh database for comparable figures.")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--keep-file", action="store_true", help="keep the generated CSV and say where")

    def handle(self, *args, households: int, seed: int, chunk_size: int, keep_file: bool, **options):
        if households < 1:
            raise CommandError("--households must be at least 1.")
        folder = Path(tempfile.mkdtemp(prefix="bench_import_"))
        path = folder / f"bench-{households}-{seed}.csv"
        rows = SyntheticFile(seed).write(path, households)
        self.stdout.write(f"database: {connection.vendor}; file: {rows} rows ({path.stat().st_size / 1e6:.1f} MB)")
        outbox_before = OutboxEvent.objects.count()
        started = time.perf_counter()
        with path.open("rb") as file:
            summary = households_import(file=file, file_name=path.name, chunk_size=chunk_size)
        elapsed = time.perf_counter() - started
        outbox_rows = OutboxEvent.objects.count() - outbox_before
        self.stdout.write(
            f"households created: {summary.households_created} "
            f"(already imported {summary.households_already_imported}, rejected {summary.households_rejected}), "
            f"member rows: {summary.rows}, "
            f"probable duplicates flagged: {summary.duplicates_flagged}\n"
            f"outbox rows: {outbox_rows}\n"
            f"elapsed: {elapsed:.1f} s\n"
            f"households/s: {summary.households_created / elapsed:,.0f}\n"
            f"member rows/s: {summary.rows / elapsed:,.0f}")
        if keep_file:
            self.stdout.write(f"file kept: {path}")
        else:
            path.unlink()
            folder.rmdir()
