"""Importing a provider's settlement file, and reconciling it against what was sent.

Lines are matched to the disbursement lines by reference. A line that matches moves its payment:
COMPLETED sent → paid, FAILED sent → failed (reason kept), REVERSED paid → reversed (sent → paid →
reversed when the return is the first word of it). Every mismatch becomes a ReconciliationException
and moves nothing: unknown reference, amount differs, duplicate line (twice in the file, or already
settled), line for a cancelled payment, a status the payment cannot take, and each payment of a
disbursement file this settlement answers that the file does not mention (missing). The file is kept
as received, imported once by its SHA-256: importing it again changes nothing.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from dsrs.events.bulk import insert_rows, pg_array

from .. import states
from ..audit import Action, audit
from ..errors import PaymentError
from ..lock_objects import PaymentRow, payments_lock
from ..models import DisbursementLine, Payment, ReconciliationException, SettlementFile, SettlementLine
from ..providers import SettlementFormatError, provider_for
from .payments import Move, payment_rows, payment_transition, payments_apply, row_columns

K = ReconciliationException.Kind
P = Payment.Status
CHUNK = 5000


class SentLine(NamedTuple):
    """A disbursement line as reconciliation reads it."""

    pk: int
    file_id: object
    reference: str
    payment_id: object
    attempt: int
    amount_centavos: int
    settled: bool


@dataclass
class Import:
    file: SettlementFile
    already_imported: bool = False
    counts: dict = field(default_factory=lambda: defaultdict(int))


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


@transaction.atomic
def settlement_import(*, content: bytes, name: str, provider_code: str = "mifos-csv", actor: str,
                      channel: str = "command") -> Import:
    digest = hashlib.sha256(content).hexdigest()
    existing = SettlementFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return Import(file=existing, already_imported=True)
    try:
        rows = provider_for(provider_code).read_settlement_file(content)
    except SettlementFormatError as exc:
        raise PaymentError(str(exc), code="bad_settlement_file") from None
    settlement = SettlementFile.objects.create(name=name[:200], sha256=digest, content=content.decode("utf-8-sig"),
                                               line_count=len(rows), imported_by=actor)
    sent_lines, payments = _sent({r.reference for r in rows})

    exceptions, outcomes, seen = [], [], set()
    moves, counts, settled = [], {P.PAID: 0, P.FAILED: 0, P.REVERSED: 0}, []
    paid_reason = f"settled in {settlement.name}"

    def refuse(row, kind, detail, line=None, payment=None):
        exceptions.append((row, ReconciliationException(
            settlement=settlement, kind=kind, reference=row.reference[:64], payment_id=payment.pk if payment else None,
            detail=detail[:500],
            expected_centavos=line.amount_centavos if line else None, found_centavos=row.amount_centavos,
            region_code=payment.region_code if payment else "")))
        outcomes.append(SettlementLine.Outcome.EXCEPTION)

    for row in rows:
        line = sent_lines.get(row.reference)
        payment = payments.get(line.payment_id) if line else None
        if row.reference in seen:
            refuse(row, K.DUPLICATE_LINE, f"line {row.line_number} repeats reference {row.reference}", line, payment)
            continue
        seen.add(row.reference)
        if line is None:
            refuse(row, K.UNKNOWN_REFERENCE, f"line {row.line_number}: no payment was sent under {row.reference}")
        elif row.amount_centavos != line.amount_centavos:
            refuse(row, K.AMOUNT_MISMATCH, f"line {row.line_number}: {row.amount_centavos} centavos reported, "
                                           f"{line.amount_centavos} sent", line, payment)
        elif payment.status == P.CANCELLED:
            refuse(row, K.CANCELLED_PAYMENT, f"line {row.line_number}: the payment was cancelled", line, payment)
        elif line.settled and not (row.status == "REVERSED" and payment.status == P.PAID):
            refuse(row, K.DUPLICATE_LINE, f"line {row.line_number}: {row.reference} was settled before "
                                          f"(payment {payment.status})", line, payment)
        elif payment.attempt != line.attempt or not _may(payment.status, row.status):
            refuse(row, K.UNEXPECTED_STATUS, f"line {row.line_number}: {row.status} for a payment {payment.status} "
                                             f"at attempt {payment.attempt} (line of attempt {line.attempt})",
                   line, payment)
        else:
            outcomes.append(SettlementLine.Outcome.APPLIED)
            settled.append(line.pk)
            if row.status == "COMPLETED":
                steps = ((P.PAID, paid_reason),)
            elif row.status == "FAILED":
                steps = ((P.FAILED, f"provider: {row.reason or 'failed'}"),)
            else:
                returned = f"provider returned the money: {row.reason or 'returned'}"
                steps = ((P.PAID, paid_reason), (P.REVERSED, returned)) if payment.status == P.SENT else (
                    (P.REVERSED, returned),)
            moves.append(Move(payment, steps))
            for to_status, _ in steps:
                counts[to_status] += 1

    for chunk in _chunks(settled):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {DisbursementLine._meta.db_table} SET settled = true "
                               "WHERE id = ANY(%s::bigint[])", [pg_array(chunk)])
        else:
            DisbursementLine.objects.filter(pk__any_of=chunk).update(settled=True)
    # Missing: every payment of a disbursement file answered here that the file does not name (its
    # lines are the answered files' lines still unsettled: those settled just now are marked above).
    answered_files = {line.file_id for line in sent_lines.values()}
    missing = (DisbursementLine.objects.filter(file_id__in=answered_files, settled=False, payment__status=P.SENT)
               .select_related("payment", "file"))
    missing = [m for m in missing if m.reference not in seen and m.attempt == m.payment.attempt]

    insert_rows(SettlementLine, ("file_id", "line_number", "reference", "status", "amount_centavos", "reason", "outcome"),
                [(settlement.pk, r.line_number, r.reference[:64], r.status, r.amount_centavos, r.reason[:500], outcome)
                 for r, outcome in zip(rows, outcomes)], binary=True)
    by_number = {line.line_number: line for line in SettlementLine.objects.filter(file=settlement)
                 .filter(outcome=SettlementLine.Outcome.EXCEPTION)}
    for row, exception in exceptions:
        exception.line = by_number[row.line_number]
    ReconciliationException.objects.bulk_create(
        [e for _, e in exceptions]
        + [ReconciliationException(settlement=settlement, kind=K.MISSING, reference=m.reference, payment=m.payment,
                                   expected_centavos=m.amount_centavos, region_code=m.payment.region_code,
                                   detail=f"{m.reference} was sent in {m.file.name} "
                                          "and is not in this settlement")
           for m in missing], batch_size=1000)
    payments_apply(moves=moves, actor=actor)
    settlement.paid, settlement.failed, settlement.reversed = counts[P.PAID], counts[P.FAILED], counts[P.REVERSED]
    settlement.exceptions = len(exceptions) + len(missing)
    settlement.save(update_fields=["paid", "failed", "reversed", "exceptions"])
    audit(actor=actor, action=Action.CREATE, object_type="payment.settlement", object_ids=[settlement.pk],
          channel=channel, reason=f"{settlement.name}: {len(rows)} lines, {settlement.paid} paid, {settlement.failed} "
                                  f"failed, {settlement.reversed} reversed, {settlement.exceptions} exceptions")
    return Import(file=settlement)


def _sent(references: set) -> tuple[dict, dict]:
    """The disbursement lines of these references (by reference) and their payments (by id), read without
    a lock: payments_apply moves a payment only if it is still at the version read here. On PostgreSQL one
    query for both, the ids as text; elsewhere two through the ORM."""
    sent_lines, payments = {}, {}
    if connection.vendor == "postgresql":
        line_columns = ", ".join({"pk": "l.id", "payment_id": "l.payment_id::text"}.get(name, f"l.{name}")
                                 for name in SentLine._fields)
        width = len(SentLine._fields)
        with connection.cursor() as cursor:
            for chunk in _chunks(references):
                cursor.execute(f"SELECT {line_columns}, {row_columns('p.')} FROM {DisbursementLine._meta.db_table} l "
                               f"JOIN {Payment._meta.db_table} p ON p.id = l.payment_id "
                               "WHERE l.reference = ANY(%s::varchar[])", [pg_array(chunk, text=True)])
                for row in cursor.fetchall():
                    line = SentLine._make(row[:width])
                    sent_lines[line.reference] = line
                    if line.payment_id not in payments:
                        payments[line.payment_id] = PaymentRow((*row[width:], None))
        return sent_lines, payments
    for chunk in _chunks(references):
        sent_lines.update((line.reference, line) for line in map(SentLine._make, DisbursementLine.objects.filter(
            reference__any_of=chunk).values_list(*SentLine._fields)))
    for chunk in _chunks({line.payment_id for line in sent_lines.values()}):
        payments.update((p.pk, p) for p in payment_rows(Payment.objects.filter(pk__any_of=chunk)))
    return sent_lines, payments


def _may(payment_status: str, line_status: str) -> bool:
    if line_status in ("COMPLETED", "FAILED"):
        return payment_status == P.SENT
    return payment_status in (P.SENT, P.PAID)  # REVERSED


class Resolution:
    DISMISS = "dismiss"
    MARK_PAID = "mark_paid"
    MARK_FAILED = "mark_failed"
    CHOICES = [(DISMISS, "Resolved, nothing to change"), (MARK_PAID, "Resolved: the payment was paid"),
               (MARK_FAILED, "Resolved: the payment failed (it may be retried)")]


@transaction.atomic
def exception_resolve(*, exception_id, actor: str, resolution: str, note: str, channel: str = "admin"
                      ) -> ReconciliationException:
    """A payment officer closes an exception, moving its payment where the evidence says (sent only)."""
    exception = ReconciliationException.objects.select_for_update().get(pk=exception_id)
    if exception.status == ReconciliationException.Status.RESOLVED:
        raise PaymentError("this exception is resolved already", code="resolved")
    if not note.strip():
        raise PaymentError("say how it was resolved", code="note_required")
    if resolution != Resolution.DISMISS:
        if exception.payment_id is None:
            raise PaymentError("no payment to move for this exception: dismiss it with a note", code="no_payment")
        (payment,) = payments_lock(Payment.objects.filter(pk=exception.payment_id))
        to_status = P.PAID if resolution == Resolution.MARK_PAID else P.FAILED
        if payment.status != P.SENT:
            states.check_payment(payment.status, to_status)
        payment_transition(payment=payment, to_status=to_status, actor=actor,
                           reason=f"reconciliation: {note}"[:500])
    exception.status, exception.resolution = ReconciliationException.Status.RESOLVED, f"{resolution}: {note}"[:500]
    exception.resolved_by, exception.resolved_at = actor, timezone.now()
    exception.save()
    audit(actor=actor, action=Action.UPDATE, object_type="payment.reconciliationexception", object_ids=[exception.pk],
          reason=exception.resolution, channel=channel)
    return exception
