"""Re-assessment throughput: N synthetic households in the projection, 4PS and SOCPEN active, both programs
re-assessed from scratch (every household-program a new decision, with its events), then again (nothing
changes, nothing published). Prints household-program decisions per second.

Run on a database of its own (it empties eligibility's tables and the outbox):
  DATABASE_URL=postgres://.../dsrs_bench python manage.py bench_reassess --households 100000
"""

import random
import time
import uuid
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection

from dsrs.events.bulk import insert_objects
from dsrs.events.models import OutboxEvent
from eligibility.models import Assessment, Enrolment, EnrolmentChange, HouseholdFact, Program, ReassessmentJob
from eligibility.services import reassessment_run, reassessment_start

REGIONS = ["0100000000", "0300000000", "0400000000", "0700000000", "1100000000", "1300000000", "1900000000"]


def synthetic_households(count: int, seed: int = 13):
    rng = random.Random(seed)
    for _ in range(count):
        members = []
        for position in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 7, 8])):
            age = rng.randint(25, 85) if position == 0 else rng.randint(0, 80)
            members.append({"member_id": str(uuid.uuid4()), "birth_month": f"{2026 - age}-{rng.randint(1, 12):02d}",
                            "sex": rng.choice(["female", "male"]), "relationship": "head" if position == 0 else "child",
                            "has_disability": rng.random() < 0.05, "is_pregnant": False,
                            "attending_school": 5 <= age < 19 and rng.random() < 0.8,
                            "monthly_income": f"{rng.choice([0, 0, 0, 3000, 6000, 12000]):.2f}"})
        income = sum(Decimal(m["monthly_income"]) for m in members)
        region = rng.choice(REGIONS)
        yield HouseholdFact(household_id=uuid.uuid4(), version=1, status="active", region_code=region,
                            province_code="" if region == "1300000000" else region[:4] + "100000",
                            municipality_code=region[:4] + "101000", barangay_code=region[:4] + "101001",
                            household_size=len(members), monthly_income=income,
                            per_capita_income=(income / len(members)).quantize(Decimal("0.01")),
                            pmt_score=Decimal(f"{rng.random():.4f}"), pmt_model_version=1, members=members,
                            source_event_id=uuid.uuid4(), event_schema_version=3)


class Command(BaseCommand):
    help = "Benchmark re-assessment of two programs over N households (empties eligibility's tables)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--chunk", type=int, default=2000)

    def handle(self, *args, households, chunk, **options):
        for model in (EnrolmentChange, Enrolment, Assessment, ReassessmentJob, HouseholdFact, OutboxEvent):
            model.objects.all().delete()
        facts = list(synthetic_households(households))
        for start in range(0, len(facts), 10_000):
            insert_objects(facts[start:start + 10_000])
        Program.objects.filter(code__in=["4PS", "SOCPEN"]).update(status=Program.Status.ACTIVE)
        programs = list(Program.objects.filter(code__in=["4PS", "SOCPEN"]).select_related("current_rule_set"))
        criteria = {p.code: len(p.current_rule_set.criteria) + len(p.current_rule_set.exclusions) for p in programs}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"{households:,} households, programs {criteria} (criteria + exclusions), "
                          f"{connection.vendor}")
        for label in ("first pass (every decision new)", "second pass (nothing changes)"):
            start, decisions = time.perf_counter(), 0
            for program in programs:
                job = reassessment_run(job=reassessment_start(program=program, day=date.today()), chunk=chunk)
                decisions += job.decisions
            elapsed = time.perf_counter() - start
            evaluated = households * len(programs)
            self.stdout.write(f"{label}: {evaluated:,} household-program decisions in {elapsed:.1f} s = "
                              f"{evaluated / elapsed:,.0f}/s; {decisions:,} assessments made, "
                              f"{OutboxEvent.objects.count():,} events in the outbox")
