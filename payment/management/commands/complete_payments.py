import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from payment import services


class Command(BaseCommand):
    help = "Settle due scheduled payments (once, or every --interval seconds with --follow)."

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, follow, interval, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        stop = threading.Event()
        if follow:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while True:
            total = 0
            while count := services.payments_complete_due():
                total += count
            if total or not follow:
                self.stdout.write(f"completed {total} payments")
            if not follow or stop.wait(interval):
                return
