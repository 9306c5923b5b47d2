"""One lock order for every write of payment, so that two of them never wait on each other:
the cycle, then its batches by number, then payments by primary key (a step of one batch may hold its
cycle in share mode: batch_lock)."""

from django.db import connection

from .models import Batch, Cycle, Payment


def cycle_lock(cycle_id) -> Cycle:
    return Cycle.objects.select_for_update().select_related("program").get(pk=cycle_id)


def batch_lock(batch_id, *, shared_cycle: bool = False) -> Batch:
    """The batch, after its cycle. `shared_cycle`: the cycle in share mode (PostgreSQL's FOR SHARE), for a
    step of one batch that does not write the cycle (approve, export): such steps of different batches
    then run at once, while a step of the whole cycle (generate, submit, cancel, close), which locks it
    for update, still waits for them and they for it. Such a step moves the cycle on afterwards, in a
    transaction of its own (cycle_advance): taking the update lock while holding the share lock could
    deadlock with another batch's step doing the same."""
    cycle_id = Batch.objects.values_list("cycle_id", flat=True).get(pk=batch_id)
    if not shared_cycle:
        cycle_lock(cycle_id)
    elif connection.vendor == "postgresql":  # the embedded SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Cycle._meta.db_table} WHERE id = %s FOR SHARE", [cycle_id])
    # of=("self",): the batch row only (select_related would lock the cycle's and program's rows too).
    return Batch.objects.select_for_update(of=("self",)).select_related("cycle__program").get(pk=batch_id)


def payments_lock(queryset) -> list[Payment]:
    return list(queryset.select_for_update().order_by("pk"))


class PaymentRow:
    """A locked payment as a transition reads and writes it (payments_transition takes these or
    Payment instances alike), without a model instance: at 100,000 payments a cycle the instances
    cost more than the statements that move them."""

    FIELDS = ("id", "entitlement_id", "cycle_id", "batch_id", "household_id", "program_code", "status", "version",
              "attempt", "amount_centavos", "currency", "region_code", "province_code", "municipality_code",
              "barangay_code", "reason", "updated_at")
    __slots__ = FIELDS

    def __init__(self, values):
        (self.id, self.entitlement_id, self.cycle_id, self.batch_id, self.household_id, self.program_code, self.status,
         self.version, self.attempt, self.amount_centavos, self.currency, self.region_code, self.province_code,
         self.municipality_code, self.barangay_code, self.reason, self.updated_at) = values

    @property
    def pk(self):
        return self.id


def payment_rows_lock(queryset) -> list[PaymentRow]:
    """payments_lock's rows (same lock, same order), as PaymentRow."""
    return [PaymentRow(values) for values in queryset.select_for_update().order_by("pk").values_list(*PaymentRow.FIELDS)]
