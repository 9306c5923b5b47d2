"""Every lifecycle of payment as one table of allowed next states, checked by one function each."""

from .errors import IllegalTransition
from .models import Batch, Cycle, Payment

C, B, P = Cycle.Status, Batch.Status, Payment.Status

CYCLE: dict[str, set[str]] = {
    C.DRAFT: {C.TO_APPROVE, C.CANCELLED},
    C.TO_APPROVE: {C.APPROVED, C.DRAFT, C.CANCELLED},
    C.APPROVED: {C.DISTRIBUTED},
    C.DISTRIBUTED: {C.CLOSED},
    C.CLOSED: set(),
    C.CANCELLED: set(),
}

BATCH: dict[str, set[str]] = {
    B.DRAFT: {B.SUBMITTED, B.CANCELLED},
    B.SUBMITTED: {B.APPROVED, B.DRAFT, B.CANCELLED},
    B.APPROVED: {B.EXPORTED},
    B.EXPORTED: set(),
    B.CANCELLED: set(),
}

PAYMENT: dict[str, set[str]] = {
    P.PENDING: {P.APPROVED, P.CANCELLED},
    P.APPROVED: {P.SENT, P.CANCELLED},
    P.SENT: {P.PAID, P.FAILED},
    P.PAID: {P.REVERSED},
    P.FAILED: {P.APPROVED, P.CANCELLED},  # approved again is the retry: attempt + 1
    P.CANCELLED: set(),
    P.REVERSED: set(),
}
# Not yet handed to the provider: an exit or a suspension cancels these.
UNSENT = (P.PENDING, P.APPROVED, P.FAILED)
# The provider has it or has paid it: an exit flags these for the officer instead.
WITH_PROVIDER = (P.SENT,)
FINAL = (P.PAID, P.CANCELLED, P.REVERSED)


def check(table: dict[str, set[str]], thing: str, from_status: str, to_status: str) -> None:
    if to_status not in table.get(from_status, set()):
        raise IllegalTransition(thing, from_status, to_status)


def check_cycle(from_status: str, to_status: str) -> None:
    check(CYCLE, "cycle", from_status, to_status)


def check_batch(from_status: str, to_status: str) -> None:
    check(BATCH, "batch", from_status, to_status)


def check_payment(from_status: str, to_status: str) -> None:
    check(PAYMENT, "payment", from_status, to_status)
