import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from dsrs.events import metrics, registry
from dsrs.events.runtime import ConsumerRuntime, consume
from dsrs.startup import freeze_loaded_objects

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the event consumers of every consumer group, or of the groups named with --group."

    def add_arguments(self, parser):
        parser.add_argument("--metrics-port", type=int, default=None,
                            help="serve this process's Prometheus metrics on this port")
        parser.add_argument("--metrics-addr", default="127.0.0.1", help="address for --metrics-port")
        parser.add_argument("--group", action="append", dest="groups", help="a consumer group (repeatable)")
        parser.add_argument("--list", action="store_true", dest="list_groups", help="list the consumer groups and their topics")
        parser.add_argument("--drain", action="store_true", help="apply what is available, then exit")

    def handle(self, *args, groups, list_groups, drain, metrics_port, metrics_addr, **options):
        known = registry.groups()
        if list_groups:
            for group in known:
                self.stdout.write(f"{group}: {', '.join(registry.topics_for(group))}")
            return
        unknown = sorted(set(groups or []) - set(known))
        if unknown:
            raise CommandError(f"unknown consumer group(s) {', '.join(unknown)}; known: {', '.join(known)}")
        groups = groups or known
        metrics.serve(metrics_port, metrics_addr)
        freeze_loaded_objects()
        stop = threading.Event()
        if drain:
            for group in groups:
                runtime = ConsumerRuntime(group)
                try:
                    received = runtime.drain()
                    self.stdout.write(f"{group}: received {received} records, applied {runtime.applied} events, "
                                      f"skipped {runtime.duplicates} duplicates")
                finally:
                    runtime.close()
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        failed = threading.Event()
        threads = [threading.Thread(target=self._run, args=(g, stop, failed), name=f"consumer-{g}") for g in groups]
        self.stdout.write(f"consuming for {', '.join(groups)}; stop with Ctrl-C")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failed.is_set():
            raise CommandError("a consumer group stopped on an unexpected error")

    @staticmethod
    def _run(group, stop, failed):
        try:
            consume(group, stop)  # rides out outages of the broker and the stores
        except Exception:
            logger.exception("consumer group %s stopped", group)
            failed.set()
            stop.set()
