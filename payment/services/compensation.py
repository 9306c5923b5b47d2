"""The saga's compensation: a household that leaves a program (exit, suspension) is not paid for it.

Before its payment reaches the provider the payment is cancelled (with its event); once sent, the
payment stands (the money may already be in the household's hands) and is flagged for the payment
officer, who takes it up with the provider or the household.
"""

from django.db import transaction

from .. import states
from ..lock_objects import payments_lock
from ..models import Payment
from .payments import payments_transition


@transaction.atomic
def enrolments_compensate(*, leaving: list[tuple]) -> dict[str, int]:
    """`leaving`: (household_id, program_code, status, reason) of enrolments that have just left."""
    cancelled = flagged = 0
    for household_id, program_code, status, reason in leaving:
        why = f"enrolment {status}" + (f": {reason}" if reason else "")
        mine = Payment.objects.filter(household_id=household_id, program_code=program_code)
        unsent = payments_lock(mine.filter(status__in=states.UNSENT))
        cancelled += payments_transition(payments=unsent, to_status=Payment.Status.CANCELLED, actor="system",
                                         reason=why)
        flagged += mine.filter(status__in=states.WITH_PROVIDER).update(
            needs_review=True, review_reason=f"{why}, after the payment was sent"[:500])
    return {"cancelled": cancelled, "flagged": flagged}
