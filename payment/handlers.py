"""Payment's consumer group: every approval leads to one scheduled payment per cycle."""

from datetime import datetime
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services

GROUP = "payment"
LEVELS_BELOW_REGION = ("province_code", "municipality_code", "barangay_code")


def _levels_below_region(event: Event) -> dict[str, str]:
    """v1 approvals, still in logs and dead-letter queues, name no level below the region."""
    return {level: "" if event.schema_version == 1 else event.data[level] for level in LEVELS_BELOW_REGION}


def _approval(event: Event) -> services.Approval:
    data = event.data
    return services.Approval(
        household_id=UUID(data["household_id"]),
        assessment_id=UUID(data["assessment_id"]),
        program_code=data["program_code"],
        region_code=data["region_code"],
        cycle=services.cycle_of(datetime.fromisoformat(data["assessed_at"])),
        **_levels_below_region(event),
    )


@subscribe(group=GROUP, event_type="eligibility.assessment.approved", batch=True)
def on_assessments_approved(events: list[Event]) -> None:
    services.payments_schedule(approvals=[_approval(event) for event in events])
