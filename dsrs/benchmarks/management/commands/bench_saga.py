"""End-to-end throughput and latency of the saga, on the transport of your choice, in two phases.

Starts the relay and one process per consumer group as subprocesses (as production runs them).
Phase 1: registers N households through the registry's bulk service and waits until analytics counts
every one assessed and payment's projection knows every enrolment. Phase 2: runs one payment cycle
for the enrolled households (generate, approve by a second officer, export, simulated provider,
reconcile; payment/runs.py) and waits until analytics counts every payment paid. Phase 3 (`--rescore`,
issue 14 item 6), a national-style re-assessment: a new PMT model that scores every household non-poor
is activated, every household of the run is rescored (registry), re-decided (eligibility) and its new
decision counted (analytics); it ends when analytics counts no approved household left. The original
model is then made active again (as a new version), so later runs score as before.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from analytics.selectors import summary_get
from dsrs.benchmarks import cpu
from dsrs.benchmarks.databases import database_create, database_env, use_database
from dsrs.benchmarks.processes import free_port, wait_until_ready
from dsrs.events import registry
from payment.models import EnrolmentFact
from payment.runs import cycle_run
from registry import services as registry_services
from registry.demo import Households

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


class Command(BaseCommand):
    help = "Register N households and measure households/s end to end and register→paid latency."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20000)
        parser.add_argument("--transport", choices=["kafka", "local"], default=settings.EVENTS_TRANSPORT)
        parser.add_argument("--chunk", type=int, default=500, help="households registered per transaction")
        parser.add_argument("--rate", type=float, default=0, help="households/s to register at (0: as fast as possible)")
        parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
        parser.add_argument("--fresh-database", action="store_true",
                            help="run on a new PostgreSQL database, <DATABASE_URL's name>_saga, dropped and made "
                                 "again from the migrations (what `make bench` does: every run starts alike)")
        parser.add_argument("--rescore", action="store_true",
                            help="phase 3: rescore every household with a new PMT model, end to end")

    def handle(self, *args, households, transport, chunk, rate, timeout, fresh_database, rescore, **options):
        if households < 1 or chunk < 1:
            raise CommandError("--households and --chunk must be at least 1")
        if transport == "kafka" and not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            raise CommandError("KAFKA_BOOTSTRAP_SERVERS is not set (eval \"$(scripts/infra env)\")")
        environ = os.environ
        if fresh_database:
            if connection.vendor != "postgresql":
                raise CommandError("--fresh-database needs PostgreSQL: set DATABASE_URL")
            dbname = f"{connection.settings_dict['NAME']}_saga"
            started = time.monotonic()
            database_create(dbname)
            use_database(dbname)
            environ = database_env(dbname)
            self.stdout.write(f"fresh database {dbname} migrated in {time.monotonic() - started:.0f}s")
        namespace = f"bench{uuid.uuid4().hex[:8]}."
        settings.EVENTS_TRANSPORT = transport
        settings.EVENTS_TOPIC_PREFIX = settings.EVENTS_GROUP_PREFIX = namespace
        settings.ANALYTICS_MONGODB_DB = f"dsrs_{namespace.strip('.')}"
        env = dict(environ, EVENTS_TRANSPORT=transport, EVENTS_TOPIC_PREFIX=namespace,
                   EVENTS_GROUP_PREFIX=namespace, MONGODB_DB=settings.ANALYTICS_MONGODB_DB, LOG_LEVEL="WARNING")
        self.stdout.write(f"bench: {households} households on {transport}, namespace {namespace} "
                          f"(database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
                          f"read model {'MongoDB' if settings.ANALYTICS_MONGODB_URI else 'SQL'})")
        ports = [free_port() for _ in range(len(registry.groups()) + 1)]
        workers = [[MANAGE, "relay_outbox", "--follow", "--idle-sleep", "0.02", "--metrics-port", str(ports[0])]]
        workers += [[MANAGE, "run_consumers", "--group", group, "--metrics-port", str(port)]
                    for group, port in zip(registry.groups(), ports[1:])]
        processes = [subprocess.Popen([sys.executable, *w], env=env) for w in workers]
        meter = cpu.CpuMeter(cpu.saga_processes(workers, processes), this_process="registration and the cycle (this process)")
        try:
            self._wait_for(processes, ports, transport)
            meter.start()
            registered_at, started = self._register(households, chunk, rate)
            enrolled = self._wait_until(lambda: summary_get().assessed >= households
                                        and EnrolmentFact.objects.exclude(status="exited").count() >= self._eligible(),
                                        "assessed, enrolled and counted", started, timeout)
            paying = time.monotonic()
            run = cycle_run(program_code="4PS", on=self._free_month(), preparer="bench:preparer", approver="bench:approver",
                            say=self.stdout.write)
            to_pay = run.cycle.entitlement_count
            paid = self._wait_until(lambda: summary_get().payments_completed >= to_pay, f"{to_pay} paid and counted",
                                    paying, timeout)
            rescored = self._rescore(list(registered_at), timeout) if rescore else None
            meter.stop()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
        self._report(households, registered_at, started, enrolled, paying, paid, to_pay)
        if rescored is not None:
            self.stdout.write(f"phase 3, a new PMT model → {households} households rescored, re-decided and counted: "
                              f"{rescored:.1f}s, {households / rescored:.0f} households/s")
        meter.report(households, self.stdout.write)
        self._clean_up(namespace)

    def _wait_for(self, processes, ports, transport) -> None:
        """Start the clock only once the relay and every consumer answer their readiness probe and,
        on Kafka, every group holds its partitions: start-up is not what the benchmark measures."""
        from dsrs.events.transports import get_transport

        admin = get_transport().admin() if transport == "kafka" else None
        try:
            took = wait_until_ready(ports, kafka_admin=admin, group_ids=[registry.group_id(g) for g in registry.groups()],
                                    alive=lambda: all(p.poll() is None for p in processes))
        except RuntimeError as exc:
            raise CommandError(f"the saga's processes did not start: {exc}") from None
        self.stdout.write(f"relay and consumers ready in {took:.1f}s")

    def _rescore(self, household_ids: list[str], timeout: float) -> float:
        """Phase 3: the seconds from activating a model that scores everyone non-poor until analytics
        counts every household's new decision (none approved any more)."""
        from registry.models import PmtModel

        approved = summary_get().approved
        if not approved:
            raise CommandError("no household is approved: a rescore to non-poor would change no decision")
        original = PmtModel.objects.get(status=PmtModel.Status.ACTIVE)
        everyone_non_poor = registry_services.pmt_model_copy(
            pmt_model=original, description="bench_saga --rescore: every household scores 1 (non-poor)")
        everyone_non_poor.intercept = Decimal(100)  # the score is clamped to 1 whatever the weights say
        everyone_non_poor.save()
        started = time.monotonic()
        try:
            registry_services.pmt_model_activate(pmt_model=everyone_non_poor)
            changed = registry_services.households_rescore(household_ids=household_ids, reason="bench_saga --rescore")
            self.stdout.write(f"rescored {changed} of {len(household_ids)} households in {time.monotonic() - started:.1f}s "
                              f"({approved} approved before)")
            done = self._wait_until(lambda: summary_get().approved == 0, "every new decision counted", started, timeout)
        finally:
            registry_services.pmt_model_activate(pmt_model=registry_services.pmt_model_copy(
                pmt_model=original, description=f"bench_saga --rescore: v{original.version} again"))
        return done - started

    @staticmethod
    def _eligible() -> int:
        """Households eligibility has enrolled or waitlisted, whose events payment must have applied."""
        from eligibility.models import Enrolment

        return Enrolment.objects.filter(status__in=["enrolled", "waitlisted"]).count()

    @staticmethod
    def _free_month() -> date:
        """The first month from today with no 4PS cycle yet (earlier runs in this database keep theirs)."""
        from payment.models import Cycle

        taken = set(Cycle.objects.filter(program__code="4PS").values_list("period_start", flat=True))
        month = date.today().replace(day=1)
        while month in taken:
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return month

    def _clean_up(self, namespace):
        """Drop the run's topics and read-model database; its rows stay for inspection."""
        from analytics.stores import MongoStore, get_store
        from dsrs.events.transports import get_transport

        store = get_store()
        if isinstance(store, MongoStore):
            store.client.drop_database(settings.ANALYTICS_MONGODB_DB)
        transport = get_transport()
        if transport.name == "kafka":
            admin = transport.admin()
            topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
            for future in (admin.delete_topics(topics).values() if topics else []):
                future.result(timeout=30)

    def _register(self, households, chunk, rate):
        registered_at: dict[str, float] = {}
        started = time.monotonic()
        wall_offset = time.time() - started
        # a seed of its own: earlier runs' households stay in the database, PhilSys numbers included
        done, demo = 0, Households(uuid.uuid4().int, poor=True)
        while done < households:
            size = min(chunk, households - done)
            batch = []
            for _ in range(size):
                household, members = demo.next()
                batch.append({"household": household, "members": members})
            created = registry_services.households_register_many(entries=batch, reason="benchmark").households
            moment = time.monotonic() + wall_offset
            registered_at.update((str(h.id), moment) for h in created)
            done += size
            if rate:
                time.sleep(max(0.0, started + done / rate - time.monotonic()))
        self.stdout.write(f"registered {households} in {time.monotonic() - started:.1f}s")
        return registered_at, started

    def _wait_until(self, condition, what, started, timeout):
        last_report = 0.0
        while True:
            now = time.monotonic()
            if condition():
                return now
            if now - started > timeout:
                raise CommandError(f"not {what} after {timeout:.0f}s")
            if now - last_report >= 5:
                self.stdout.write(f"  {now - started:6.1f}s  waiting until {what}: {summary_get().as_dict()}")
                last_report = now
            time.sleep(0.2)

    def _report(self, households, registered_at, started, enrolled, paying, paid, to_pay):
        phase1, phase2 = enrolled - started, paid - paying
        self.stdout.write(f"households: {households}")
        self.stdout.write(f"phase 1, register → assessed, enrolled and counted: {phase1:.1f}s, "
                          f"{households / phase1:.0f} households/s")
        self.stdout.write(f"phase 2, one cycle → {to_pay} paid and counted: {phase2:.1f}s, "
                          f"{to_pay / phase2:.0f} households/s")
        self.stdout.write(f"throughput end to end: {households / (phase1 + phase2):.0f} households/s")
