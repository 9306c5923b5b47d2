import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from dsrs.events import metrics, relay
from dsrs.events.transports import get_transport
from dsrs.startup import freeze_loaded_objects

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Relay committed outbox events to the event transport (once, or with --follow until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--metrics-port", type=int, default=None,
                            help="serve this process's Prometheus metrics on this port")
        parser.add_argument("--metrics-addr", default="127.0.0.1", help="address for --metrics-port")
        parser.add_argument("--follow", action="store_true", help="keep relaying until SIGTERM/SIGINT")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per batch (default: setting)")
        parser.add_argument("--idle-sleep", type=float, default=0.1, help="seconds to wait when nothing is queued")
        parser.add_argument("--prune-every", type=float, default=60.0, help="seconds between prunes of sent rows")

    def handle(self, *args, follow, batch_size, idle_sleep, prune_every, metrics_port, metrics_addr, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        metrics.serve(metrics_port, metrics_addr)
        if not follow:
            self.stdout.write(f"relayed {relay.relay_all(batch_size=batch_size)} events")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        freeze_loaded_objects()
        self.stdout.write("relaying outbox; stop with Ctrl-C")
        next_prune, backoff, total = time.monotonic() + prune_every, 0.5, 0
        next_probe = 0.0  # while idle the relay asks the broker itself now and then: readiness needs it
        metrics.set_relay_ready(False)
        pipeline = None
        while not stop.is_set():
            try:
                close_old_connections()
                if relay.pipelined():
                    # Kept from batch to batch: its connections would cost more than a batch to open.
                    pipeline = pipeline or relay.RelayPipeline()
                    count = pipeline.run(batch_size=batch_size, max_seconds=1.0, stop=stop)
                else:
                    count = relay.relay_once(batch_size=batch_size)
                total += count
                if not count and time.monotonic() >= next_probe:
                    get_transport().check(timeout=3)
                    next_probe = time.monotonic() + 10
                metrics.set_relay_ready(True)
                backoff = 0.5
                if time.monotonic() >= next_prune:
                    relay.prune_sent()
                    next_prune = time.monotonic() + prune_every
                if not count:
                    stop.wait(idle_sleep)
            except Exception as exc:  # the relay must outlive a broker or database outage
                metrics.set_relay_ready(False)
                if pipeline is not None:  # its connections may be gone with the database
                    pipeline.close()
                    pipeline = None
                next_probe = 0.0
                logger.warning("relay failed, retrying in %.1fs: %s", backoff, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        if pipeline is not None:
            pipeline.close()
        self.stdout.write(f"relay stopped after {total} events")
