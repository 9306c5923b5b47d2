"""The duplicate check's cost per registration as the registry grows (issue 12, item 4):

    manage.py bench_dedup --members 1000000

On a fresh PostgreSQL database `<DATABASE_URL's name>_dedup` (migrated; dropped and made again every
run), in `--barangays` barangays (200: about 5,000 people each at 1,000,000, a large barangay, so the
blocks are as full as the field's are), a quarter of the birth dates being the 1-January placeholder:

1. registers `--registrations` households through `registry.services.household_register` on the empty
   registry, timing each registration and the duplicate check within it;
2. loads `--members` members (and their households) with COPY: no history, events or encryption, so a
   million rows take a minute or two (they are the earlier records the check searches, nothing else);
3. registers `--registrations` more and times them again; and times, for the same new members, the
   check's search as it was before issue 12 (same barangay and birth date through the household,
   every match compared), at both sizes.
"""

import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from dsrs.events.bulk import insert_rows
from registry import dedup, geography, services
from registry.demo import FAMILY, GIVEN
from registry.models import DuplicateCandidate, Household, Member, member_match_key

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
HOUSEHOLD_COLUMNS = ("id", "household_number", "head_of_household_name", "address", "region_code", "province_code",
                     "municipality_code", "barangay_code", "roof_material", "wall_material", "tenure", "water_source",
                     "toilet_facility", "has_electricity", "assets", "household_size", "monthly_income",
                     "per_capita_income", "pmt_score", "pmt_model_version", "phone_index", "payout_account_index",
                     "status", "status_reason", "version", "created_at", "updated_at")
MEMBER_COLUMNS = ("id", "household_id", "given_name", "middle_name", "family_name", "suffix", "sex", "birth_date",
                  "relationship", "civil_status", "has_disability", "is_pregnant", "attending_school", "emancipated",
                  "occupation", "monthly_income", "philsys_index", "match_key", "created_at", "updated_at")


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _ms(values):
    values = sorted(values)
    if not values:
        return "n/a"
    p95 = values[min(len(values) - 1, int(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, mean {statistics.mean(values) * 1000:.1f} ms"


class People:
    """Households of 1 to 6 in the chosen barangays; a quarter of the birth dates are 1 January."""

    def __init__(self, seed: int, barangays: list[str]):
        self.rng, self.barangays = random.Random(seed), barangays
        self.today = date.today()

    def born(self) -> date:
        day = self.today - timedelta(days=self.rng.randint(365, 85 * 365))
        return date(day.year, 1, 1) if self.rng.random() < 0.25 else day

    def member(self, relationship: str, family: str) -> dict:
        sex = self.rng.choice(["female", "male"])
        born = self.born()
        if relationship == "head":
            born = min(born, date(self.today.year - 20, 1, 1))
        return {"given_name": self.rng.choice(GIVEN[sex]), "middle_name": self.rng.choice(FAMILY),
                "family_name": family, "suffix": "", "sex": sex, "birth_date": born, "relationship": relationship,
                "civil_status": "married" if relationship in ("head", "spouse") else "single",
                "has_disability": False, "is_pregnant": False, "attending_school": False, "emancipated": False,
                "occupation": "", "monthly_income": Decimal(0), "philsys_number": ""}

    def household(self) -> tuple[dict, list[dict]]:
        where = geography.locate(self.rng.choice(self.barangays))
        family = self.rng.choice(FAMILY)
        size = self.rng.randint(1, 6)
        members = [self.member("head", family)]
        members += [self.member("spouse" if n == 0 else "other_relative", family) for n in range(size - 1)]
        for m in members[1:]:
            if m["birth_date"] > self.today - timedelta(days=18 * 365):
                m["civil_status"] = "single"
        household = {"address": f"Purok {self.rng.randint(1, 40)}", "region_code": where.region_code,
                     "province_code": where.province_code, "municipality_code": where.municipality_code,
                     "barangay_code": where.barangay_code, "roof_material": "light", "wall_material": "light",
                     "tenure": "informal", "water_source": "shared_tap", "toilet_facility": "shared",
                     "has_electricity": True, "assets": [], "phone_number": "", "payout_account": ""}
        return household, members


class Command(BaseCommand):
    help = "Time the duplicate check per registration on an empty registry and on one of --members members."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--barangays", type=int, default=200)
        parser.add_argument("--registrations", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, members, barangays, registrations, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_dedup runs on PostgreSQL: set DATABASE_URL")
        self._fresh_database()
        every = sorted(code for code, area in geography.areas().items() if area.kind == "barangay")
        chosen = random.Random(seed).sample(every, min(barangays, len(every)))
        self.stdout.write(f"bench_dedup: {_load()}; {len(chosen)} barangays, 25 % of birth dates 1 January")
        people = People(seed, chosen)
        self._measure("empty registry", people, registrations)
        started = time.monotonic()
        loaded = self._bulk_load(People(seed + 1, chosen), members)
        self.stdout.write(f"loaded {loaded:,} members in {time.monotonic() - started:.0f} s ({_load()})")
        self._measure(f"{Member.objects.count():,} members", people, registrations)

    def _fresh_database(self):
        params = connection.settings_dict
        name = f"{params['NAME']}_dedup"
        with psycopg.connect(host=params["HOST"], port=params["PORT"], user=params["USER"],
                             password=params["PASSWORD"], dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}/{name}"
        subprocess.run([sys.executable, MANAGE, "migrate", "--no-input", "-v", "0"],
                       env=dict(os.environ, DATABASE_URL=url), check=True)
        connection.close()
        connection.settings_dict["NAME"] = name
        settings.EVENTS_TRANSPORT = "local"

    def _measure(self, title: str, people: People, count: int):
        checks, total, old = [], [], []
        real = dedup.flag_probable_duplicates
        timing = {}

        def timed(new_members):
            started = time.perf_counter()
            try:
                return real(new_members)
            finally:
                timing["check"] = time.perf_counter() - started
                timing["members"] = list(new_members)

        dedup.flag_probable_duplicates = timed
        flags_before = DuplicateCandidate.objects.count()
        try:
            for _ in range(count):
                household, members = people.household()
                started = time.perf_counter()
                services.household_register(household=household, members=members, reason="bench_dedup")
                total.append(time.perf_counter() - started)
                checks.append(timing["check"])
                old.append(self._old_search(timing["members"]))
        finally:
            dedup.flag_probable_duplicates = real
        flags = DuplicateCandidate.objects.count() - flags_before
        self.stdout.write(f"\n{title} ({_load()}):\n  registration: {_ms(total)}\n  duplicate check: {_ms(checks)}"
                          f"\n  the check's search before issue 12 (query and comparisons, no writes): {_ms(old)}"
                          f"\n  review rows added: {flags}")

    @staticmethod
    def _old_search(members) -> float:
        """The search of the check as it was: every member of the barangay with the birth date, compared."""
        started = time.perf_counter()
        keys = {(m.birth_date, m.household.barangay_code) for m in members}
        rows = (Member.objects.filter(birth_date__any_of={d for d, _ in keys},
                                      household__barangay_code__any_of={b for _, b in keys})
                .exclude(household__id__any_of={m.household_id for m in members}).order_by()
                .values_list("given_name", "middle_name", "family_name", "birth_date", "household__barangay_code"))
        for given, middle, family, born, barangay in rows:
            if (born, barangay) in keys:
                for m in members:
                    dedup.name_similarity(m.full_name, " ".join(p for p in (given, middle, family) if p))
        return time.perf_counter() - started

    def _bulk_load(self, people: People, target: int) -> int:
        now = timezone.now() - timedelta(days=1)  # earlier than every registration measured afterwards
        loaded, households, members = 0, [], []

        def flush():
            insert_rows(Household, HOUSEHOLD_COLUMNS, households)
            insert_rows(Member, MEMBER_COLUMNS, members)
            households.clear()
            members.clear()

        while loaded < target:
            household, roster = people.household()
            household_id = uuid.uuid4()
            head = roster[0]
            households.append((household_id, f"HH-{household_id.hex[:12].upper()}",
                               f"{head['given_name']} {head['family_name']}", household["address"],
                               household["region_code"], household["province_code"], household["municipality_code"],
                               household["barangay_code"], "light", "light", "informal", "shared_tap", "shared", True,
                               [], len(roster), Decimal(0), Decimal(0), Decimal("0.3000"), 1, "", "", "active", "", 1,
                               now, now))
            for m in roster:
                members.append((uuid.uuid4(), household_id, m["given_name"], m["middle_name"], m["family_name"], "",
                                m["sex"], m["birth_date"], m["relationship"], m["civil_status"], False, False, False,
                                False, "", Decimal(0), "",
                                member_match_key(m_obj(m), barangay_code=household["barangay_code"]), now, now))
            loaded += len(roster)
            if len(members) >= 20000:
                flush()
                self.stdout.write(f"  {loaded:,} members", ending="\r")
        flush()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_household")
            cursor.execute("ANALYZE registry_member")
        return loaded


class m_obj:  # noqa: N801  (a member dict read as the key function reads a member)
    def __init__(self, values):
        self.birth_date, self.family_name = values["birth_date"], values["family_name"]
