"""What eligibility publishes. Contracts: dsrs/events/contracts/eligibility.assessment.*.v2.json and
eligibility.enrolment.*.v1.json."""

from datetime import date

from dsrs.events import publish

from .models import Assessment, Enrolment, Program

ASSESSMENT_APPROVED = "eligibility.assessment.approved"
ASSESSMENT_DENIED = "eligibility.assessment.denied"
CONTRACT_VERSION = 2
ENROLMENT_EVENT = "eligibility.enrolment.{status}"
ENROLMENT_CONTRACT_VERSION = 1
# Only these statuses are announced; `eligible` is never kept, a household goes on at once.
ANNOUNCED = {Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED, Enrolment.Status.SUSPENDED,
             Enrolment.Status.EXITED}


def publish_assessment_decided(assessment: Assessment) -> None:
    event_type = ASSESSMENT_APPROVED if assessment.decision == Assessment.Decision.APPROVED else ASSESSMENT_DENIED
    publish(
        event_type,
        subject=str(assessment.household_id),
        version=CONTRACT_VERSION,
        data={
            "assessment_id": str(assessment.id),
            "household_id": str(assessment.household_id),
            "household_version": assessment.household_version,
            "program_code": assessment.program_code,
            "decision": assessment.decision,
            "reasons": assessment.reasons,
            "region_code": assessment.region_code,
            "province_code": assessment.province_code,
            "municipality_code": assessment.municipality_code,
            "barangay_code": assessment.barangay_code,
            "pmt_score": float(assessment.pmt_score),
            "monthly_income": f"{assessment.monthly_income:.2f}",
            "assessed_at": assessment.assessed_at.isoformat(),
        },
    )


def publish_enrolment_changed(enrolment: Enrolment, *, previous_status: str, program: Program,
                              effective_on: date) -> None:
    publish(
        ENROLMENT_EVENT.format(status=enrolment.status),
        subject=str(enrolment.household_id),
        version=ENROLMENT_CONTRACT_VERSION,
        data={
            "enrolment_id": str(enrolment.id),
            "household_id": str(enrolment.household_id),
            "program_code": enrolment.program_code,
            "benefit_kind": program.benefit_kind,
            "status": enrolment.status,
            "previous_status": previous_status if previous_status in ANNOUNCED else "",
            "enrolment_version": enrolment.version,
            "reason": enrolment.reason,
            "assessment_id": str(enrolment.assessment_id) if enrolment.assessment_id else None,
            "region_code": enrolment.region_code,
            "province_code": enrolment.province_code,
            "municipality_code": enrolment.municipality_code,
            "barangay_code": enrolment.barangay_code,
            "pmt_score": float(enrolment.pmt_score),
            "effective_on": effective_on.isoformat(),
        },
    )
