import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from registry import services
from registry.geography import REGIONS
from registry.models import Household

FIRST = ["Maria", "Jose", "Ana", "Juan", "Rosa", "Pedro", "Luz", "Ramon", "Elena", "Carlos", "Teresita", "Danilo"]
LAST = ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva"]
PLACES = ["Purok 3, Brgy. San Isidro", "Sitio Malinis, Brgy. Bagong Silang", "Zone 5, Brgy. Poblacion",
          "Blk 12 Lot 4, Brgy. Sto. Niño", "Purok 1, Brgy. Maligaya"]


class Command(BaseCommand):
    help = "Register demo households through the registry's services (so their events flow like real ones)."

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
        rng = random.Random(seed)
        regions = sorted(REGIONS)
        for number in range(1, count + 1):
            services.household_register(
                head_of_household_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                address=rng.choice(PLACES),
                region_code=rng.choice(regions),
                household_size=rng.randint(1, 9),
                monthly_income=Decimal(rng.randrange(2000, 20000, 250)),
                pmt_score=Decimal(rng.randint(5, 80)) / 100,
            )
            if number % 100 == 0 or number == count:
                self.stdout.write(f"registered {number}/{count} demo households")
