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
