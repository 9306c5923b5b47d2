import os
import threading
import time

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from django.db import transaction

from dsrs.events import publish, registry
from dsrs.events.relay import relay_once
from dsrs.events.runtime import ConsumerRuntime
from dsrs.events.topics import topic_name
from dsrs.events.transports import get_transport
from dsrs.events.transports.kafka import KafkaConsumerSession
from tests.events.test_envelope_and_contracts import HOUSEHOLD


@pytest.mark.kafka
def test_a_group_gets_the_events_of_a_topic_created_by_another_client_as_it_subscribes(kafka_namespace):
    received = []
    registry.subscribe(group="late-topic", event_type="registry.household.registered")(
        lambda event: received.append(event.id))
    topic, present = topic_name("registry.household"), topic_name("registry.present")
    other = AdminClient({"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"]})
    other.create_topics([NewTopic(present, 3, 1)])[present].result(15)
    try:
        # The member subscribes when one of its topics is not in the broker's metadata yet; another client
        # creates it a moment later, as another process does when several start at once.
        runtime = ConsumerRuntime("late-topic", session=KafkaConsumerSession(
            get_transport(), registry.group_id("late-topic"), [present, topic]))
        creation = threading.Timer(0.5, lambda: other.create_topics([NewTopic(topic, 3, 1)])[topic].result(15))
        creation.start()
        runtime.poll_once(timeout=1.0)
        creation.join()
        with transaction.atomic():
            event = publish("registry.household.registered", subject=HOUSEHOLD["household_id"], data=HOUSEHOLD)
        assert relay_once() == 1

        deadline = time.monotonic() + 20
        while not received and time.monotonic() < deadline:
            runtime.poll_once(timeout=0.5)
        runtime.close()
    finally:
        registry._subscriptions.pop("late-topic", None)

    assert received == [event.id], "the group got no partition of the new topic within 20 s"


@pytest.mark.kafka
def test_offsets_committed_without_waiting_count_at_once_and_hold_for_the_next_member(kafka_namespace):
    received = []
    registry.subscribe(group="async-commit", event_type="registry.household.registered")(
        lambda event: received.append(event.id))
    try:
        topic = topic_name("registry.household")
        get_transport().ensure_topics([topic])
        with transaction.atomic():
            events = [publish("registry.household.registered", subject=f"h{n}", data=HOUSEHOLD | {"version": n + 1})
                      for n in range(5)]
        assert relay_once() == 5
        group = registry.group_id("async-commit")
        runtime = ConsumerRuntime("async-commit", session=KafkaConsumerSession(get_transport(), group, [topic]))
        runtime.drain()
        assert sorted(received) == sorted(e.id for e in events)
        assert runtime.session.lag() == 0  # the commits sent, not yet confirmed, count
        runtime.close()  # waits for the last commit

        again = KafkaConsumerSession(get_transport(), group, [topic])
        try:
            deadline, redelivered = time.monotonic() + 8, []
            while time.monotonic() < deadline:
                redelivered += again.poll(100, 0.5)
            assert again.ready(), "the second member got no partition"
            assert redelivered == []
        finally:
            again.close()
    finally:
        registry._subscriptions.pop("async-commit", None)
