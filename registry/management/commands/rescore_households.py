import uuid

from django.core.management.base import BaseCommand, CommandError

from registry import selectors, services


def _household_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"--household {value!r} is not a household id (a UUID).") from None


class Command(BaseCommand):
    help = ("Recompute the PMT score of every household (or of those given) with the active PMT model; "
            "each changed score is a new version of the household, with its history row and event.")

    def add_arguments(self, parser):
        parser.add_argument("--household", action="append", metavar="ID", default=None,
                            help="rescore only this household (repeatable)")
        parser.add_argument("--batch-size", type=int, default=500, help="households per transaction")
        parser.add_argument("--reason", default="PMT rescored by rescore_households",
                            help="kept in each changed household's history")

    def handle(self, *args, household, batch_size, reason, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        ids = None
        if household:
            ids = sorted({_household_id(value) for value in household})
            unknown = sorted(set(ids) - set(selectors.household_ids(household_ids=ids)))
            if unknown:
                raise CommandError(f"No household with id {', '.join(str(i) for i in unknown)}; nothing rescored.")
        try:
            changed = services.households_rescore(household_ids=ids, reason=reason, batch_size=batch_size,
                                                  progress=self._progress)
        except selectors.NoActivePmtModel as missing:
            raise CommandError(str(missing)) from None
        self.stdout.write(f"done: {changed} scores changed")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"rescored {done}/{total} households")
