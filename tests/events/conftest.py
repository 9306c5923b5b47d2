import json

import pytest
from django.db import transaction

from dsrs.events import publish, registry
from dsrs.events.models import OutboxEvent
from dsrs.events.transports import Delivery
from tests.events.test_envelope_and_contracts import HOUSEHOLD, an_event


class FakeSession:
    """A consumer session over a list, to test the runtime's rules without a transport."""

    def __init__(self):
        self.committed: list[Delivery] = []
        self.dead_letters: list[tuple[Delivery, dict]] = []

    def ready(self):
        return True

    def poll(self, max_messages, timeout):
        return []

    def commit(self, deliveries):
        self.committed.extend(deliveries)

    def dead_letter(self, delivery, headers):
        self.dead_letters.append((delivery, headers))

    def close(self):
        pass


def delivery_of(event=None, *, offset=0, value=None) -> Delivery:
    event = event or an_event()
    return Delivery(topic="registry.household", partition=0, offset=offset, key=event.subject,
                    value=value if value is not None else json.dumps(event.to_dict()).encode())


@pytest.fixture
def test_group(local_transport):
    """A consumer group of the test's own, removed again afterwards."""
    calls = []

    def handler(event):
        calls.append(event.id)
        behaviour = handler.behaviour
        if behaviour:
            behaviour(event)

    handler.behaviour = None
    registry.subscribe(group="test-group", event_type="registry.household.registered")(handler)
    yield handler, calls
    registry._subscriptions.pop("test-group", None)


@pytest.fixture
def published(local_transport):
    def publish_households(count):
        with transaction.atomic():
            for n in range(count):
                publish("registry.household.registered", subject=f"h{n}", data=HOUSEHOLD | {"version": n + 1})
        return list(OutboxEvent.objects.order_by("id"))

    return publish_households


__all__ = ["FakeSession", "delivery_of", "HOUSEHOLD", "an_event"]
