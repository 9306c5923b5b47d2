"""Analytics' consumer group: assessments and payments into the read model."""

from datetime import datetime

from dsrs.events import Event, subscribe

from . import services
from .facts import LEVELS_BELOW_REGION, AssessmentFact, PaymentFact, centavos

GROUP = "analytics"
ASSESSED = ("eligibility.assessment.approved", "eligibility.assessment.denied")
SCHEDULED = "payment.payment.scheduled"
COMPLETED = "payment.payment.completed"
# payment's lifecycle v1 (issue 9): counted as the stand-in's scheduled and completed until analytics
# counts every state (issue 10).
PENDING = "payment.payment.pending"
PAID = "payment.payment.paid"


def _levels_below_region(event: Event) -> dict[str, str]:
    """v1 events, still in logs and dead-letter queues, name no level below the region."""
    return {level: "" if event.schema_version == 1 else event.data[level] for level in LEVELS_BELOW_REGION}


def _assessment(event: Event) -> AssessmentFact:
    data = event.data
    return AssessmentFact(household_id=data["household_id"], household_version=data["household_version"],
                          program_code=data["program_code"], decision=data["decision"],
                          region_code=data["region_code"], assessed_at=datetime.fromisoformat(data["assessed_at"]),
                          **_levels_below_region(event))


def _lifecycle_payment(event: Event) -> PaymentFact:
    data = event.data
    moment = datetime.fromisoformat(data["occurred_at"])
    return PaymentFact(payment_id=data["payment_id"], household_id=data["household_id"],
                       program_code=data["program_code"], cycle=data["period_start"][:7],
                       amount_centavos=data["amount_centavos"], currency=data["currency"],
                       region_code=data["region_code"], **{level: data[level] for level in LEVELS_BELOW_REGION},
                       **({"scheduled_at": moment} if event.type == PENDING else {"completed_at": moment}))


def _payment(event: Event) -> PaymentFact:
    if event.type in (PENDING, PAID):
        return _lifecycle_payment(event)
    data = event.data
    moments = ({"scheduled_at": datetime.fromisoformat(data["scheduled_at"])} if event.type == SCHEDULED
               else {"completed_at": datetime.fromisoformat(data["completed_at"])})
    return PaymentFact(payment_id=data["payment_id"], household_id=data["household_id"],
                       program_code=data["program_code"], cycle=data["cycle"],
                       amount_centavos=centavos(data["amount"]), currency=data["currency"],
                       region_code=data["region_code"], **_levels_below_region(event), **moments)


@subscribe(group=GROUP, event_type=ASSESSED[0], batch=True)
@subscribe(group=GROUP, event_type=ASSESSED[1], batch=True)
@subscribe(group=GROUP, event_type=SCHEDULED, batch=True)
@subscribe(group=GROUP, event_type=COMPLETED, batch=True)
@subscribe(group=GROUP, event_type=PENDING, batch=True)
@subscribe(group=GROUP, event_type=PAID, batch=True)
def on_events(events: list[Event]) -> None:
    services.facts_record(
        assessments=[_assessment(e) for e in events if e.type in ASSESSED],
        payments_scheduled=[_payment(e) for e in events if e.type in (SCHEDULED, PENDING)],
        payments_completed=[_payment(e) for e in events if e.type in (COMPLETED, PAID)],
    )
