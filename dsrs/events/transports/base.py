"""What the relay and the consumer runtime need from a transport, whichever it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..envelope import Event
from ..records import OutboxRecord


@dataclass
class Delivery:
    """One record as a consumer received it, before it is read as an event."""

    topic: str
    partition: int
    offset: int
    key: str
    value: bytes | None
    headers: dict[str, str] = field(default_factory=dict)


class ConsumerSession(Protocol):
    def poll(self, max_messages: int, timeout: float) -> list[Delivery]: ...

    def ready(self) -> bool:
        """Whether the session can receive records yet (a Kafka member has its partitions)."""

    def lag(self) -> int:
        """How many records of the subscribed topics the group has not committed yet."""

    def commit(self, deliveries: list[Delivery]) -> None:
        """Record that every delivery given has been dealt with (applied, skipped or dead-lettered)."""

    def dead_letter(self, delivery: Delivery, headers: dict[str, str]) -> None:
        """Send a delivery to the dead-letter path of its topic; durable before `commit` returns."""

    def close(self) -> None: ...


class Transport(Protocol):
    name: str
    unavailable_errors: tuple[type[Exception], ...]  # raised while the transport is out of reach

    def send(self, records: list[OutboxRecord]) -> list[int]:
        """Send outbox records in order; answer the ids of those the broker has durably accepted."""

    def open_consumer(self, group: str, topics: list[str]) -> ConsumerSession: ...

    def decode(self, delivery: Delivery) -> Event:
        """Read a delivery as an event; raises MalformedEvent when it is not one."""

    def ensure_topics(self, topics: list[str]) -> None: ...

    def check(self, timeout: float) -> None:
        """Raise if the transport cannot be reached (readiness probe)."""
