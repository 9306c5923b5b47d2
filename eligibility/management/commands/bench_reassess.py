"""Re-assessment throughput: N synthetic households in the projection, 4PS and SOCPEN active, both programs
re-assessed from scratch (every household-program a new decision, with its events), then again the same
day (a decision made today on the same facts and rules is not evaluated again), then on the next day
(ages are computed for another day, so every household is evaluated; nothing changes, nothing published). Prints household-program decisions per second, and the CPU time per decision
of the re-assessing processes and of their PostgreSQL backends (read from /proc when the server runs on
this machine), which a shared machine's load does not inflate the way it inflates wall time.

`--workers 2` (the default on PostgreSQL) re-assesses the two programs at once, each job in a forked
process with its own connection, as two Celery workers would after two publications; each job is the
same resumable, exactly-once `ReassessmentJob` as alone. `--workers 1` runs them one after the other.

Run on a database of its own (it empties eligibility's tables and the outbox):
  DATABASE_URL=postgres://.../dsrs_bench python manage.py bench_reassess --households 100000
"""

import multiprocessing
import os
import random
import resource
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, connections

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


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend, if its /proc entry is readable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reassess(code_chunk_day: tuple[str, int, date]) -> tuple[int, float, float | None, float]:
    """Re-assess one program from a new job: (decisions made, CPU seconds of this process, of its backend,
    wall seconds, each chunk's wall seconds)."""
    code, chunk, day = code_chunk_day
    start = time.perf_counter()
    cpu, backend = _own_cpu(), _backend_cpu() if connection.vendor == "postgresql" else None
    try:
        program = Program.objects.select_related("current_rule_set").get(code=code)
        ends = [time.perf_counter()]
        job = reassessment_run(job=reassessment_start(program=program, day=day), chunk=chunk,
                               progress=lambda job: ends.append(time.perf_counter()))
        after = _backend_cpu() if backend is not None else None
        chunks = [b - a for a, b in zip(ends, ends[1:])][:-1]  # the last call is the job's end, no chunk
        return (job.decisions, _own_cpu() - cpu, None if after is None else after - backend,
                time.perf_counter() - start, chunks)
    finally:
        if multiprocessing.parent_process() is not None:
            connections.close_all()


def _reassess_all(codes: list[str], chunk: int, day: date, workers: int) -> list[tuple]:
    if workers <= 1:
        return [_reassess((code, chunk, day)) for code in codes]
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(min(workers, len(codes))) as pool:
        return pool.map(_reassess, [(code, chunk, day) for code in codes], chunksize=1)


class Command(BaseCommand):
    help = "Benchmark re-assessment of two programs over N households (empties eligibility's tables)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--chunk", type=int, default=2000)
        parser.add_argument("--workers", type=int, default=None,
                            help="programs re-assessed at once, each in its own process (default: 2 on "
                                 "PostgreSQL, 1 elsewhere)")

    def handle(self, *args, households, chunk, workers, **options):
        if workers is None:
            workers = 2 if connection.vendor == "postgresql" else 1
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
                          f"{connection.vendor}, {min(workers, len(programs))} process(es), load "
                          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        today = date.today()
        for label, day in (("first pass (every decision new)", today),
                           ("second pass, same day (nothing changes; today's decisions stand)", today),
                           ("third pass, next day (nothing changes; every household evaluated again)",
                            today + timedelta(days=1))):
            start = time.perf_counter()
            runs = _reassess_all([p.code for p in programs], chunk, day, workers)
            elapsed = time.perf_counter() - start
            decisions = sum(run[0] for run in runs)
            cpu = sum(run[1] for run in runs)
            backends = [run[2] for run in runs]
            evaluated = households * len(programs)
            backend = "" if None in backends else f", PostgreSQL {sum(backends) / evaluated * 1e6:.0f} µs"
            self.stdout.write(f"{label}: {evaluated:,} household-program decisions in {elapsed:.1f} s = "
                              f"{evaluated / elapsed:,.0f}/s; {decisions:,} assessments made, "
                              f"{OutboxEvent.objects.count():,} events in the outbox; CPU per decision: "
                              f"Python {cpu / evaluated * 1e6:.0f} µs{backend}; jobs "
                              f"{', '.join(f'{p.code} {run[3]:.1f} s' for p, run in zip(programs, runs))}; load "
                              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for program, run in zip(programs, runs):
                chunks = run[4]
                self.stdout.write(f"  {program.code}: {len(chunks)} chunks of {chunk:,}, the first five "
                                  f"{' '.join(f'{t:.2f}' for t in chunks[:5])} s, the last five "
                                  f"{' '.join(f'{t:.2f}' for t in chunks[-5:])} s")
