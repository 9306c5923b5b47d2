"""Rebuilding the read model from the event log, beside the live one.

The rebuild writes a new generation (its own collections or rows) from the first event of every
topic analytics reads, then makes it the live one, then reads on to the end of the log once more.
The live consumer never stops: until the switch it keeps the old generation current; from the
switch it writes the new one. Events it applied to the old generation just before the switch are
in the log the rebuild reads last; events applied to both are merged once, since a state's merge is
idempotent (and the transactions of two writers of one state cannot both win).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils import timezone

from dsrs.events import Event, contracts
from dsrs.events.envelope import MalformedEvent
from dsrs.events.records import stored_event
from dsrs.events.registry import topics_for
from dsrs.events.transports import get_transport

from .facts import EVENT_TYPES
from .handlers import GROUP
from .services import events_apply
from .stores import get_store

logger = logging.getLogger(__name__)


class LogPruned(Exception):
    """The log no longer starts at its first event: a rebuild from it would miss events."""


class LocalLog:
    """The `local` transport's log: the outbox rows with a position, in position order."""

    def __init__(self, topics: list[str]):
        from dsrs.events.models import OutboxEvent

        self.rows = OutboxEvent.objects.filter(topic__in=topics, position__isnull=False)
        self.position = 0

    def check_complete(self) -> None:
        from dsrs.events.models import OutboxEvent

        first = OutboxEvent.objects.filter(position__isnull=False).order_by("position").values_list(
            "position", flat=True).first()
        if first is not None and first > 1:
            raise LogPruned(f"the log starts at position {first}: the events before it were pruned")

    def remaining(self) -> int:
        return self.rows.filter(position__gt=self.position).count()

    def read_to_end(self, batch_size: int) -> Iterator[list[Event | None]]:
        end = self.rows.order_by("-position").values_list("position", flat=True).first() or 0
        while self.position < end:
            chunk = list(self.rows.filter(position__gt=self.position, position__lte=end)
                         .order_by("position").values_list("position", "value", "headers", "stored_envelope")[:batch_size])
            if not chunk:
                break
            self.position = chunk[-1][0]
            yield [_event(lambda row=row: stored_event(*row[1:])) for row in chunk]


class KafkaLog:
    """The topics on the broker, every partition from its first offset, by a consumer of its own
    (its group id is never committed, so the live group's offsets are untouched)."""

    def __init__(self, topics: list[str]):
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        self.transport = get_transport()
        self.consumer = Consumer({"bootstrap.servers": self.transport.bootstrap_servers,
                                  "group.id": f"{settings.EVENTS_GROUP_PREFIX}analytics-rebuild-{uuid.uuid4().hex}",
                                  "enable.auto.commit": False, "enable.partition.eof": False})
        metadata = self.consumer.list_topics(timeout=10).topics
        self.partitions = [TopicPartition(topic, p) for topic in topics if topic in metadata
                           for p in sorted(metadata[topic].partitions)]
        self.consumer.assign([TopicPartition(tp.topic, tp.partition, OFFSET_BEGINNING) for tp in self.partitions])
        self.next = {(tp.topic, tp.partition): 0 for tp in self.partitions}

    def _watermarks(self) -> dict[tuple[str, int], tuple[int, int]]:
        return {(tp.topic, tp.partition): self.consumer.get_watermark_offsets(tp, timeout=10, cached=False)
                for tp in self.partitions}

    def check_complete(self) -> None:
        pruned = {f"{t}[{p}]": low for (t, p), (low, _) in self._watermarks().items() if low > 0}
        if pruned:
            raise LogPruned(f"partitions whose first events are gone (retention): {pruned}")

    def remaining(self) -> int:
        return sum(high - max(self.next[key], low) for key, (low, high) in self._watermarks().items())

    def read_to_end(self, batch_size: int) -> Iterator[list[Event | None]]:
        from dsrs.events.transports.base import Delivery
        from dsrs.events.transports.kafka import _decode_headers

        ends = {key: high for key, (_, high) in self._watermarks().items()}
        while any(self.next[key] < end for key, end in ends.items()):
            batch = []
            for message in self.consumer.consume(num_messages=batch_size, timeout=1.0):
                if message.error():
                    continue
                key = (message.topic(), message.partition())
                self.next[key] = message.offset() + 1
                delivery = Delivery(topic=message.topic(), partition=message.partition(), offset=message.offset(),
                                    key=(message.key() or b"").decode(errors="replace"), value=message.value(),
                                    headers=_decode_headers(message.headers()))
                batch.append(_event(lambda d=delivery: self.transport.decode(d)))
            if batch:
                yield batch

    def close(self) -> None:
        self.consumer.close()


def _event(decode: Callable[[], Event]) -> Event | None:
    """The event of a record analytics applies; None for another group's event or an unreadable one."""
    try:
        event = decode()
        if event.type not in EVENT_TYPES:
            return None
        contracts.validate(event.type, event.schema_version, event.data)
        return event
    except (MalformedEvent, contracts.ContractViolation) as exc:
        logger.warning("rebuild passes over an event it cannot read: %s", exc)
        return None


def analytics_rebuild(*, batch_size: int = 1000, allow_partial: bool = False, keep_old: bool = False,
                      progress: Callable[[int], None] = lambda n: None) -> dict:
    """Rebuild the read model from the log into a new generation and make it live; answers what it did."""
    topics = topics_for(GROUP)
    log = KafkaLog(topics) if get_transport().name == "kafka" else LocalLog(topics)
    store = get_store()
    old = store.live_generation()
    generation = "r" + timezone.now().strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    read = applied = 0
    try:
        if not allow_partial:
            log.check_complete()
        total = log.remaining()

        def apply_to_end():
            nonlocal read, applied
            for batch in log.read_to_end(batch_size):
                events = [e for e in batch if e is not None]
                events_apply(events=events, generation=generation)
                read, applied = read + len(batch), applied + len(events)
                progress(len(batch))

        apply_to_end()
        store.set_live_generation(generation)  # from now on the live consumer writes the new generation
        apply_to_end()  # and what it applied to the old one meanwhile is read here
    finally:
        if isinstance(log, KafkaLog):
            log.close()
    if not keep_old and old != generation:
        store.drop_generation(old)
    return {"generation": generation, "previous": old, "records": read, "applied": applied, "expected": total}
