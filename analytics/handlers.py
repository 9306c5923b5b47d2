"""Analytics' consumer group: assessments and payments into the read model."""

from datetime import datetime

from dsrs.events import Event, subscribe

from . import services
from .facts import AssessmentFact, PaymentFact, centavos

GROUP = "analytics"


@subscribe(group=GROUP, event_type="eligibility.assessment.approved")
@subscribe(group=GROUP, event_type="eligibility.assessment.denied")
def on_assessment(event: Event) -> None:
    data = event.data
    services.assessment_record(fact=AssessmentFact(
        household_id=data["household_id"],
        household_version=data["household_version"],
        program_code=data["program_code"],
        decision=data["decision"],
        region_code=data["region_code"],
        assessed_at=datetime.fromisoformat(data["assessed_at"]),
    ))


def _payment(event: Event, **moments) -> PaymentFact:
    data = event.data
    return PaymentFact(payment_id=data["payment_id"], household_id=data["household_id"],
                       program_code=data["program_code"], cycle=data["cycle"],
                       amount_centavos=centavos(data["amount"]), currency=data["currency"],
                       region_code=data["region_code"], **moments)


@subscribe(group=GROUP, event_type="payment.payment.scheduled")
def on_payment_scheduled(event: Event) -> None:
    scheduled_at = datetime.fromisoformat(event.data["scheduled_at"])
    services.payment_scheduled_record(fact=_payment(event, scheduled_at=scheduled_at))


@subscribe(group=GROUP, event_type="payment.payment.completed")
def on_payment_completed(event: Event) -> None:
    completed_at = datetime.fromisoformat(event.data["completed_at"])
    services.payment_completed_record(fact=_payment(event, completed_at=completed_at))
