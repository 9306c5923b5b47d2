"""Payment consuming approvals: the household's place reaches the payment and both of its events."""

import pytest
from django.db import transaction

from dsrs.events import Event, publish
from dsrs.events.models import OutboxEvent
from payment.handlers import on_assessments_approved
from payment.models import Payment
from payment.services import payments_complete_due
from tests.factories import location_in

pytestmark = pytest.mark.django_db

CENTRAL_VISAYAS = "0700000000"
LEVELS = ("region_code", "province_code", "municipality_code", "barangay_code")
APPROVAL = {"assessment_id": "5b6f7a52-2a4e-4a55-8d0e-1b7c3f3b9e01",
            "household_id": "7d0c8c1e-3f0e-4a43-9a57-3c2b8d1f0a11", "household_version": 1, "program_code": "4PS", "decision": "approved", "reasons": [],
            "region_code": CENTRAL_VISAYAS, "pmt_score": 0.31, "monthly_income": "6500.00",
            "assessed_at": "2026-11-24T08:00:00+08:00"}


def approved(*, version: int, data: dict) -> Event:
    with transaction.atomic():
        return publish("eligibility.assessment.approved", subject=data["household_id"], version=version, data=data)


def published(event_type: str) -> list[Event]:
    return [Event.from_dict(row.envelope) for row in OutboxEvent.objects.filter(event_type=event_type).order_by("id")]


def place_in(event: Event) -> dict:
    return {level: event.data[level] for level in LEVELS}


def test_a_payment_and_its_scheduled_and_completed_events_keep_the_place_of_a_v2_approval(settings):
    settings.PAYMENT_COMPLETION_DELAY_SECONDS = 0
    place = location_in(CENTRAL_VISAYAS)

    on_assessments_approved([approved(version=2, data=APPROVAL | place)])
    payments_complete_due()

    assert Payment.objects.values(*LEVELS).get() == place
    (scheduled,), (completed,) = published("payment.payment.scheduled"), published("payment.payment.completed")
    assert (scheduled.schema_version, completed.schema_version) == (2, 2)
    assert place_in(scheduled) == place_in(completed) == place


def test_a_v1_approval_left_in_a_log_is_still_paid_with_no_place_below_the_region():
    on_assessments_approved([approved(version=1, data=APPROVAL)])

    region_only = {"region_code": CENTRAL_VISAYAS, "province_code": "", "municipality_code": "", "barangay_code": ""}
    assert Payment.objects.values(*LEVELS).get() == region_only
    (scheduled,) = published("payment.payment.scheduled")
    assert scheduled.schema_version == 2
    assert place_in(scheduled) == region_only
