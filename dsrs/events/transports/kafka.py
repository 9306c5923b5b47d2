"""Apache Kafka through confluent-kafka, in the CloudEvents Kafka binding's binary mode.

The record's value is the event's `data` as JSON, its key the aggregate id, and every other envelope
attribute a `ce_*` header, so brokers, routers and other services can read them without parsing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings

from ..envelope import Event
from ..records import OutboxRecord, event_of, record_of
from ..topics import dead_letter_topic
from .base import Delivery

logger = logging.getLogger(__name__)

def records_of(rows) -> list[OutboxRecord]:
    """The records the relay sends for outbox rows (model instances)."""
    return [record_of(row.id, row.topic, row.key, row.value, row.headers, row.stored_envelope) for row in rows]


def consumer_config(bootstrap_servers: str, group: str) -> dict:
    return {
        "bootstrap.servers": bootstrap_servers,
        **settings.EVENTS_KAFKA_SECURITY,  # TLS, SASL (dsrs.connection_security)
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 2000,
        "max.poll.interval.ms": 600000,
        "fetch.wait.max.ms": 100,
        # librdkafka refreshes the metadata of subscribed topics only this often (default 300 s):
        # a topic that reaches the broker's metadata after this member first asked for it (created
        # just after, or moments before by another process) would get no partition until then.
        "topic.metadata.refresh.interval.ms": settings.EVENTS_KAFKA_METADATA_REFRESH_MS,
    }


def _decode_headers(raw) -> dict[str, str]:
    try:  # the usual case, in one comprehension
        return {name: value.decode() for name, value in raw or ()}
    except (UnicodeDecodeError, AttributeError):
        pass
    decoded = {}
    for name, value in raw or []:
        try:
            decoded[name] = value.decode() if isinstance(value, bytes) else (value or "")
        except UnicodeDecodeError:
            decoded[name] = value.hex()
    return decoded


class KafkaTransport:
    name = "kafka"
    unavailable_errors = (KafkaException,)  # what the client raises while the broker is out of reach

    def __init__(self, bootstrap_servers: str):
        self.bootstrap_servers = bootstrap_servers
        self._producer: Producer | None = None
        self._known_topics: set[str] = set()

    # --- producing --------------------------------------------------------------------------------
    def producer_config(self) -> dict:
        timeout_ms = int(settings.EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS * 1000)
        return {
            "bootstrap.servers": self.bootstrap_servers,
            **settings.EVENTS_KAFKA_SECURITY,  # TLS, SASL (dsrs.connection_security)
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "lz4",
            "message.timeout.ms": timeout_ms,
            "socket.timeout.ms": min(timeout_ms, 10000),
        }

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            self._producer = Producer(self.producer_config())
        return self._producer

    def send(self, records: list[OutboxRecord]) -> list[int]:
        """Produce every record asynchronously, then wait once for all delivery reports."""
        delivered: list[int] = []
        failures: list[str] = []
        fatal: list[bool] = []

        def on_delivery(row_id, err, _msg):
            if err is None:
                delivered.append(row_id)
            else:
                failures.append(str(err))
                if err.fatal():
                    fatal.append(True)

        topics = {record.topic for record in records} - self._known_topics
        if topics:
            self.ensure_topics(sorted(topics))
            self._known_topics |= topics
        producer = self.producer
        produce = producer.produce
        for record in records:
            try:
                produce(record.topic, record.value, record.key, headers=record.headers,
                        on_delivery=partial(on_delivery, record.id))
            except BufferError:
                self._produce(topic=record.topic, value=record.value, key=record.key, headers=record.headers,
                              on_delivery=partial(on_delivery, record.id))
        remaining = producer.flush(settings.EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS + 5)
        if fatal:
            # A fatal error (e.g. a fenced idempotent producer) leaves the producer unusable.
            self._producer = None
        if failures or remaining:
            logger.warning(
                "kafka accepted %d of %d events (%d failed, %d undelivered): %s",
                len(delivered), len(records), len(failures), remaining, failures[:3],
            )
        return delivered

    def _produce(self, **kwargs) -> None:
        while True:
            try:
                self.producer.produce(**kwargs)
                return
            except BufferError:
                # The local queue is full: let librdkafka drain some before adding more.
                self.producer.poll(0.5)

    # --- consuming --------------------------------------------------------------------------------
    def open_consumer(self, group: str, topics: list[str]) -> KafkaConsumerSession:
        self.ensure_topics(topics + [dead_letter_topic(t) for t in topics])
        return KafkaConsumerSession(self, group, topics)

    def decode(self, delivery: Delivery) -> Event:
        return event_of(delivery.value, delivery.headers)

    # --- administration ---------------------------------------------------------------------------
    def admin(self) -> AdminClient:
        return AdminClient({"bootstrap.servers": self.bootstrap_servers, **settings.EVENTS_KAFKA_SECURITY})

    def ensure_topics(self, topics: list[str]) -> None:
        admin = self.admin()
        existing = set(admin.list_topics(timeout=10).topics)
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        if not missing:
            return
        futures = admin.create_topics(
            [
                NewTopic(
                    topic,
                    num_partitions=settings.EVENTS_KAFKA_TOPIC_PARTITIONS,
                    replication_factor=settings.EVENTS_KAFKA_REPLICATION_FACTOR,
                    config={} if topic.endswith(".dlq") else {
                        "retention.ms": str(settings.EVENTS_KAFKA_TOPIC_RETENTION_MS)},
                )
                for topic in missing
            ]
        )
        for topic, future in futures.items():
            try:
                future.result(timeout=15)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise

    def check(self, timeout: float) -> None:
        self.admin().list_topics(timeout=timeout)


class KafkaConsumerSession:
    def __init__(self, transport: KafkaTransport, group: str, topics: list[str]):
        self.transport = transport
        self.consumer = Consumer(dict(consumer_config(transport.bootstrap_servers, group),
                                      on_commit=self._committed))
        self.consumer.subscribe(topics)
        self._unconfirmed: dict[tuple[str, int], int] = {}  # offsets committed without waiting, per partition
        self._dlq_pending = 0
        self._dlq_failures: list[str] = []

    def poll(self, max_messages: int, timeout: float) -> list[Delivery]:
        deliveries = []
        for message in self.consumer.consume(num_messages=max_messages, timeout=timeout):
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    logger.warning("kafka consumer error: %s", message.error())
                continue
            key = message.key()
            deliveries.append(
                Delivery(
                    topic=message.topic(),
                    partition=message.partition(),
                    offset=message.offset(),
                    key=key.decode(errors="replace") if key else "",
                    value=message.value(),
                    headers=_decode_headers(message.headers()),
                )
            )
        return deliveries

    def ready(self) -> bool:
        """Whether the group has given this member its partitions yet."""
        return bool(self.consumer.assignment())

    def lag(self) -> int:
        """Records on the assigned partitions not yet committed by the group."""
        assigned = self.consumer.assignment()
        total = 0
        for tp in self.consumer.committed(assigned, timeout=10):
            _low, high = self.consumer.get_watermark_offsets(tp, timeout=10, cached=False)
            total += high - max(tp.offset, self._unconfirmed.get((tp.topic, tp.partition), 0), 0)
        return total

    def dead_letter(self, delivery: Delivery, headers: dict[str, str]) -> None:
        merged = dict(delivery.headers, **headers)
        def on_delivery(err, _msg):
            if err is not None:
                self._dlq_failures.append(str(err))

        self.transport._produce(
            topic=dead_letter_topic(delivery.topic),
            key=delivery.key or None,
            value=delivery.value,
            headers=[(k, v.encode()) for k, v in merged.items()],
            on_delivery=on_delivery,
        )
        self._dlq_pending += 1

    def commit(self, deliveries: list[Delivery]) -> None:
        if self._dlq_pending:
            # The records go to their dead-letter topic for good before their offsets are committed;
            # if the broker does not take them, nothing is committed and they come again.
            left = self.transport.producer.flush(settings.EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS + 5)
            failures, self._dlq_failures = self._dlq_failures, []
            if left or failures:
                raise KafkaException(KafkaError(KafkaError._MSG_TIMED_OUT,
                                                f"dead letters not acknowledged: {failures[:3] or left}"))
            self._dlq_pending = 0
        next_offsets: dict[tuple[str, int], int] = defaultdict(int)
        for d in deliveries:
            next_offsets[(d.topic, d.partition)] = max(next_offsets[(d.topic, d.partition)], d.offset + 1)
        if not next_offsets:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in next_offsets.items()]
        # Without waiting for the broker: the inbox, not the offsets, keeps an event from being applied
        # twice, so a commit that is lost (the member dies, the partition moves) only means records
        # delivered again. Commits reach the coordinator in order; `close` waits for the last.
        try:
            self.consumer.commit(offsets=offsets, asynchronous=True)
        except KafkaException as exc:
            logger.warning("offset commit failed, records will be delivered again: %s", exc)
            return
        self._unconfirmed.update(next_offsets)

    @staticmethod
    def _committed(err, partitions) -> None:
        if err is not None:
            # After a rebalance the partition may belong to another member, which will receive these
            # records again; the inbox makes that second delivery harmless.
            logger.warning("offset commit failed, records will be delivered again: %s", err)

    def close(self) -> None:
        if self._unconfirmed:
            try:
                self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in self._unconfirmed.items()],
                                     asynchronous=False)
            except KafkaException as exc:
                logger.warning("last offset commit failed, records will be delivered again: %s", exc)
        self.consumer.close()
