"""`manage.py analytics_rebuild`: drop and rebuild the read model from the event log (see analytics/rebuild.py)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analytics.rebuild import LogPruned, analytics_rebuild


class Command(BaseCommand):
    help = ("Rebuild the analytics read model by re-reading every topic analytics consumes from its first event "
            "(Kafka) or the outbox log (local transport), into a new generation that then becomes the live one. "
            "The live consumer keeps running.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--allow-partial", action="store_true",
                            help="rebuild even when the log's first events are gone (the figures will miss them)")
        parser.add_argument("--keep-old", action="store_true", help="keep the previous generation's documents")

    def handle(self, *args, batch_size, allow_partial, keep_old, **options):
        with tqdm(unit="event", desc="analytics rebuild", disable=options["verbosity"] == 0) as bar:
            try:
                done = analytics_rebuild(batch_size=batch_size, allow_partial=allow_partial, keep_old=keep_old,
                                         progress=bar.update)
            except LogPruned as exc:
                raise CommandError(f"{exc}; keep the topics' retention unlimited (docs/analytics.md), or pass "
                                   "--allow-partial") from exc
        self.stdout.write(f"rebuilt generation {done['generation']!r} (was {done['previous']!r}) from "
                          f"{done['records']} records, {done['applied']} analytics events")
