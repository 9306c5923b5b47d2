"""One lock order for every write of payment, so that two of them never wait on each other:
the cycle, then its batches by number, then payments by primary key."""

from .models import Batch, Cycle, Payment


def cycle_lock(cycle_id) -> Cycle:
    return Cycle.objects.select_for_update().select_related("program").get(pk=cycle_id)


def batch_lock(batch_id) -> Batch:
    cycle_id = Batch.objects.values_list("cycle_id", flat=True).get(pk=batch_id)
    cycle_lock(cycle_id)
    return Batch.objects.select_for_update().select_related("cycle__program").get(pk=batch_id)


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
        for name, value in zip(self.FIELDS, values):
            setattr(self, name, value)

    @property
    def pk(self):
        return self.id


def payment_rows_lock(queryset) -> list[PaymentRow]:
    """payments_lock's rows (same lock, same order), as PaymentRow."""
    return [PaymentRow(values) for values in queryset.select_for_update().order_by("pk").values_list(*PaymentRow.FIELDS)]
