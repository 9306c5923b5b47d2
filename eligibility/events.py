"""What eligibility publishes. Contracts: dsrs/events/contracts/eligibility.assessment.*.v1.json."""

from dsrs.events import publish

from .models import Assessment

ASSESSMENT_APPROVED = "eligibility.assessment.approved"
ASSESSMENT_DENIED = "eligibility.assessment.denied"


def publish_assessment_decided(assessment: Assessment) -> None:
    event_type = ASSESSMENT_APPROVED if assessment.decision == Assessment.Decision.APPROVED else ASSESSMENT_DENIED
    publish(
        event_type,
        subject=str(assessment.household_id),
        data={
            "assessment_id": str(assessment.id),
            "household_id": str(assessment.household_id),
            "household_version": assessment.household_version,
            "program_code": assessment.program_code,
            "decision": assessment.decision,
            "reasons": assessment.reasons,
            "region_code": assessment.region_code,
            "pmt_score": float(assessment.pmt_score),
            "monthly_income": f"{assessment.monthly_income:.2f}",
            "assessed_at": assessment.assessed_at.isoformat(),
        },
    )
