"""End-to-end throughput and latency of the saga, on the transport of your choice.

Starts the relay, one process per consumer group and the payment completion step as subprocesses
(as production runs them), registers N households through the registry's bulk service, and waits
until analytics counts every one as paid.
"""

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.selectors import summary_get
from dsrs.benchmarks import cpu
from dsrs.events import registry
from payment.selectors import payment_list
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

    def handle(self, *args, households, transport, chunk, rate, timeout, **options):
        if households < 1 or chunk < 1:
            raise CommandError("--households and --chunk must be at least 1")
        if transport == "kafka" and not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            raise CommandError("KAFKA_BOOTSTRAP_SERVERS is not set (eval \"$(scripts/infra env)\")")
        namespace = f"bench{uuid.uuid4().hex[:8]}."
        settings.EVENTS_TRANSPORT = transport
        settings.EVENTS_TOPIC_PREFIX = settings.EVENTS_GROUP_PREFIX = namespace
        settings.ANALYTICS_MONGODB_DB = f"dsrs_{namespace.strip('.')}"
        env = dict(os.environ, EVENTS_TRANSPORT=transport, EVENTS_TOPIC_PREFIX=namespace,
                   EVENTS_GROUP_PREFIX=namespace, MONGODB_DB=settings.ANALYTICS_MONGODB_DB,
                   PAYMENT_COMPLETION_DELAY_SECONDS="0", LOG_LEVEL="WARNING")
        self.stdout.write(f"bench: {households} households on {transport}, namespace {namespace} "
                          f"(database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
                          f"read model {'MongoDB' if settings.ANALYTICS_MONGODB_URI else 'SQL'})")
        workers = [[MANAGE, "relay_outbox", "--follow", "--idle-sleep", "0.02"],
                   [MANAGE, "complete_payments", "--follow", "--interval", "0.5"]]
        workers += [[MANAGE, "run_consumers", "--group", group] for group in registry.groups()]
        processes = [subprocess.Popen([sys.executable, *w], env=env) for w in workers]
        meter = cpu.CpuMeter(cpu.saga_processes(workers, processes), this_process="registration (this process)")
        try:
            time.sleep(3)  # let consumers join their groups before the clock starts
            meter.start()
            registered_at, started = self._register(households, chunk, rate)
            finished = self._wait_until_paid(households, started, timeout)
            meter.stop()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
        self._report(households, registered_at, started, finished)
        meter.report(households, self.stdout.write)
        self._clean_up(namespace)

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
        done, demo = 0, Households(2026, poor=True)
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

    def _wait_until_paid(self, households, started, timeout):
        last_report = 0.0
        while True:
            paid = summary_get().payments_completed
            now = time.monotonic()
            if paid >= households:
                return now
            if now - started > timeout:
                raise CommandError(f"only {paid} of {households} paid after {timeout:.0f}s")
            if now - last_report >= 5:
                self.stdout.write(f"  {now - started:6.1f}s  paid and counted: {paid}/{households}")
                last_report = now
            time.sleep(0.2)

    def _report(self, households, registered_at, started, finished):
        latencies = sorted(
            (completed.timestamp() - registered_at[str(household)])
            for household, completed in payment_list(regions=None, status="completed").values_list("household_id", "completed_at")
            if str(household) in registered_at
        )
        elapsed = finished - started
        p50 = statistics.quantiles(latencies, n=100)[49] if len(latencies) > 1 else latencies[0]
        p95 = statistics.quantiles(latencies, n=100)[94] if len(latencies) > 1 else latencies[0]
        self.stdout.write(f"households: {households}")
        self.stdout.write(f"elapsed (first registration to last counted in analytics): {elapsed:.1f}s")
        self.stdout.write(f"throughput end to end: {households / elapsed:.0f} households/s")
        self.stdout.write(f"register→paid latency: p50 {p50:.2f}s, p95 {p95:.2f}s")
