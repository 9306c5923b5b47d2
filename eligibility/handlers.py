"""Eligibility's consumer group: every household event leads to an assessment."""

from decimal import Decimal
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services

GROUP = "eligibility"


def _facts(event: Event) -> services.HouseholdFacts:
    data = event.data
    return services.HouseholdFacts(
        household_id=UUID(data["household_id"]),
        version=data["version"],
        status=data["status"],
        region_code=data["region_code"],
        household_size=data["household_size"],
        monthly_income=Decimal(data["monthly_income"]),
        pmt_score=Decimal(str(data["pmt_score"])),
    )


@subscribe(group=GROUP, event_type="registry.household.registered", batch=True)
@subscribe(group=GROUP, event_type="registry.household.updated", batch=True)
def on_households_changed(events: list[Event]) -> None:
    services.assessments_create(changes=[(_facts(event), UUID(event.id)) for event in events])
