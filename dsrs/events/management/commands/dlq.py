import json

from django.core.management.base import BaseCommand, CommandError

from dsrs.events import dlq
from dsrs.events.models import DeadLetter


class Command(BaseCommand):
    help = "Inspect, replay and purge dead letters: dlq list | show ID | replay ... | purge ..."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,show,replay,purge}")
        listing = sub.add_parser("list", help="list dead letters")
        self._add_filters(listing, selection_required=False)
        listing.add_argument("--limit", type=int, default=100)
        show = sub.add_parser("show", help="show one dead letter in full")
        show.add_argument("id", type=int)
        replay = sub.add_parser("replay", help="republish dead letters' original events (same event id)")
        self._add_filters(replay, selection_required=True)
        replay.add_argument("--dry-run", action="store_true", help="say what would be replayed, change nothing")
        purge = sub.add_parser("purge", help="delete dead letters")
        self._add_filters(purge, selection_required=True)
        purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        purge.add_argument("--dry-run", action="store_true", help="say what would be purged, change nothing")

    @staticmethod
    def _add_filters(parser, *, selection_required):
        parser.add_argument("--id", type=int, action="append", dest="ids", help="a dead letter id (repeatable)")
        parser.add_argument("--topic", help="only dead letters from this topic")
        parser.add_argument("--group", help="only dead letters of this consumer group")
        parser.add_argument("--status", choices=[*DeadLetter.Status.values, "any"], default=None)
        if selection_required:
            parser.add_argument("--all", action="store_true", help="every pending dead letter")
        parser.set_defaults(selection_required=selection_required)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _selection(self, *, ids=None, topic=None, group=None, status=None, selection_required=False, **options):
        if selection_required and not (ids or topic or group or options.get("all")):
            raise CommandError("say which dead letters: --id ID, --topic TOPIC, --group GROUP or --all")
        if status is None:
            status = DeadLetter.Status.PENDING if selection_required or not ids else None
        selected = dlq.dead_letters_select(ids=ids, topic=topic, group=group, status=None if status == "any" else status)
        if ids:
            missing = sorted(set(ids) - set(selected.values_list("id", flat=True)))
            if missing:
                raise CommandError(f"no {status or ''} dead letter with id {', '.join(map(str, missing))}".replace("  ", " "))
        return selected

    def _list(self, *, limit, **options):
        selected = self._selection(**options)
        total = selected.count()
        self.stdout.write(f"{'ID':>6}  {'STATUS':8}  {'GROUP':12}  {'TOPIC':28}  {'ATTEMPTS':>8}  {'EVENT':36}  ERROR")
        for letter in selected[:limit]:
            self.stdout.write(
                f"{letter.id:>6}  {letter.status:8}  {letter.consumer_group:12}  {letter.topic:28}  "
                f"{letter.attempts:>8}  {letter.event_id:36}  {letter.error_type}"
            )
        self.stdout.write(f"{min(total, limit)} of {total} dead letter(s) shown")

    def _show(self, *, id, **options):
        try:
            letter = DeadLetter.objects.get(id=id)
        except DeadLetter.DoesNotExist:
            raise CommandError(f"no dead letter with id {id}") from None
        fields = ["id", "status", "consumer_group", "event_id", "event_type", "topic", "partition", "offset", "key",
                  "attempts", "error_type", "created_at", "replayed_at"]
        for name in fields:
            self.stdout.write(f"{name}: {getattr(letter, name)}")
        self.stdout.write(f"headers: {json.dumps(letter.headers, indent=2, sort_keys=True)}")
        try:
            payload = json.dumps(json.loads(letter.payload), indent=2, sort_keys=True)
        except ValueError:
            payload = letter.payload
        self.stdout.write(f"payload:\n{payload}")
        self.stdout.write(f"error:\n{letter.error}")

    def _replay(self, *, dry_run, **options):
        selected = list(self._selection(**options))
        replayed = 0
        for number, letter in enumerate(selected, start=1):
            prefix = f"[{number}/{len(selected)}] dead letter {letter.id} ({letter.event_type or 'unreadable'} {letter.event_id})"
            try:
                if dry_run:
                    dlq.dead_letter_event(letter)
                    self.stdout.write(f"{prefix}: would replay to {letter.topic}")
                else:
                    dlq.dead_letter_replay(dead_letter=letter)
                    self.stdout.write(f"{prefix}: replayed to {letter.topic}")
                replayed += 1
            except dlq.NotReplayable as exc:
                self.stderr.write(f"{prefix}: skipped, {exc}")
        verb = "would replay" if dry_run else "replayed"
        self.stdout.write(f"{verb} {replayed} of {len(selected)} dead letter(s)")

    def _purge(self, *, yes, dry_run, **options):
        selected = self._selection(**options)
        count = selected.count()
        if dry_run or not count:
            self.stdout.write(f"would purge {count} dead letter(s)" if dry_run else "nothing to purge")
            return
        if not yes:
            if not self.stdin_is_interactive():
                raise CommandError("purge needs --yes when not run interactively")
            if input(f"Delete {count} dead letter(s) for good? Type 'yes' to confirm: ").strip() != "yes":
                raise CommandError("purge cancelled")
        self.stdout.write(f"purged {dlq.dead_letters_purge(dead_letters=selected)} dead letter(s)")

    @staticmethod
    def stdin_is_interactive():
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
