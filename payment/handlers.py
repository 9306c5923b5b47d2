"""Payment's consumer group: every approval leads to one scheduled payment per cycle."""

from datetime import datetime
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services

GROUP = "payment"


def _approval(event: Event) -> services.Approval:
    data = event.data
    return services.Approval(
        household_id=UUID(data["household_id"]),
        assessment_id=UUID(data["assessment_id"]),
        program_code=data["program_code"],
        region_code=data["region_code"],
        cycle=services.cycle_of(datetime.fromisoformat(data["assessed_at"])),
    )


@subscribe(group=GROUP, event_type="eligibility.assessment.approved", batch=True)
def on_assessments_approved(events: list[Event]) -> None:
    services.payments_schedule(approvals=[_approval(event) for event in events])
