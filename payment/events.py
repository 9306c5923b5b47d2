"""What payment publishes: exactly one `payment.payment.<state>` v1 event per transition of a payment.

Contracts: dsrs/events/contracts/payment.payment.{pending,approved,sent,paid,failed,cancelled,reversed}.v1.json.
The stand-in's `payment.payment.scheduled|completed` are no longer published (their contracts stay,
for the events still in logs and dead-letter queues).
"""

from datetime import datetime

from dsrs.events.outbox import publish_many

CONTRACT_VERSION = 1


def payment_event_type(status: str) -> str:
    return f"payment.payment.{status}"


def publish_payment_transitions(transitions, *, cycles: dict, occurred_at: datetime) -> None:
    """The event of each transition just made, in their order: (payment, previous_status, reason) each,
    the payment's fields (a Payment or any object with its attributes) already holding the new state;
    `cycles` by id. Written with `publish_many`, one call per event type (payments_transition makes
    one type per call), so what the events share is made once."""
    when = occurred_at.isoformat()
    of_cycle = {pk: {"cycle_id": str(c.id), "cycle_code": c.code, "period_start": c.period_start.isoformat(),
                     "period_end": c.period_end.isoformat()} for pk, c in cycles.items()}
    batch_ids: dict = {None: None}
    by_type: dict[str, list] = {}
    for payment, previous_status, reason in transitions:
        batch_id = payment.batch_id
        if batch_id not in batch_ids:
            batch_ids[batch_id] = str(batch_id)
        cycle = of_cycle[payment.cycle_id]
        household_id = str(payment.household_id)
        data = {
            "payment_id": str(payment.id),
            "entitlement_id": str(payment.entitlement_id),
            "household_id": household_id,
            "program_code": payment.program_code,
            "cycle_id": cycle["cycle_id"],
            "cycle_code": cycle["cycle_code"],
            "period_start": cycle["period_start"],
            "period_end": cycle["period_end"],
            "batch_id": batch_ids[batch_id],
            "status": payment.status,
            "previous_status": previous_status,
            "payment_version": payment.version,
            "attempt": payment.attempt,
            "amount_centavos": payment.amount_centavos,
            "currency": payment.currency,
            "region_code": payment.region_code,
            "province_code": payment.province_code,
            "municipality_code": payment.municipality_code,
            "barangay_code": payment.barangay_code,
            "reason": reason[:500],
            "occurred_at": when,
        }
        by_type.setdefault(payment_event_type(payment.status), []).append((household_id, data))
    for event_type, items in by_type.items():
        publish_many(event_type, items=items, version=CONTRACT_VERSION)
