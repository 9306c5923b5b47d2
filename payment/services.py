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


@transaction.atomic
def payment_schedule(*, household_id: UUID, assessment_id: UUID, program_code: str, region_code: str,
                     cycle: str) -> Payment | None:
    """Schedule the one payment of a household for a program and cycle; None if it exists already."""
    if Payment.objects.filter(household_id=household_id, program_code=program_code, cycle=cycle).exists():
        return None
    payment = Payment.objects.create(
        household_id=household_id,
        assessment_id=assessment_id,
        program_code=program_code,
        cycle=cycle,
        amount=Decimal(settings.PAYMENT_AMOUNT_PER_CYCLE),
        currency=settings.PAYMENT_CURRENCY,
        region_code=region_code,
    )
    events.publish_payment_scheduled(payment)
    return payment


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
