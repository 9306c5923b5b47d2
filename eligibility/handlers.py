"""Eligibility's consumer group: every household event leads to an assessment."""

from decimal import Decimal
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services

GROUP = "eligibility"
LEVELS_BELOW_REGION = ("province_code", "municipality_code", "barangay_code")


def _levels_below_region_and_model(event: Event) -> dict:
    """v1 events, still in logs and dead-letter queues, name no level below the region and no PMT model."""
    if event.schema_version == 1:
        return dict.fromkeys(LEVELS_BELOW_REGION, "") | {"pmt_model_version": 0}
    return {field: event.data[field] for field in (*LEVELS_BELOW_REGION, "pmt_model_version")}


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
        **_levels_below_region_and_model(event),
    )


@subscribe(group=GROUP, event_type="registry.household.registered", batch=True)
@subscribe(group=GROUP, event_type="registry.household.updated", batch=True)
def on_households_changed(events: list[Event]) -> None:
    services.assessments_create(changes=[(_facts(event), UUID(event.id)) for event in events])
