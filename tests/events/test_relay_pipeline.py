"""The pipelined relay (PostgreSQL): the next batch is claimed while the broker acknowledges the current
one, and everything `relay_once` guarantees still holds."""

import threading

import pytest
from confluent_kafka import Consumer, TopicPartition
from django.db import connection, connections

from dsrs.events import relay
from dsrs.events.models import OutboxEvent
from dsrs.events.relay import RelayIncomplete, RelayPipeline, relay_all, relay_once
from dsrs.events.topics import topic_name
from dsrs.events.transports import get_transport
from dsrs.events.transports.kafka import consumer_config
from tests.events.conftest import another_relay_sending

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class ScriptedBroker:
    """A transport that records what it is sent and takes what its script says (all, by default)."""

    name = "kafka"

    def __init__(self, refuse_ids=(), hold: threading.Event | None = None):
        self.sent: list[list[int]] = []
        self.refuse_ids, self.hold, self.sending = set(refuse_ids), hold, threading.Event()

    def send(self, records):
        self.sent.append([r.id for r in records])
        self.sending.set()
        if self.hold is not None:
            assert self.hold.wait(10)
        return [r.id for r in records if r.id not in self.refuse_ids]


@pytest.fixture
def broker(monkeypatch):
    def install(**script):
        fake = ScriptedBroker(**script)
        monkeypatch.setattr(relay, "get_transport", lambda: fake)
        return fake
    return install


def unsent_ids():
    return set(OutboxEvent.objects.filter(sent_at__isnull=True).values_list("id", flat=True))


def test_batches_leave_in_id_order_and_each_row_is_marked_sent_once(published, broker):
    assert connection.vendor == "postgresql", "the pipeline is PostgreSQL's; run with `make test`"
    ids = [row.id for row in published(10)]
    fake = broker()

    with RelayPipeline() as pipeline:
        assert pipeline.run(batch_size=3) == 10
        assert pipeline.run(batch_size=3) == 0

    assert fake.sent == [ids[0:3], ids[3:6], ids[6:9], ids[9:10]]
    assert not unsent_ids()


def test_a_batch_the_broker_did_not_take_whole_stays_queued_with_the_batch_claimed_behind_it(published, broker):
    ids = [row.id for row in published(7)]
    refused = broker(refuse_ids={ids[1]})

    with RelayPipeline() as pipeline:
        with pytest.raises(RelayIncomplete):
            pipeline.run(batch_size=3)
        # The second batch was claimed while the first was being sent, and never sent: it is given back.
        assert refused.sent == [ids[0:3]]
        assert unsent_ids() == {ids[1], *ids[3:]}

        retried = broker()
        assert pipeline.run(batch_size=3) == 5
    assert retried.sent == [[ids[1], ids[3], ids[4]], ids[5:7]]
    assert not unsent_ids()


def test_no_other_relay_sends_while_the_pipeline_holds_the_turn(published, broker):
    published(4)
    release = threading.Event()
    fake = broker(hold=release)
    results = {}

    def pipelined_run():
        with RelayPipeline() as pipeline:
            results["pipeline"] = pipeline.run(batch_size=2)
        connections.close_all()

    running = threading.Thread(target=pipelined_run)
    running.start()
    try:
        assert fake.sending.wait(10)
        assert relay_once() == 0  # sending now could overtake the pipeline's batch
        with RelayPipeline() as another:
            assert another.run() == 0
    finally:
        release.set()
        running.join()
    assert results["pipeline"] == 4 and not unsent_ids()


def test_the_pipeline_waits_for_a_relay_in_the_middle_of_a_batch(published, broker):
    published(3)
    fake = broker()
    with another_relay_sending(), RelayPipeline() as pipeline:
        assert pipeline.run() == 0
    assert fake.sent == [] and len(unsent_ids()) == 3
    with RelayPipeline() as pipeline:
        assert pipeline.run() == 3


@pytest.mark.kafka
def test_over_kafka_every_row_reaches_the_broker_once_in_order(kafka_namespace, published, settings):
    settings.EVENTS_TRANSPORT = "kafka"  # `published` writes the rows on the local transport's settings
    settings.EVENTS_KAFKA_TOPIC_PARTITIONS = 1
    rows = published(25)
    assert relay.pipelined()

    assert relay_all(batch_size=4) == 25

    assert not unsent_ids()
    topic = topic_name("registry.household")
    consumer = Consumer(consumer_config(get_transport().bootstrap_servers, f"{kafka_namespace}check"))
    consumer.assign([TopicPartition(topic, 0, 0)])
    received = []
    while len(received) < 25:
        messages = consumer.consume(num_messages=25, timeout=10)
        assert messages, f"only {len(received)} of 25 records arrived"
        received += [dict(m.headers())["ce_id"].decode() for m in messages if not m.error()]
    consumer.close()
    assert received == [str(row.event_id) for row in rows]
