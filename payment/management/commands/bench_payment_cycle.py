"""A cycle of N enrolled households end to end: generate → approve → export → settle (simulated) → reconcile.

Seeds payment's own projections directly (N enrolled households with members) under a program of its
own, then runs the cycle as operators would (payment/runs.py) and prints each phase, the total and
the control-total check (batches = lines = files, to the centavo).
"""

import random
import time
import uuid
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from dsrs.events.bulk import insert_rows
from dsrs.events.models import OutboxEvent
from payment.models import (Batch, DisbursementFile, EnrolmentFact, Entitlement, Formula, FormulaComponent,
                            HouseholdFact, Payment, Program)
from payment.runs import backend_clock, cycle_run

REGIONS = ["0100000000", "0300000000", "0400000000", "0700000000", "1300000000"]


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


class Command(BaseCommand):
    help = "Time one payment cycle of N enrolled households (generate, approve, export, settle, reconcile)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100000)
        parser.add_argument("--fail-share", type=float, default=0.02)
        parser.add_argument("--return-share", type=float, default=0.005)
        parser.add_argument("--batch-size", type=int, default=10000)
        parser.add_argument("--workers", type=int, default=2,
                            help="processes running the steps of different batches at once (1: one at a time)")

    def handle(self, *args, households, fail_share, return_share, batch_size, workers, **options):
        if households < 1:
            raise CommandError("--households must be at least 1")
        code = f"B{uuid.uuid4().hex[:6].upper()}"
        self.stdout.write(f"bench_payment_cycle: {households} households, program {code}, "
                          f"database {connection.vendor}, {workers} worker(s)")
        self._say_what_the_database_holds()
        seeded = time.monotonic()
        self._seed(code, households, batch_size)
        self.stdout.write(f"seeded the projections in {time.monotonic() - seeded:.1f}s (not counted)")
        server_clock = backend_clock()
        started, load = time.monotonic(), _loadavg()
        run = cycle_run(program_code=code, on=date(2026, 12, 1), preparer="bench:preparer", approver="bench:approver",
                        fail_share=fail_share, return_share=return_share, retry=False, say=self.stdout.write,
                        server_clock=server_clock, workers=workers)
        total = time.monotonic() - started
        cycle = run.cycle
        batches = Batch.objects.filter(cycle=cycle).aggregate(t=Sum("total_centavos"))["t"]
        lines = Entitlement.objects.filter(cycle=cycle).aggregate(t=Sum("amount_centavos"))["t"]
        files = DisbursementFile.objects.filter(batch__cycle=cycle).aggregate(t=Sum("total_centavos"))["t"]
        statuses = dict(Payment.objects.filter(cycle=cycle).values_list("status").annotate(n=Sum(1)))
        self.stdout.write("phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in run.phases.items()))
        server = f", the database's {sum(run.server_cpu.values()):.1f}s" if run.server_cpu else ""
        self.stdout.write(f"total: {total:.1f}s for {households} households ({households / total:.0f} households/s); "
                          f"cpu: this process's {sum(run.cpu.values()):.1f}s{server}; load average {load} at start, "
                          f"{_loadavg()} at end")
        self.stdout.write(f"payments: {statuses}")
        exact = cycle.total_centavos == batches == lines == files
        self.stdout.write(f"control totals: cycle {cycle.total_centavos}, batches {batches}, entitlements {lines}, "
                          f"files {files} centavos: {'equal' if exact else 'NOT EQUAL'}")
        if not exact:
            raise CommandError("control totals differ")

    def _say_what_the_database_holds(self):
        """Each run leaves N entitlements and payments and 4N outbox rows (no relay sends them here), so a
        database of earlier runs has larger tables and indexes than a fresh one: said up front, so that a
        figure is read beside what it was measured on."""
        payments, unsent = Payment.objects.count(), OutboxEvent.objects.filter(sent_at__isnull=True).count()
        if payments or unsent:
            self.stdout.write(f"the database holds {payments} payments and {unsent} unsent outbox rows from earlier "
                              "work: figures compare only on a fresh database (docs/payment.md, Benchmarks)")

    @transaction.atomic
    def _seed(self, code, count, batch_size):
        template = Program.objects.get(code="4PS")
        program = Program.objects.create(code=code, name=f"benchmark {code}", currency="PHP", batch_size=batch_size,
                                         provider_code=template.provider_code, payer_identifier="BENCH")
        source = template.current_formula()
        formula = Formula.objects.create(program=program, version=1, base_centavos=source.base_centavos,
                                         household_cap_centavos=source.household_cap_centavos)
        for component in source.components.all():
            FormulaComponent.objects.create(formula=formula, **{k: v for k, v in component.as_data().items()},
                                            position=component.position)
        rng, today, now = random.Random(2026), date(2026, 11, 1), timezone.now()
        facts, enrolments = [], []
        for _ in range(count):
            household = uuid.uuid4()
            members = [{"relationship": "head", "age": 40, "birth_month": "1986-05", "attending_school": False,
                        "is_pregnant": False, "has_disability": False}]
            members += [{"relationship": "child", "age": age, "birth_month": f"{2026 - age}-06",
                         "attending_school": age >= 4, "is_pregnant": False, "has_disability": False}
                        for age in (rng.randrange(1, 18) for _ in range(rng.randrange(0, 5)))]
            facts.append((household, 1, members, today))
            enrolments.append((household, code, uuid.uuid4(), "enrolled", 1, "", today, rng.choice(REGIONS), "", "", "",
                               now))
        insert_rows(HouseholdFact, ("household_id", "version", "members", "observed_on"), facts)
        insert_rows(EnrolmentFact, ("household_id", "program_code", "enrolment_id", "status", "enrolment_version",
                                    "reason", "effective_on", "region_code", "province_code", "municipality_code",
                                    "barangay_code", "updated_at"), enrolments)
