"""Batches: four-eyes approval (the preparer may never approve), amounts frozen from then on,
export through the program's provider, retries of failed payments."""

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from .. import states
from ..audit import Action, audit
from ..errors import FourEyes, PaymentError
from ..lock_objects import batch_lock, payments_lock
from ..models import Batch, Entitlement, Payment
from .cycles import _cycle_change, cycle_advance_after
from .payments import payments_move, payments_transition


def batch_approve(*, batch_id, actor: str, channel: str = "command") -> Batch:
    """A second payment officer approves a submitted batch: its payments are approved and its amounts frozen.

    Refused for the officer who prepared it, whoever they are (no switch turns this off). Batches of one
    cycle are approved at once if asked to (they hold the cycle in share mode); the cycle moves on to
    approved after the last (cycle_advance_after).
    """
    batch = _batch_approve(batch_id=batch_id, actor=actor, channel=channel)
    batch.cycle = cycle_advance_after(batch.cycle_id, actor=actor)
    return batch


@transaction.atomic
def _batch_approve(*, batch_id, actor: str, channel: str) -> Batch:
    batch = batch_lock(batch_id, shared_cycle=True)
    if not actor or actor == batch.prepared_by:
        raise FourEyes(f"batch {batch.number} of {batch.cycle.code} was prepared by {batch.prepared_by or 'nobody'}: "
                       "another payment officer must approve it")
    states.check_batch(batch.status, Batch.Status.APPROVED)
    totals = Entitlement.objects.filter(batch=batch).aggregate(n=Count("pk"), total=Sum("amount_centavos"))
    if (totals["n"], totals["total"] or 0) != (batch.payment_count, batch.total_centavos):
        raise PaymentError(f"batch {batch.number}'s control totals ({batch.payment_count}, {batch.total_centavos}) do "
                           f"not match its entitlements ({totals['n']}, {totals['total']})", code="control_totals")
    payments_move(batch_id=batch.pk, from_status=Payment.Status.PENDING, to_status=Payment.Status.APPROVED, actor=actor,
                  reason=f"batch approved by {actor}")
    batch.status, batch.approved_by, batch.approved_at = Batch.Status.APPROVED, actor, timezone.now()
    batch.save(update_fields=["status", "approved_by", "approved_at"])
    audit(actor=actor, action=Action.UPDATE, object_type="payment.batch", object_ids=[batch.pk], channel=channel,
          reason=f"batch {batch.number} of {batch.cycle.code} approved: {batch.payment_count} payments, "
                 f"{batch.total_centavos} centavos (prepared by {batch.prepared_by})")
    return batch


@transaction.atomic
def batch_return(*, batch_id, actor: str, reason: str, channel: str = "command") -> Batch:
    """The approver sends a submitted batch back to draft (its cycle too), to be prepared again."""
    batch = batch_lock(batch_id)
    states.check_batch(batch.status, Batch.Status.DRAFT)
    batch.status, batch.prepared_by, batch.submitted_at = Batch.Status.DRAFT, "", None
    batch.save(update_fields=["status", "prepared_by", "submitted_at"])
    if batch.cycle.status == batch.cycle.Status.TO_APPROVE:
        _cycle_change(batch.cycle, batch.cycle.Status.DRAFT, actor=actor, reason=reason)
    audit(actor=actor, action=Action.UPDATE, object_type="payment.batch", object_ids=[batch.pk], channel=channel,
          reason=f"batch {batch.number} returned: {reason}")
    return batch


@transaction.atomic
def payments_retry(*, batch_id, actor: str, channel: str = "command") -> dict[str, int]:
    """Failed payments of a batch go back to approved for one more sending (attempt + 1), up to the
    program's max_attempts; those that have used them all are cancelled. Each keeps its failures' reasons."""
    batch = batch_lock(batch_id)
    failed = payments_lock(Payment.objects.filter(batch=batch, status=Payment.Status.FAILED))
    limit = batch.cycle.program.max_attempts
    again = [p for p in failed if p.attempt < limit]
    given_up = [p for p in failed if p.attempt >= limit]
    payments_transition(payments=again, to_status=Payment.Status.APPROVED, actor=actor, retry=True,
                        reason=f"retried by {actor}")
    payments_transition(payments=given_up, to_status=Payment.Status.CANCELLED, actor=actor,
                        reason=f"failed {limit} times; no attempt left")
    if again or given_up:
        audit(actor=actor, action=Action.UPDATE, object_type="payment.payment", object_ids=[p.pk for p in failed],
              reason=f"batch {batch.number}: {len(again)} retried, {len(given_up)} cancelled", channel=channel)
    return {"retried": len(again), "cancelled": len(given_up)}
