from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry.models import SENSITIVE_FIELDS, Household


class Command(BaseCommand):
    help = ("Re-encrypt every household's sensitive numbers with the current key, after DJANGO_SECRET_KEY "
            "or FIELD_ENCRYPTION_SALTS was rotated (the old ones stay in the fallbacks until this is done).")

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=1000)

    def handle(self, *args, chunk, **options):
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        total, done, last = Household.objects.count(), 0, None
        while True:
            with transaction.atomic():
                batch = Household.objects.order_by("pk")
                batch = list((batch.filter(pk__gt=last) if last else batch)[:chunk])
                if not batch:
                    break
                # Decrypted with whichever key works, written with the first one.
                Household.objects.bulk_update(batch, list(SENSITIVE_FIELDS))
            last, done = batch[-1].pk, done + len(batch)
            self.stdout.write(f"re-encrypted {done}/{total} households")
        self.stdout.write(f"done: {done} households re-encrypted")
