"""Enrolled households in payment's own projection, as eligibility's and the registry's events would leave them."""

import uuid
from datetime import date

from payment import services
from payment.models import Batch, Cycle

CENTRAL_VISAYAS = "0700000000"
PREPARER, APPROVER = "user:1:preparer", "user:2:approver"
CHILD_IN_SCHOOL = {"relationship": "child", "age": 10, "birth_month": "2016-03", "attending_school": True,
                   "is_pregnant": False, "has_disability": False}
HEAD = {"relationship": "head", "age": 40, "birth_month": "1986-01", "attending_school": False, "is_pregnant": False,
        "has_disability": False}


def enrolment(household_id, *, status="enrolled", version=1, program_code="4PS", region_code=CENTRAL_VISAYAS,
              reason=""):
    return services.EnrolmentChange(
        household_id=household_id, program_code=program_code, enrolment_id=uuid.uuid5(uuid.NAMESPACE_OID, str(household_id)),
        status=status, enrolment_version=version, reason=reason, effective_on=date(2026, 11, 1),
        region_code=region_code, province_code="", municipality_code="", barangay_code="")


def enrol(count, *, children=0, region_code=CENTRAL_VISAYAS) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    services.households_apply(changes=[services.HouseholdChange(household_id=h, version=1, observed_on=date(2026, 11, 1),
                                                                members=[HEAD] + [CHILD_IN_SCHOOL] * children)
                                       for h in ids])
    services.enrolments_apply(changes=[enrolment(h, region_code=region_code) for h in ids])
    return ids


def generated_cycle(on=date(2026, 12, 5)) -> Cycle:
    cycle = services.cycle_create(program_code="4PS", on=on, actor=PREPARER)
    services.cycle_generate(cycle_id=cycle.pk, actor=PREPARER)
    return Cycle.objects.get(pk=cycle.pk)


def approved_cycle(on=date(2026, 12, 5)) -> Cycle:
    cycle = generated_cycle(on)
    services.cycle_submit(cycle_id=cycle.pk, actor=PREPARER)
    for batch in Batch.objects.filter(cycle=cycle):
        services.batch_approve(batch_id=batch.pk, actor=APPROVER)
    return Cycle.objects.get(pk=cycle.pk)


def exported_files(cycle):
    return [services.batch_export(batch_id=b.pk, actor=APPROVER) for b in Batch.objects.filter(cycle=cycle).order_by("number")]


def payments_for(households: list[tuple]) -> Cycle:
    """A pending payment for each (household_id, region_code), in a generated December cycle."""
    services.households_apply(changes=[services.HouseholdChange(household_id=h, version=1, observed_on=date(2026, 11, 1),
                                                                members=[HEAD]) for h, _ in households])
    services.enrolments_apply(changes=[enrolment(h, region_code=region) for h, region in households])
    return generated_cycle()
