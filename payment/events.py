"""What payment publishes: exactly one `payment.payment.<state>` v1 event per transition of a payment.

Contracts: dsrs/events/contracts/payment.payment.{pending,approved,sent,paid,failed,cancelled,reversed}.v1.json.
The stand-in's `payment.payment.scheduled|completed` are no longer published (their contracts stay,
for the events still in logs and dead-letter queues).
"""

from datetime import datetime

from dsrs.events import publish

from .models import Cycle, Payment

CONTRACT_VERSION = 1


def payment_event_type(status: str) -> str:
    return f"payment.payment.{status}"


def publish_payment_transition(payment: Payment, *, cycle: Cycle, previous_status: str, reason: str,
                               occurred_at: datetime) -> None:
    """The event of the transition `payment` has just made (its fields already hold the new state)."""
    data = {
        "payment_id": str(payment.id),
        "entitlement_id": str(payment.entitlement_id),
        "household_id": str(payment.household_id),
        "program_code": payment.program_code,
        "cycle_id": str(cycle.id),
        "cycle_code": cycle.code,
        "period_start": cycle.period_start.isoformat(),
        "period_end": cycle.period_end.isoformat(),
        "batch_id": str(payment.batch_id) if payment.batch_id else None,
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
        "occurred_at": occurred_at.isoformat(),
    }
    publish(payment_event_type(payment.status), subject=str(payment.household_id), version=CONTRACT_VERSION, data=data)
