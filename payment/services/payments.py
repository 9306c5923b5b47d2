"""The one transition function of the payment lifecycle: checks the table, writes the state, a change
row per payment, and exactly one event per payment; many payments in a few statements."""

from collections import defaultdict
from operator import attrgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from dsrs.events.bulk import insert_rows, pg_array

from .. import events, states
from ..errors import PaymentError
from ..lock_objects import PaymentRow, payment_rows_lock
from ..models import Cycle, Payment, PaymentChange

CHUNK = 5000
_AS_TEXT = {"id", "entitlement_id", "batch_id", "household_id"}
assert PaymentRow.FIELDS[-1] == "updated_at"


def row_columns(alias: str = "") -> str:
    """PaymentRow's columns but updated_at, for raw SQL: the ids as text (what the events, change rows and
    files write; their order is the uuids'), so that no uuid is parsed per row."""
    return ", ".join(f"{alias}{name}::text" if name in _AS_TEXT else f"{alias}{name}" for name in PaymentRow.FIELDS[:-1])


_RETURNED = row_columns()


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
                           f"updated_at = %s WHERE {column} = %s AND status = %s RETURNING {_RETURNED}",
                           [to_status, text, now, key, from_status])
            # updated_at as set: no timestamp is parsed per row.
            payments = sorted((PaymentRow((*row, now)) for row in cursor.fetchall()), key=lambda p: p.id)
    else:  # the embedded default (SQLite): the same rows and values through the ORM, one writer at a time
        chosen = Payment.objects.filter(**{column: key, "status": from_status})
        ids = list(chosen.values_list("pk", flat=True))
        Payment.objects.filter(pk__in=ids).update(status=to_status, version=F("version") + 1, reason=text, updated_at=now)
        payments = payment_rows_lock(Payment.objects.filter(pk__in=ids))
    if payments:
        cycles = {c.pk: c for c in Cycle.objects.filter(pk__in={p.cycle_id for p in payments})}
        _record([(p, from_status, text) for p in payments], cycles=cycles, actor=actor, at=now)
    return payments


def payment_rows(queryset) -> list[PaymentRow]:
    """The payments as PaymentRow, read without a lock: for a caller whose write checks the version read
    (payments_apply), so that nothing is locked twice."""
    return [PaymentRow(values) for values in queryset.order_by("pk").values_list(*PaymentRow.FIELDS)]


class Move(NamedTuple):
    """A payment (as read) and the states it goes through, each with its reason: `((paid, why),)`, or
    `((paid, why), (reversed, why))` for a return that is the first word of the payment."""

    payment: PaymentRow
    steps: tuple


_ROW_VALUES = attrgetter(*PaymentRow.FIELDS)


def _stepped(payment: PaymentRow, status: str, version: int, reason: str, at) -> PaymentRow:
    row = PaymentRow(_ROW_VALUES(payment))
    row.status, row.version, row.reason, row.updated_at = status, version, reason, at
    return row


@transaction.atomic
def payments_apply(*, moves: list[Move], actor: str = "") -> int:
    """Move each payment along its steps in one statement, then write a change row and one event per step.

    The payments are read by the caller without a lock (payment_rows); the statement moves a payment only
    if its version is still the one read, and if any one has changed since, nothing moves (PaymentError
    `concurrent_change`: the caller's transaction is rolled back; running it again reads afresh). On
    PostgreSQL one `UPDATE ... FROM unnest(...)` for all of them (no lock pass, no statement per reason).
    Returns how many payments moved."""
    if not moves:
        return 0
    for move in moves:
        status = move.payment.status
        for to_status, _ in move.steps:
            states.check_payment(status, to_status)
            status = to_status
    moves = sorted(moves, key=lambda m: m.payment.id)
    now = timezone.now()
    if connection.vendor == "postgresql":
        columns = (pg_array(m.payment.id for m in moves), pg_array(m.payment.version for m in moves),
                   pg_array((m.steps[-1][0] for m in moves), text=True), pg_array(len(m.steps) for m in moves),
                   pg_array((m.steps[-1][1][:500] for m in moves), text=True))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Payment._meta.db_table} AS p SET status = u.status, version = p.version + u.steps, "
                           "reason = u.reason, updated_at = %s "
                           "FROM unnest(%s::uuid[], %s::integer[], %s::varchar[], %s::integer[], %s::varchar[]) "
                           "AS u(id, version, status, steps, reason) WHERE p.id = u.id AND p.version = u.version",
                           [now, *columns])
            moved = cursor.rowcount
    else:  # the embedded default (SQLite): one writer at a time; the same guard, a statement per kind of move
        groups: dict[tuple, list] = defaultdict(list)
        for m in moves:
            groups[(m.steps[-1][0], len(m.steps), m.steps[-1][1][:500], m.payment.version)].append(m.payment.id)
        moved = sum(Payment.objects.filter(pk__in=ids, version=version).update(
            status=status, version=F("version") + steps, reason=text, updated_at=now)
            for (status, steps, text, version), ids in groups.items())
    if moved != len(moves):
        raise PaymentError(f"{len(moves) - moved} of {len(moves)} payments changed while this was being decided: "
                           "nothing was moved; run it again", code="concurrent_change")
    cycles = {c.pk: c for c in Cycle.objects.filter(pk__in={m.payment.cycle_id for m in moves})}
    depth = max(len(m.steps) for m in moves)
    for step in range(depth):  # every first step, then every second: a payment's events stay in their order
        recorded = []
        for m in moves:
            if step < len(m.steps):
                previous = m.payment.status if step == 0 else m.steps[step - 1][0]
                to_status, text = m.steps[step]
                recorded.append((_stepped(m.payment, to_status, m.payment.version + step + 1, text[:500], now),
                                 previous, text[:500]))
        _record(recorded, cycles=cycles, actor=actor, at=now)
    return len(moves)


def payment_transition(*, payment: Payment, to_status: str, actor: str = "", reason: str = "", retry: bool = False) -> Payment:
    """One payment (locked by the caller)."""
    payments_transition(payments=[payment], to_status=to_status, actor=actor, reason=reason, retry=retry)
    return payment
