import json
import os
import threading
import uuid
from contextlib import contextmanager

import pytest
from django.db import connections, transaction

from dsrs.events import publish, registry
from dsrs.events.models import OutboxEvent
from dsrs.events.relay import _take_the_relay_turn
from dsrs.events.transports import Delivery, get_transport
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


@pytest.fixture
def kafka_namespace(settings, transactional_db):
    namespace = f"t{uuid.uuid4().hex[:10]}."
    settings.EVENTS_TRANSPORT = "kafka"
    settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    settings.EVENTS_KAFKA_TOPIC_PARTITIONS = 3
    settings.EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS = 5.0
    settings.EVENTS_TOPIC_PREFIX = settings.EVENTS_GROUP_PREFIX = namespace
    settings.ANALYTICS_MONGODB_URI = ""
    yield namespace
    admin = get_transport().admin()
    topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
    for future in (admin.delete_topics(topics).values() if topics else []):
        future.result(timeout=30)


@contextmanager
def in_another_transaction(step):
    """Run `step` in a transaction of another connection that stays open until the block ends, as
    another relay in the middle of its batch (PostgreSQL)."""
    ready, release = threading.Event(), threading.Event()

    def holding():
        with transaction.atomic():
            assert step() is not False
            ready.set()
            release.wait(10)
        connections.close_all()

    other = threading.Thread(target=holding)
    other.start()
    assert ready.wait(10)
    try:
        yield
    finally:
        release.set()
        other.join()


def another_relay_sending():
    """Another relay in the middle of a batch: it holds the turn until the block ends."""
    return in_another_transaction(_take_the_relay_turn)


__all__ = ["FakeSession", "another_relay_sending", "in_another_transaction", "delivery_of", "HOUSEHOLD", "an_event"]
