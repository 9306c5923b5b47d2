from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry import services
from registry.models import Household


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
                try:
                    # Decrypted with whichever key works, written with the first one.
                    services.households_reencrypt(households=batch)
                except services.UnreadableNumber as exc:
                    raise CommandError(f"{exc} ({done} households done, nothing more changed)") from None
            last, done = batch[-1].pk, done + len(batch)
            self.stdout.write(f"re-encrypted {done}/{total} households")
        self.stdout.write(f"done: {done} households re-encrypted")
