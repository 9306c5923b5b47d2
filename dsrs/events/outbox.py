"""`publish()`: the only way an app emits an event."""

import contextlib
import contextvars
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dsrs.observability import get_correlation_id

from . import contracts, records, tracing
from .envelope import SCHEMA_URN, Event
from .models import OutboxEvent
from .topics import topic_name


class OutboxError(RuntimeError):
    pass


class _Pending(NamedTuple):
    """An outbox row to insert: its envelope both as a dict and as the JSON `records.encode` made."""

    event_id: str
    topic: str
    key: str
    event_type: str
    envelope: dict
    envelope_json: str
    value: bytes
    headers: bytes | None


_buffer: contextvars.ContextVar[list[_Pending] | None] = contextvars.ContextVar("outbox_buffer", default=None)
_COLUMNS = ("event_id", "topic", "key", "event_type", "envelope", "value", "headers", "created_at")


@contextlib.contextmanager
def buffered():
    """Collect the outbox rows published inside the block and insert them in one statement at its end.

    The block must lie inside the transaction the events belong to (the consumer runtime wraps each
    batch this way); rows keep the order in which they were published.
    """
    rows: list[_Pending] = []
    token = _buffer.set(rows)
    try:
        yield
        _insert(rows)
    finally:
        _buffer.reset(token)


def _insert(rows: list[_Pending]) -> None:
    """One COPY on PostgreSQL, whose envelope column takes the JSON already made; elsewhere bulk_create."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        OutboxEvent.objects.bulk_create([
            OutboxEvent(event_id=r.event_id, topic=r.topic, key=r.key, event_type=r.event_type, envelope=r.envelope,
                        value=r.value, headers=r.headers, created_at=now) for r in rows], batch_size=1000)
        return
    sql = f"COPY {OutboxEvent._meta.db_table} ({', '.join(_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row((r.event_id, r.topic, r.key, r.event_type, r.envelope_json, r.value, r.headers, now))


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


def append(event: Event) -> None:
    """Put an already-built event in the outbox unchanged (a publish, or a replay keeping its id),
    with its record ready to send."""
    envelope = event.to_dict()
    value, headers, envelope_json = records.encode(envelope)
    row = _Pending(event.id, topic_name(event.family), event.subject, event.type, envelope, envelope_json,
                   value, headers)
    pending = _buffer.get()
    if pending is not None:
        pending.append(row)
    else:
        _insert([row])
