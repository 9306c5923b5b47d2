"""Analytics' consumer group: households, assessments, enrolments and payments into the read model."""

from dsrs.events import Event, subscribe

from . import services
from .facts import EVENT_TYPES

GROUP = "analytics"


def on_events(events: list[Event]) -> None:
    services.events_apply(events=events)


for _event_type in EVENT_TYPES:
    subscribe(group=GROUP, event_type=_event_type, batch=True)(on_events)
