"""What eligibility publishes. Contracts: dsrs/events/contracts/eligibility.assessment.*.v2.json."""

from dsrs.events import publish

from .models import Assessment

ASSESSMENT_APPROVED = "eligibility.assessment.approved"
ASSESSMENT_DENIED = "eligibility.assessment.denied"
CONTRACT_VERSION = 2


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
