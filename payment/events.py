"""What payment publishes. Contracts: dsrs/events/contracts/payment.payment.*.v2.json."""

from dsrs.events import publish

from .models import Payment

PAYMENT_SCHEDULED = "payment.payment.scheduled"
PAYMENT_COMPLETED = "payment.payment.completed"
CONTRACT_VERSION = 2


def _common(payment: Payment) -> dict:
    return {
        "payment_id": str(payment.id),
        "household_id": str(payment.household_id),
        "program_code": payment.program_code,
        "cycle": payment.cycle,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "region_code": payment.region_code,
        "province_code": payment.province_code,
        "municipality_code": payment.municipality_code,
        "barangay_code": payment.barangay_code,
    }


def publish_payment_scheduled(payment: Payment) -> None:
    data = _common(payment) | {"assessment_id": str(payment.assessment_id),
                               "scheduled_at": payment.scheduled_at.isoformat()}
    publish(PAYMENT_SCHEDULED, subject=str(payment.household_id), version=CONTRACT_VERSION, data=data)


def publish_payment_completed(payment: Payment) -> None:
    data = _common(payment) | {"completed_at": payment.completed_at.isoformat()}
    publish(PAYMENT_COMPLETED, subject=str(payment.household_id), version=CONTRACT_VERSION, data=data)
