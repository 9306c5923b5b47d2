"""The embedded transport: the outbox table is the log, each group's offset is a row."""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..envelope import Event
from ..models import ConsumerOffset, OutboxEvent
from ..records import OutboxRecord, event_of, split_headers
from .base import Delivery

# Any constant works; it names the lock that serialises handing out log positions on PostgreSQL.
_POSITION_LOCK_KEY = 0x44535253


class LocalTransport:
    name = "local"
    unavailable_errors = ()  # the log is the database, whose errors the runtime knows already

    def send(self, records: list[OutboxRecord]) -> list[int]:
        """Give each row the next log position, in the order given.

        Positions must become visible in increasing order, or a consumer could read past a smaller
        position still being written; the lock (held to the end of the relay's transaction) makes
        sure only one relay hands them out at a time. SQLite already serialises writers.
        """
        if not records:
            return []
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSITION_LOCK_KEY])
            last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
            now = timezone.now()
            rows = [OutboxEvent(id=record.id, position=number, sent_at=now)
                    for number, record in enumerate(records, start=last + 1)]
            OutboxEvent.objects.bulk_update(rows, ["position", "sent_at"], batch_size=500)
        return [record.id for record in records]

    def open_consumer(self, group: str, topics: list[str]) -> LocalConsumerSession:
        return LocalConsumerSession(group, topics)

    def decode(self, delivery: Delivery) -> Event:
        """A row's record is read as Kafka's is; a row that stores only its envelope delivers it as
        its value, with no headers."""
        if delivery.headers:
            return event_of(delivery.value, delivery.headers)
        return Event.from_json(delivery.value)

    def ensure_topics(self, topics: list[str]) -> None:
        """Topics are only a column here; nothing to create."""

    def check(self, timeout: float) -> None:
        OutboxEvent.objects.exists()


class LocalConsumerSession:
    def __init__(self, group: str, topics: list[str]):
        self.group = group
        self.topics = list(topics)

    def _committed(self) -> int:
        offset = ConsumerOffset.objects.filter(consumer_group=self.group).values_list("position", flat=True).first()
        return offset or 0

    def poll(self, max_messages: int, timeout: float) -> list[Delivery]:
        rows = (
            OutboxEvent.objects.filter(position__gt=self._committed(), topic__in=self.topics)
            .order_by("position")
            .values_list("topic", "position", "key", "value", "headers", "stored_envelope")[:max_messages]
        )
        return [
            Delivery(topic=topic, partition=0, offset=position, key=key, value=bytes(value),
                     headers=dict(split_headers(bytes(blob))))
            if value is not None and blob is not None else
            Delivery(topic=topic, partition=0, offset=position, key=key, value=json.dumps(envelope).encode())
            for topic, position, key, value, blob, envelope in rows
        ]

    def ready(self) -> bool:
        return True

    def lag(self) -> int:
        return OutboxEvent.objects.filter(position__gt=self._committed(), topic__in=self.topics).count()

    def commit(self, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        last = max(d.offset for d in deliveries)
        updated = ConsumerOffset.objects.filter(consumer_group=self.group, position__lt=last).update(position=last)
        if not updated:
            ConsumerOffset.objects.get_or_create(consumer_group=self.group, defaults={"position": last})

    def dead_letter(self, delivery: Delivery, headers: dict[str, str]) -> None:
        """On this transport the dead-letter table, written by the runtime, is the whole DLQ."""

    def close(self) -> None:
        """Nothing is held open between polls."""
