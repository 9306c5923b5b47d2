"""One command per step of a cycle, so that operators can script it:

    manage.py payment_cycle create   --program 4PS [--on 2026-12-01] --actor alice
    manage.py payment_cycle generate --cycle 4PS-2026-12 --actor alice
    manage.py payment_cycle submit   --cycle 4PS-2026-12 --actor alice
    manage.py payment_cycle approve  --cycle 4PS-2026-12 [--batch N] --actor bob     (not alice)
    manage.py payment_cycle export   --cycle 4PS-2026-12 [--batch N] --actor bob     (prints the files)
    manage.py payment_cycle import   --file settlement.csv --actor bob
    manage.py payment_cycle retry    --cycle 4PS-2026-12 [--batch N] --actor bob
    manage.py payment_cycle close    --cycle 4PS-2026-12 --actor bob
    manage.py payment_cycle cancel   --cycle 4PS-2026-12 --reason "..." --actor alice
    manage.py payment_cycle status   --cycle 4PS-2026-12
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from payment import selectors, services
from payment.errors import PaymentError
from payment.models import Batch, Cycle
from payment.money import pesos

from ._actors import actor_of

STEPS = ["create", "generate", "submit", "approve", "export", "import", "retry", "close", "cancel", "status"]


class Command(BaseCommand):
    help = "Run one step of a payment cycle (create, generate, submit, approve, export, import, retry, close, cancel, status)."

    def add_arguments(self, parser):
        parser.add_argument("step", choices=STEPS)
        parser.add_argument("--program", default="4PS")
        parser.add_argument("--on", type=date.fromisoformat, help="a day in the cycle's period (default today)")
        parser.add_argument("--cycle", help="the cycle's code, e.g. 4PS-2026-12")
        parser.add_argument("--batch", type=int, help="one batch by number (default: all of the cycle)")
        parser.add_argument("--file", type=Path, help="the settlement file to import")
        parser.add_argument("--reason", default="")
        parser.add_argument("--actor", default="", help="user name of the payment officer acting")

    def handle(self, *args, step, **options):
        try:
            getattr(self, f"_{step}")(**options)
        except (PaymentError, Cycle.DoesNotExist, Batch.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None

    def _cycle(self, code) -> Cycle:
        if not code:
            raise CommandError("--cycle is required")
        return Cycle.objects.select_related("program").get(code=code)

    def _batches(self, cycle, number):
        batches = Batch.objects.filter(cycle=cycle).order_by("number")
        return list(batches.filter(number=number) if number else batches)

    def _create(self, program, on, actor, **_):
        cycle = services.cycle_create(program_code=program, on=on, actor=actor_of(actor))
        self.stdout.write(f"cycle {cycle.code}: {cycle.period_start} to {cycle.period_end}, due {cycle.due_on}, "
                          f"{cycle.status}")

    def _generate(self, cycle, actor, **_):
        target = self._cycle(cycle)
        bar = tqdm(total=0, unit="households", disable=None)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        result = services.cycle_generate(cycle_id=target.pk, actor=actor_of(actor), progress=progress)
        bar.close()
        target.refresh_from_db()
        self.stdout.write(f"{target.code}: {result.created} entitlements created, {result.already} existed, "
                          f"{result.without_household_facts} households waiting for member facts; "
                          f"{target.entitlement_count} in all, {pesos(target.total_centavos)} {target.program.currency} "
                          f"in {target.batches.count()} batches")

    def _submit(self, cycle, actor, **_):
        target = services.cycle_submit(cycle_id=self._cycle(cycle).pk, actor=actor_of(actor))
        self.stdout.write(f"{target.code}: {target.status}")

    def _approve(self, cycle, batch, actor, **_):
        who = actor_of(actor)
        for row in self._batches(self._cycle(cycle), batch):
            if row.status == Batch.Status.SUBMITTED:
                approved = services.batch_approve(batch_id=row.pk, actor=who)
                self.stdout.write(f"batch {approved.number}: approved, {approved.payment_count} payments, "
                                  f"{pesos(approved.total_centavos)}")

    def _export(self, cycle, batch, actor, **_):
        who = actor_of(actor)
        for row in self._batches(self._cycle(cycle), batch):
            if row.status in (Batch.Status.APPROVED, Batch.Status.EXPORTED) or batch:
                file = services.batch_export(batch_id=row.pk, actor=who)
                path = services.disbursement_file_path(file, actor=who)
                self.stdout.write(f"batch {row.number}: {path} ({file.line_count} lines, "
                                  f"{pesos(file.total_centavos)}, sha256 {file.sha256})")

    def _import(self, file, actor, **_):
        if not file or not file.exists():
            raise CommandError("--file must name an existing settlement file")
        result = services.settlement_import(content=file.read_bytes(), name=file.name, actor=actor_of(actor))
        s = result.file
        if result.already_imported:
            self.stdout.write(f"{file.name} was imported already ({s.imported_at:%Y-%m-%d %H:%M}); nothing changed")
        else:
            self.stdout.write(f"{file.name}: {s.line_count} lines, {s.paid} paid, {s.failed} failed, "
                              f"{s.reversed} reversed, {s.exceptions} exceptions")

    def _retry(self, cycle, batch, actor, **_):
        who = actor_of(actor)
        for row in self._batches(self._cycle(cycle), batch):
            result = services.payments_retry(batch_id=row.pk, actor=who)
            if any(result.values()):
                self.stdout.write(f"batch {row.number}: {result['retried']} retried, {result['cancelled']} cancelled")

    def _close(self, cycle, actor, **_):
        target = services.cycle_close(cycle_id=self._cycle(cycle).pk, actor=actor_of(actor))
        self.stdout.write(f"{target.code}: {target.status}")

    def _cancel(self, cycle, reason, actor, **_):
        if not reason:
            raise CommandError("--reason is required")
        target = services.cycle_cancel(cycle_id=self._cycle(cycle).pk, actor=actor_of(actor), reason=reason)
        self.stdout.write(f"{target.code}: {target.status}")

    def _status(self, cycle, **_):
        target = self._cycle(cycle)
        self.stdout.write(f"{target.code} ({target.status}): {target.entitlement_count} entitlements, "
                          f"{pesos(target.total_centavos)} {target.program.currency}")
        for status, figures in selectors.cycle_totals(target).items():
            self.stdout.write(f"  {status:10} {figures['count']:8} {pesos(figures['centavos']):>16}")
