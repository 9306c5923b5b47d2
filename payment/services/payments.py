"""The one transition function of the payment lifecycle: checks the table, writes the state, a change
row per payment, and exactly one event per payment; many payments in a few statements."""

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dsrs.events.bulk import insert_rows

from .. import events, states
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
    rows, transitions = [], []
    for payment in payments:
        previous, text = payment.status, reasons.get(payment.pk, reason)[:500]
        payment.status, payment.version, payment.reason, payment.updated_at = to_status, payment.version + 1, text, now
        if retry:
            payment.attempt += 1
        rows.append((payment.pk, previous, to_status, payment.version, payment.attempt, text, actor, now))
        transitions.append((payment, previous, text))
    events.publish_payment_transitions(transitions, cycles=cycles, occurred_at=now)
    insert_rows(PaymentChange, ("payment_id", "from_status", "to_status", "version", "attempt", "reason", "actor", "at"),
                rows)
    return len(payments)


def payment_transition(*, payment: Payment, to_status: str, actor: str = "", reason: str = "", retry: bool = False) -> Payment:
    """One payment (locked by the caller)."""
    payments_transition(payments=[payment], to_status=to_status, actor=actor, reason=reason, retry=retry)
    return payment
