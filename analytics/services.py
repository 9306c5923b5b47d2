"""Applying events to the read model. Each call is idempotent in the store itself."""

from .facts import AssessmentFact, PaymentFact
from .stores import get_store


def facts_record(*, assessments: list[AssessmentFact] = (), payments_scheduled: list[PaymentFact] = (),
                 payments_completed: list[PaymentFact] = ()) -> None:
    get_store().record(assessments=list(assessments), payments_scheduled=list(payments_scheduled),
                       payments_completed=list(payments_completed))
