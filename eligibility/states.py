"""The enrolment lifecycle: which status may follow which. One table, checked by enrolment_transition."""

from .models import Enrolment

S = Enrolment.Status

TRANSITIONS: dict[str, set[str]] = {
    S.ELIGIBLE: {S.ENROLLED, S.WAITLISTED, S.EXITED},
    S.WAITLISTED: {S.ENROLLED, S.EXITED},
    S.ENROLLED: {S.SUSPENDED, S.EXITED},
    S.SUSPENDED: {S.ENROLLED, S.EXITED},
    S.EXITED: {S.ENROLLED, S.WAITLISTED},
}
# Statuses that hold a place in the program's regional capacity.
HOLDS_PLACE = {S.ENROLLED, S.SUSPENDED}
# Statuses a household is in while it qualifies (an exit leaves them).
IN_PROGRAM = {S.ENROLLED, S.WAITLISTED, S.SUSPENDED}


class IllegalTransition(ValueError):
    def __init__(self, from_status: str, to_status: str):
        super().__init__(f"an enrolment cannot go from {from_status} to {to_status}")
        self.from_status, self.to_status = from_status, to_status


def check(from_status: str, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise IllegalTransition(from_status, to_status)
