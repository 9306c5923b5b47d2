"""`publish()`: the only way an app emits an event."""

import contextlib
import contextvars
import uuid
from typing import Iterable, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dsrs.observability import get_correlation_id

from . import contracts, records, tracing
from .envelope import CONTENT_TYPE, SCHEMA_URN, SPEC_VERSION, Event, _now
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


def publish_many(events: Iterable[tuple[str, str, dict, int]]) -> None:
    """`publish()` of many events, each given as (event type, subject, data, contract version): the same
    checks, envelopes and outbox rows, in this order, with what they share (source, trace, correlation
    id, topic) read once. Inside `buffered()`, as `publish()`, the rows join the block's one insert."""
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError("publish_many() must be called inside transaction.atomic()")
    source, traceparent, correlationid = settings.EVENTS_SOURCE, tracing.current_traceparent(), get_correlation_id()
    topics: dict[str, str] = {}
    rows = []
    for event_type, subject, data, version in events:
        contracts.validate(event_type, version, data)
        topic = topics.get(event_type)
        if topic is None:
            topic = topics[event_type] = topic_name(Event(type=event_type, subject="", data={}, source="",
                                                          dataschema="").family)
        # Event.to_dict()'s keys, in its order (its fields that are not None).
        envelope = {"type": event_type, "subject": str(subject), "data": data, "source": source,
                    "dataschema": SCHEMA_URN.format(type=event_type, version=version), "id": str(uuid.uuid4()),
                    "time": _now(), "specversion": SPEC_VERSION, "datacontenttype": CONTENT_TYPE}
        if traceparent is not None:
            envelope["traceparent"] = traceparent
        if correlationid is not None:
            envelope["correlationid"] = correlationid
        rows.append(_row(envelope, topic))
    _add(rows)


def _row(envelope: dict, topic: str) -> _Pending:
    value, headers, envelope_json = records.encode(envelope)
    return _Pending(envelope["id"], topic, envelope["subject"], envelope["type"], envelope, envelope_json,
                    value, headers)


def _add(rows: list[_Pending]) -> None:
    pending = _buffer.get()
    if pending is not None:
        pending.extend(rows)
    else:
        _insert(rows)


def append(event: Event) -> None:
    """Put an already-built event in the outbox unchanged (a publish, or a replay keeping its id),
    with its record ready to send."""
    _add([_row(event.to_dict(), topic_name(event.family))])
