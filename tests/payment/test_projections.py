"""Payment's projection of enrolments: version-guarded, idempotent, the same batched or one by one."""

import uuid
from datetime import date

import pytest
from django.db import transaction

from dsrs.events import Event, publish
from payment import services
from payment.handlers import on_events
from payment.models import EnrolmentFact, Entitlement, Payment

from .helpers import CENTRAL_VISAYAS, PREPARER, enrol, enrolment, generated_cycle

pytestmark = pytest.mark.django_db


def enrolment_event(household_id, status, version) -> Event:
    data = {"enrolment_id": str(uuid.uuid5(uuid.NAMESPACE_OID, str(household_id))), "household_id": str(household_id),
            "program_code": "4PS", "benefit_kind": "cash", "status": status, "previous_status": "",
            "enrolment_version": version, "reason": "", "assessment_id": None, "region_code": CENTRAL_VISAYAS,
            "province_code": "", "municipality_code": "", "barangay_code": "", "pmt_score": 0.2,
            "effective_on": "2026-11-01"}
    with transaction.atomic():
        return publish(f"eligibility.enrolment.{status}", subject=str(household_id), data=data)


def test_replayed_enrolment_events_create_no_second_entitlement():
    (household,) = enrol(1)
    events = [enrolment_event(household, "enrolled", 1)]
    cycle = generated_cycle()
    for _ in range(3):
        on_events(events)
    services.cycle_generate(cycle_id=cycle.pk, actor=PREPARER)
    assert Entitlement.objects.count() == Payment.objects.count() == 1


def test_an_older_enrolment_event_after_a_newer_one_changes_nothing_batched_or_one_by_one():
    household = uuid.uuid4()
    events = [enrolment_event(household, "enrolled", 1), enrolment_event(household, "suspended", 2),
              enrolment_event(household, "enrolled", 3), enrolment_event(household, "exited", 2)]
    on_events(events)
    batched = EnrolmentFact.objects.values_list("status", "enrolment_version").get()
    EnrolmentFact.objects.all().delete()
    for event in events:
        on_events([event])
    assert EnrolmentFact.objects.values_list("status", "enrolment_version").get() == batched == ("enrolled", 3)


def test_the_database_refuses_a_second_entitlement_for_a_household_program_and_cycle():
    from django.db import IntegrityError

    enrol(1)
    cycle = generated_cycle()
    entitlement = Entitlement.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(cycle=cycle, batch_id=entitlement.batch_id, household_id=entitlement.household_id,
                                   program_code="4PS", enrolment_id=entitlement.enrolment_id, amount_centavos=1,
                                   currency="PHP", formula_id=1, formula_version=1, breakdown={},
                                   region_code=CENTRAL_VISAYAS)


def test_a_suspension_cancels_the_unsent_payment_and_waitlisting_keeps_a_household_out_of_the_next_cycle():
    first, second = enrol(2)
    generated_cycle()
    services.enrolments_apply(changes=[enrolment(first, status="suspended", version=2, reason="officer's review")])
    assert dict(Payment.objects.values_list("household_id", "status")) == {first: "cancelled", second: "pending"}
    assert Payment.objects.get(household_id=first).reason == "enrolment suspended: officer's review"
    services.enrolments_apply(changes=[enrolment(second, status="exited", version=2)])
    january = services.cycle_create(program_code="4PS", on=date(2027, 1, 3), actor=PREPARER)
    assert services.cycle_generate(cycle_id=january.pk, actor=PREPARER).created == 0
