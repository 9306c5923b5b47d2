"""Time eligibility's consumer batch handler in process: N household events (contract v3, as the registry
publishes them) through `on_households_changed` in batches, each in its own transaction as the consumer
runtime runs them; projection, assessments, enrolments and outbox rows included. Programs as seeded
(4PS active, as in `make bench`); `--socpen` activates SOCPEN too.

Run on a database of its own (it empties eligibility's tables and the outbox):
  DATABASE_URL=postgres://.../dsrs_elig python manage.py bench_consumer --events 20000 --batch 500
"""

import random
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from dsrs.events import Event
from dsrs.events.contracts import validate
from dsrs.events.envelope import SCHEMA_URN
from dsrs.events.models import OutboxEvent
from eligibility.handlers import on_households_changed
from eligibility.models import Assessment, Enrolment, EnrolmentChange, HouseholdFact, Program, ReassessmentJob

REGIONS = ["0100000000", "0300000000", "0400000000", "0700000000", "1100000000", "1300000000", "1900000000"]
REGISTERED = "registry.household.registered"


def household_data(rng: random.Random, number: int) -> dict:
    members = []
    for position in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 7, 8])):
        age = rng.randint(25, 85) if position == 0 else rng.randint(0, 80)
        members.append({"member_id": str(uuid.uuid4()), "age": age, "birth_month": f"{2026 - age}-{rng.randint(1, 12):02d}",
                        "sex": rng.choice(["female", "male"]), "relationship": "head" if position == 0 else "child",
                        "has_disability": rng.random() < 0.05, "is_pregnant": False,
                        "attending_school": 5 <= age < 19 and rng.random() < 0.8,
                        "monthly_income": f"{rng.choice([0, 0, 0, 3000, 6000, 12000]):.2f}"})
    income = sum(float(m["monthly_income"]) for m in members)
    region = rng.choice(REGIONS)
    return {"household_id": str(uuid.uuid4()), "household_number": f"HH-{number:08d}", "version": 1,
            "status": "active", "region_code": region,
            "province_code": "" if region == "1300000000" else region[:4] + "100000",
            "municipality_code": region[:4] + "101000", "barangay_code": region[:4] + "101001",
            "pmt_score": round(rng.random(), 4), "pmt_model_version": 1, "members": members,
            "household_size": len(members), "monthly_income": f"{income:.2f}",
            "per_capita_income": f"{income / len(members):.2f}"}


def household_events(count: int, seed: int = 13) -> list[Event]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        data = household_data(rng, number)
        if number == 0:
            validate(REGISTERED, 3, data)
        made.append(Event(type=REGISTERED, subject=data["household_id"], data=data, source="dsrs",
                          dataschema=SCHEMA_URN.format(type=REGISTERED, version=3)))
    return made


class Command(BaseCommand):
    help = "Benchmark eligibility's household-event batch handler in process (empties eligibility's tables)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=20_000)
        parser.add_argument("--batch", type=int, default=500, help="events per batch (the consumer's batch size)")
        parser.add_argument("--socpen", action="store_true", help="SOCPEN active too (two programs)")

    def handle(self, *args, events, batch, socpen, **options):
        for model in (EnrolmentChange, Enrolment, Assessment, ReassessmentJob, HouseholdFact, OutboxEvent):
            model.objects.all()._raw_delete(model.objects.db)
        Program.objects.filter(code="SOCPEN").update(
            status=Program.Status.ACTIVE if socpen else Program.Status.DRAFT)
        made = household_events(events)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        start = time.perf_counter()
        for first in range(0, len(made), batch):
            with transaction.atomic():
                on_households_changed(made[first:first + batch])
        elapsed = time.perf_counter() - start
        self.stdout.write(f"{events:,} household events in batches of {batch} through eligibility's handler in "
                          f"{elapsed:.1f} s = {events / elapsed:,.0f} events/s ({connection.vendor}); "
                          f"{Assessment.objects.count():,} assessments, {Enrolment.objects.count():,} enrolments, "
                          f"{OutboxEvent.objects.count():,} events in the outbox")
