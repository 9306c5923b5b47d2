from django.core.management.base import BaseCommand, CommandError

from registry import services
from registry.demo import Households
from registry.models import Household


class Command(BaseCommand):
    help = "Register demo households with members through the registry's services (so their events flow like real ones)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=50)
        parser.add_argument("--seed", type=int, default=2026, help="random seed, for the same demo every time")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if households exist already")

    def handle(self, *args, count, seed, if_empty, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        if if_empty and Household.objects.exists():
            self.stdout.write("households exist already; nothing seeded")
            return
        demo, entries = Households(seed), []
        for _ in range(count):
            household, members = demo.next()
            entries.append({"household": household, "members": members})
        for start in range(0, count, 100):
            services.households_register_many(entries=entries[start:start + 100], reason="demo data")
            self.stdout.write(f"registered {min(start + 100, count)}/{count} demo households")
