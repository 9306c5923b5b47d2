"""The one transition function of the payment lifecycle: checks the table, writes the state, a change
row per payment, and exactly one event per payment; many payments in a few statements."""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from dsrs.events.bulk import insert_rows

from .. import events, states
from ..lock_objects import PaymentRow, payment_rows_lock
from ..models import Cycle, Payment, PaymentChange

CHUNK = 5000


@transaction.atomic
def payments_transition(*, payments: list[Payment], to_status: str, actor: str = "", reason: str = "",
                        reasons: dict | None = None, retry: bool = False) -> int:
    """Move every payment in `payments` (locked by the caller, in pk order) to `to_status`.

    Refuses the whole call (IllegalTransition) if any one of them may not make that move. `reasons`
    gives a reason per payment id where they differ (a provider's failure codes); `retry` counts a
    new attempt (failed → approved). Returns how many moved.
    """
    if not payments:
        return 0
    for payment in payments:
        states.check_payment(payment.status, to_status)
    now = timezone.now()
    cycles = {c.pk: c for c in Cycle.objects.filter(pk__in={p.cycle_id for p in payments})}
    reasons = reasons or {}
    by_reason: dict[str, list] = defaultdict(list)
    for payment in payments:
        by_reason[reasons.get(payment.pk, reason)[:500]].append(payment.pk)
    changes = {"status": to_status, "version": F("version") + 1, "updated_at": now}
    if retry:
        changes["attempt"] = F("attempt") + 1
    for text, ids in by_reason.items():
        for start in range(0, len(ids), CHUNK):
            Payment.objects.filter(pk__any_of=ids[start:start + CHUNK]).update(reason=text, **changes)
    moved = []
    for payment in payments:
        previous, text = payment.status, reasons.get(payment.pk, reason)[:500]
        payment.status, payment.version, payment.reason, payment.updated_at = to_status, payment.version + 1, text, now
        if retry:
            payment.attempt += 1
        moved.append((payment, previous, text))
    _record(moved, cycles=cycles, actor=actor, at=now)
    return len(payments)


def _record(moved: list[tuple], *, cycles: dict, actor: str, at) -> None:
    """The change row and the event of each transition made: (payment in its new state, previous status, reason)."""
    events.publish_payment_transitions(moved, cycles=cycles, occurred_at=at)
    insert_rows(PaymentChange, ("payment_id", "from_status", "to_status", "version", "attempt", "reason", "actor", "at"),
                [(p.pk, previous, p.status, p.version, p.attempt, text, actor, at) for p, previous, text in moved], binary=True)


@transaction.atomic
def payments_move(*, from_status: str, to_status: str, batch_id=None, cycle_id=None, actor: str = "",
                  reason: str = "") -> list[PaymentRow]:
    """Every payment of the batch (or else the cycle) in `from_status` to `to_status`, in one UPDATE
    that locks, moves and returns them, then their change rows and events as payments_transition writes
    them (in pk order). The caller holds the batch's (or cycle's) lock, which every other writer of its
    payments takes first; the compensation, which does not, locks one payment of a batch at most (one
    entitlement per household and cycle), so the order of the UPDATE's row locks cannot deadlock.
    Returns the moved payments in their new state, by pk."""
    states.check_payment(from_status, to_status)
    if (batch_id is None) == (cycle_id is None):
        raise ValueError("payments_move takes a batch_id or a cycle_id")
    column, key = ("batch_id", batch_id) if batch_id is not None else ("cycle_id", cycle_id)
    now, text = timezone.now(), reason[:500]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Payment._meta.db_table} SET status = %s, version = version + 1, reason = %s, "
                           f"updated_at = %s WHERE {column} = %s AND status = %s RETURNING {', '.join(PaymentRow.FIELDS)}",
                           [to_status, text, now, key, from_status])
            payments = sorted(map(PaymentRow, cursor.fetchall()), key=lambda p: p.id)
    else:  # the embedded default (SQLite): the same rows and values through the ORM, one writer at a time
        chosen = Payment.objects.filter(**{column: key, "status": from_status})
        ids = list(chosen.values_list("pk", flat=True))
        Payment.objects.filter(pk__in=ids).update(status=to_status, version=F("version") + 1, reason=text, updated_at=now)
        payments = payment_rows_lock(Payment.objects.filter(pk__in=ids))
    if payments:
        cycles = {c.pk: c for c in Cycle.objects.filter(pk__in={p.cycle_id for p in payments})}
        _record([(p, from_status, text) for p in payments], cycles=cycles, actor=actor, at=now)
    return payments


def payment_transition(*, payment: Payment, to_status: str, actor: str = "", reason: str = "", retry: bool = False) -> Payment:
    """One payment (locked by the caller)."""
    payments_transition(payments=[payment], to_status=to_status, actor=actor, reason=reason, retry=retry)
    return payment
