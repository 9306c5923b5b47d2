"""What eligibility publishes. Contracts: dsrs/events/contracts/eligibility.assessment.*.v2.json and
eligibility.enrolment.*.v1.json."""

from datetime import date

from dsrs.events.outbox import publish_all

from .models import Assessment, Enrolment, Program

ASSESSMENT_APPROVED = "eligibility.assessment.approved"
ASSESSMENT_DENIED = "eligibility.assessment.denied"
CONTRACT_VERSION = 2
ENROLMENT_EVENT = "eligibility.enrolment.{status}"
ENROLMENT_CONTRACT_VERSION = 1
# Only these statuses are announced; `eligible` is never kept, a household goes on at once.
ANNOUNCED = {Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED, Enrolment.Status.SUSPENDED,
             Enrolment.Status.EXITED}


def assessment_event(assessment: Assessment, *, assessed_at: str | None = None) -> tuple[str, str, dict, int]:
    """(event type, subject, data, contract version) of an assessment's event; `assessed_at`, the time's
    ISO text when the caller made it already."""
    household_id = str(assessment.household_id)
    return (
        ASSESSMENT_APPROVED if assessment.decision == Assessment.Decision.APPROVED else ASSESSMENT_DENIED,
        household_id,
        {
            "assessment_id": str(assessment.id),
            "household_id": household_id,
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
            "assessed_at": assessed_at or assessment.assessed_at.isoformat(),
        },
        CONTRACT_VERSION,
    )


def publish_grouped(events: list[tuple[str, str, dict, int]]) -> None:
    """`publish_all(events)`, the events of one type and version together (in their order within it) when
    no subject has two of them: their order then matters for no household, and each run of one type is a
    `publish_many` with its own setup (approved and denied decisions interleaved made one run of about
    three events each)."""
    if len({event[1] for event in events}) == len(events):
        events = sorted(events, key=lambda event: (event[0], event[3]))  # stable
    publish_all(events)


def publish_assessments_decided(assessments: list) -> None:
    """The events of many assessments (one publish_grouped)."""
    times: dict = {}
    made = []
    for assessment in assessments:
        at = times.get(assessment.assessed_at)
        if at is None:
            at = times[assessment.assessed_at] = assessment.assessed_at.isoformat()
        made.append(assessment_event(assessment, assessed_at=at))
    publish_grouped(made)


def enrolment_event(enrolment: Enrolment, *, previous_status: str, program: Program,
                    effective_on: date) -> tuple[str, str, dict, int]:
    """(event type, subject, data, contract version) of an enrolment's transition, as it stands now."""
    household_id = str(enrolment.household_id)
    return (
        ENROLMENT_EVENT.format(status=enrolment.status),
        household_id,
        {
            "enrolment_id": str(enrolment.id),
            "household_id": household_id,
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
        ENROLMENT_CONTRACT_VERSION,
    )

