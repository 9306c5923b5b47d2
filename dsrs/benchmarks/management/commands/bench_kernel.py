"""The event kernel against the raw client, in one run on one broker (issue 14, item 1).

1. Publishes N `registry.household.registered` events (real registry payloads) to the outbox.
2. Producer side: a plain confluent-kafka producer with the relay's own settings sends the same N
   records (same keys, values, headers) to a topic of its own; then the relay drains the outbox.
3. Consumer side: a plain confluent-kafka consumer reads the relay's topic (reading each record's key,
   value and headers, nothing else); then a consumer group of the runtime with a no-op batch handler
   reads it (decoding, contracts, inbox rows, offsets).

Each rate is counted from the first record to the last (so a group's join is not in it). Topics get a
prefix of the run's own under EVENTS_TOPIC_PREFIX and are deleted afterwards, with the run's outbox
and inbox rows.
"""

import os
import time
import uuid

from confluent_kafka import Consumer, KafkaError, Producer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dsrs.events import outbox, publish, registry
from dsrs.events.models import InboxEvent, OutboxEvent
from dsrs.events.relay import relay_all
from dsrs.events.runtime import ConsumerRuntime
from dsrs.events.topics import topic_name
from dsrs.events.transports import get_transport
from dsrs.events.transports.kafka import KafkaConsumerSession, consumer_config, records_of
from registry import services as registry_services
from dsrs.startup import freeze_loaded_objects
from registry.demo import Households

EVENT_TYPE = "registry.household.registered"
GROUP = "kernel-bench"


def _noop(events):
    """The benchmark group's handler: the runtime's own cost only."""


class _TimedSession:
    """A consumer session that notes when its first record arrived."""

    def __init__(self, session):
        self.session, self.first = session, None

    def poll(self, max_messages, timeout):
        deliveries = self.session.poll(max_messages, timeout)
        if deliveries and self.first is None:
            self.first = time.monotonic()
        return deliveries

    def __getattr__(self, name):
        return getattr(self.session, name)


class Command(BaseCommand):
    help = "Relay and consumer runtime against a plain confluent-kafka producer and consumer on the same records."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=50000, help="outbox rows to relay and consume")
        parser.add_argument("--timeout", type=float, default=300.0)

    def handle(self, *args, events, timeout, **options):
        if events < 1:
            raise CommandError("--events must be at least 1")
        if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            raise CommandError("KAFKA_BOOTSTRAP_SERVERS is not set (eval \"$(scripts/infra env)\")")
        unsent = OutboxEvent.objects.filter(sent_at__isnull=True).count()
        if unsent:
            raise CommandError(f"the outbox holds {unsent} unsent rows; the relay would send them too "
                               "(relay them first, or use a database of your own)")
        namespace = f"{settings.EVENTS_TOPIC_PREFIX}kbench{uuid.uuid4().hex[:6]}."
        settings.EVENTS_TRANSPORT = "kafka"
        settings.EVENTS_TOPIC_PREFIX = settings.EVENTS_GROUP_PREFIX = namespace
        transport = get_transport()
        topic, raw_topic = topic_name("registry.household"), f"{namespace}raw"
        transport.ensure_topics([topic, raw_topic])
        self.stdout.write(f"bench_kernel: {events} events, topics {namespace}*, "
                          f"{settings.EVENTS_KAFKA_TOPIC_PARTITIONS} partitions, load average {_load()}")
        registry.subscribe(group=GROUP, event_type=EVENT_TYPE, batch=True)(_noop)
        freeze_loaded_objects()  # as relay_outbox --follow and run_consumers do when they start
        try:
            first_id = self._publish(events)
            self._producers(transport, raw_topic, first_id, events)
            self._consumers(transport, topic, events, timeout)
        finally:
            registry._subscriptions.pop(GROUP, None)
            OutboxEvent.objects.filter(topic__startswith=namespace).delete()
            InboxEvent.objects.filter(consumer_group=GROUP).delete()
            admin = transport.admin()
            topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
            for future in (admin.delete_topics(topics).values() if topics else []):
                future.result(timeout=30)

    # --- the outbox ---------------------------------------------------------------------------------
    def _templates(self, count=20) -> list[dict]:
        """Real registration payloads: households registered in a transaction that is rolled back."""
        demo = Households(uuid.uuid4().int, poor=True)  # numbers no earlier run registered
        with transaction.atomic():
            entries = [dict(zip(("household", "members"), demo.next())) for _ in range(count)]
            registry_services.households_register_many(entries=entries, reason="benchmark")
            data = [row.envelope["data"] for row in OutboxEvent.objects.filter(event_type=EVENT_TYPE,
                                                                              sent_at__isnull=True)]
            transaction.set_rollback(True)
        return data

    def _publish(self, events) -> int:
        templates = self._templates()
        started, done = time.monotonic(), 0
        while done < events:
            with transaction.atomic(), outbox.buffered():
                for n in range(done, min(done + 1000, events)):
                    household = str(uuid.uuid4())
                    publish(EVENT_TYPE, subject=household, version=3,
                            data=dict(templates[n % len(templates)], household_id=household))
            done = min(done + 1000, events)
        elapsed = time.monotonic() - started
        self.stdout.write(f"published {events} events to the outbox in {elapsed:.2f}s "
                          f"({events / elapsed:,.0f} events/s)")
        return OutboxEvent.objects.filter(sent_at__isnull=True).order_by("id").values_list("id", flat=True)[0]

    # --- producing ----------------------------------------------------------------------------------
    def _producers(self, transport, raw_topic, first_id, events):
        records = records_of(OutboxEvent.objects.filter(id__gte=first_id).order_by("id"))
        producer = Producer(transport.producer_config())
        for warming in (producer, transport.producer):  # connected, with a producer id, before the clock
            _produce(warming, raw_topic, records[0], None)
            warming.flush(30)
        delivered = []
        started = time.monotonic()
        for record in records:
            _produce(producer, raw_topic, record, lambda err, _msg: delivered.append(err is None))
        left = producer.flush(60)
        raw = events / (time.monotonic() - started)
        if left or not all(delivered) or len(delivered) != events:
            raise CommandError(f"the raw producer had {left} records undelivered")
        volume = sum(len(r.value) + len(r.key) + sum(len(n) + len(v) for n, v in r.headers) for r in records)
        self.stdout.write(f"raw producer: {raw:,.0f} records/s ({volume / events:,.0f} bytes a record)")

        load = _load()
        started = time.monotonic()
        sent = relay_all()
        relay = sent / (time.monotonic() - started)
        if sent != events:
            raise CommandError(f"the relay sent {sent} of {events} events")
        self.stdout.write(f"relay:        {relay:,.0f} events/s  = {relay / raw:.1%} of the raw producer "
                          f"(load average {load})")

    # --- consuming ----------------------------------------------------------------------------------
    def _consumers(self, transport, topic, events, timeout):
        consumer = Consumer(dict(consumer_config(transport.bootstrap_servers, f"{settings.EVENTS_GROUP_PREFIX}raw")))
        consumer.subscribe([topic])
        received, first, deadline = 0, None, time.monotonic() + timeout
        batch = settings.EVENTS_CONSUMER_BATCH_SIZE
        cpu_started = time.process_time()
        while received < events and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=batch, timeout=0.5):
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        raise CommandError(f"raw consumer: {message.error()}")
                    continue
                first = first or time.monotonic()
                message.key(), message.value(), message.headers()
                received += 1
        raw = received / (time.monotonic() - first)
        raw_cpu = (time.process_time() - cpu_started) / max(received, 1) * 1e6
        consumer.close()
        if received != events:
            raise CommandError(f"the raw consumer read {received} of {events} records")
        self.stdout.write(f"raw consumer: {raw:,.0f} records/s ({raw_cpu:.1f} µs of this process's CPU a record)")

        load = _load()
        session = _TimedSession(KafkaConsumerSession(transport, registry.group_id(GROUP), [topic]))
        runtime = ConsumerRuntime(GROUP, session=session)
        cpu_started = time.process_time()
        try:
            while runtime.applied + runtime.duplicates < events and time.monotonic() < deadline:
                runtime.poll_once(timeout=0.5)
            rate = runtime.applied / (time.monotonic() - session.first)
            group_cpu = (time.process_time() - cpu_started) / max(runtime.applied, 1) * 1e6
        finally:
            runtime.close()
        if runtime.applied != events:
            raise CommandError(f"the consumer group applied {runtime.applied} of {events} events")
        self.stdout.write(f"consumer group (no-op batch handler): {rate:,.0f} events/s = {rate / raw:.1%} "
                          f"of the raw consumer, {group_cpu:.1f} µs of this process's CPU an event (load average {load})")


def _produce(producer, topic, record, on_delivery):
    while True:
        try:
            if on_delivery is None:
                producer.produce(topic, value=record.value, key=record.key, headers=record.headers)
            else:
                producer.produce(topic, value=record.value, key=record.key, headers=record.headers,
                                 on_delivery=on_delivery)
            return
        except BufferError:
            producer.poll(0.5)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
