"""Eligibility's consumer group: household events update the projection and re-assess the household in
every active program. Accepts household contracts v1, v2 and v3."""

from datetime import datetime
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services
from .services.facts import HouseholdChange

GROUP = "eligibility"


def _change(event: Event) -> HouseholdChange:
    return HouseholdChange(data=event.data, event_id=UUID(event.id), schema_version=event.schema_version,
                           event_date=datetime.fromisoformat(event.time.replace("Z", "+00:00")).date())


@subscribe(group=GROUP, event_type="registry.household.registered", batch=True)
@subscribe(group=GROUP, event_type="registry.household.updated", batch=True)
def on_households_changed(events: list[Event]) -> None:
    services.households_changed(changes=[_change(event) for event in events])
