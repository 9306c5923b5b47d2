"""`publish()`: the only way an app emits an event."""

import contextlib
import contextvars

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dsrs.observability import get_correlation_id

from . import contracts, tracing
from .bulk import insert_rows
from .envelope import SCHEMA_URN, Event
from .models import OutboxEvent
from .topics import topic_name


class OutboxError(RuntimeError):
    pass


_buffer: contextvars.ContextVar[list[OutboxEvent] | None] = contextvars.ContextVar("outbox_buffer", default=None)


@contextlib.contextmanager
def buffered():
    """Collect the outbox rows published inside the block and insert them in one statement at its end.

    The block must lie inside the transaction the events belong to (the consumer runtime wraps each
    batch this way); rows keep the order in which they were published.
    """
    rows: list[OutboxEvent] = []
    token = _buffer.set(rows)
    try:
        yield
        now = timezone.now()
        insert_rows(OutboxEvent, ("event_id", "topic", "key", "event_type", "envelope", "created_at"),
                    [(r.event_id, r.topic, r.key, r.event_type, r.envelope, now) for r in rows])
    finally:
        _buffer.reset(token)


def publish(event_type: str, *, subject: str, data: dict, version: int = 1) -> Event:
    """Write an event to the outbox, to be committed or rolled back with the caller's state change.

    It must run inside the caller's `transaction.atomic()` block: an event written outside one could
    be sent for a change that never committed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError(f"publish({event_type!r}) must be called inside transaction.atomic()")
    event = Event(
        type=event_type,
        subject=str(subject),
        data=data,
        source=settings.EVENTS_SOURCE,
        dataschema=SCHEMA_URN.format(type=event_type, version=version),
        traceparent=tracing.current_traceparent(),
        correlationid=get_correlation_id(),
    )
    contracts.validate(event_type, version, data)
    append(event)
    return event


def append(event: Event) -> OutboxEvent:
    """Put an already-built event in the outbox unchanged (a publish, or a replay keeping its id)."""
    row = OutboxEvent(
        event_id=event.id,
        topic=topic_name(event.family),
        key=event.subject,
        event_type=event.type,
        envelope=event.to_dict(),
    )
    pending = _buffer.get()
    if pending is not None:
        pending.append(row)
    else:
        row.save(force_insert=True)
    return row
