"""Applying events to the read model. Each call is idempotent in the store itself."""

from .facts import AssessmentFact, PaymentFact
from .stores import get_store


def assessment_record(*, fact: AssessmentFact) -> None:
    get_store().record_assessment(fact)


def payment_scheduled_record(*, fact: PaymentFact) -> None:
    get_store().record_payment_scheduled(fact)


def payment_completed_record(*, fact: PaymentFact) -> None:
    get_store().record_payment_completed(fact)
