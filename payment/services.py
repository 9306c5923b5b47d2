from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dsrs.events.outbox import buffered as outbox_buffered

from . import events
from .models import Payment


def cycle_of(moment: datetime) -> str:
    """The monthly cycle a moment falls in, by the agency's clock (Philippine time)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m")


@dataclass(frozen=True)
class Approval:
    """What payment knows of an approval: only what eligibility's event told it."""

    household_id: UUID
    assessment_id: UUID
    program_code: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    cycle: str

    @property
    def slot(self) -> tuple[UUID, str, str]:
        return self.household_id, self.program_code, self.cycle


@transaction.atomic
def payments_schedule(*, approvals: list[Approval]) -> list[Payment]:
    """Schedule the one payment of each approved household for its program and cycle.

    An approval whose household already has a payment in that cycle (in the database or earlier in
    `approvals`) schedules nothing: re-assessments within a cycle never pay twice.
    """
    taken = set(
        Payment.objects.filter(household_id__in={a.household_id for a in approvals},
                               cycle__in={a.cycle for a in approvals})
        .values_list("household_id", "program_code", "cycle")
    )
    scheduled = []
    for approval in approvals:
        if approval.slot in taken:
            continue
        taken.add(approval.slot)
        scheduled.append(Payment(
            household_id=approval.household_id,
            assessment_id=approval.assessment_id,
            program_code=approval.program_code,
            cycle=approval.cycle,
            amount=Decimal(settings.PAYMENT_AMOUNT_PER_CYCLE),
            currency=settings.PAYMENT_CURRENCY,
            region_code=approval.region_code,
            province_code=approval.province_code,
            municipality_code=approval.municipality_code,
            barangay_code=approval.barangay_code,
        ))
    Payment.objects.bulk_create(scheduled)
    with outbox_buffered():
        for payment in scheduled:
            events.publish_payment_scheduled(payment)
    return scheduled


@transaction.atomic
def payments_complete_due(*, limit: int | None = None) -> int:
    """Settle scheduled payments that are due, each emitting `payment.payment.completed`.

    Claimed with SKIP LOCKED so that several schedulers never complete the same payment twice.
    """
    due_before = timezone.now() - timedelta(seconds=settings.PAYMENT_COMPLETION_DELAY_SECONDS)
    due = list(
        Payment.objects.select_for_update(skip_locked=True)
        .filter(status=Payment.Status.SCHEDULED, scheduled_at__lte=due_before)
        .order_by("scheduled_at")[: limit or settings.PAYMENT_COMPLETION_BATCH_SIZE]
    )
    now = timezone.now()
    Payment.objects.filter(id__in=[p.id for p in due]).update(status=Payment.Status.COMPLETED, completed_at=now)
    with outbox_buffered():
        for payment in due:
            payment.status, payment.completed_at = Payment.Status.COMPLETED, now
            events.publish_payment_completed(payment)
    return len(due)
