"""`publish()`: the only way an app emits an event."""

import contextlib
import contextvars
import os
from collections.abc import Iterable
from itertools import groupby
from json.encoder import encode_basestring_ascii as json_string
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dsrs.observability import get_correlation_id

from . import contracts, records, tracing
from .bulk import binary_copy
from .envelope import CONTENT_TYPE, SCHEMA_URN, SPEC_VERSION, Event, _now
from .models import OutboxEvent
from .topics import topic_name


class OutboxError(RuntimeError):
    pass


class _Pending(NamedTuple):
    """An outbox row to insert; its envelope (as a dict and as the JSON `records.encode` made) only
    when its record's headers cannot hold it (`headers` None)."""

    event_id: str
    topic: str
    key: str
    event_type: str
    envelope: dict | None
    envelope_json: str | None
    value: bytes
    headers: bytes | None


_buffer: contextvars.ContextVar[list[_Pending] | None] = contextvars.ContextVar("outbox_buffer", default=None)
_COLUMNS = ("event_id", "topic", "key", "event_type", "envelope", "value", "headers", "created_at")  # database columns
_TYPES = ("uuid", "varchar", "varchar", "varchar", "jsonb", "bytea", "bytea", "timestamptz")


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
    """One COPY on PostgreSQL, whose envelope column takes the JSON already made (if any); elsewhere bulk_create.

    The COPY is binary: the server then neither decodes the value and headers from hex nor parses
    text timestamps and UUIDs, which took about half of its time on a large batch."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        OutboxEvent.objects.bulk_create([
            OutboxEvent(event_id=r.event_id, topic=r.topic, key=r.key, event_type=r.event_type, stored_envelope=r.envelope,
                        value=r.value, headers=r.headers, created_at=now) for r in rows], batch_size=1000)
        return
    sql = f"COPY {OutboxEvent._meta.db_table} ({', '.join(_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with binary_copy(cursor.cursor, sql, _TYPES) as copy:
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
    row = _Pending(event.id, topic_name(event.family), event.subject, event.type,
                   envelope if headers is None else None, envelope_json, value, headers)
    pending = _buffer.get()
    if pending is not None:
        pending.append(row)
    else:
        _insert([row])


def _uuid4_texts(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as text, as str(uuid.uuid4()) makes them, from one read of urandom."""
    texts = []
    pool = os.urandom(16 * count)
    for start in range(0, 16 * count, 16):
        raw = bytearray(pool[start:start + 16])
        raw[6], raw[8] = raw[6] & 0x0F | 0x40, raw[8] & 0x3F | 0x80
        h = raw.hex()
        texts.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return texts


def publish_many(event_type: str, *, items: Iterable[tuple[str, dict]], version: int = 1) -> int:
    """`publish()` of many events of one type, one per (subject, data) of `items`, in that order.

    Each event is what `publish()` would write for it (its own id and time, its data checked against
    the contract, the same envelope, record value and headers), but what all of them share (source,
    schema, topic, trace and correlation ids, the attributes' JSON and headers around the subject, id
    and time) is made once. Inside `buffered()` the rows join its buffer; otherwise one COPY.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError(f"publish_many({event_type!r}) must be called inside transaction.atomic()")
    items = list(items)
    if not items:
        return 0
    source, dataschema = settings.EVENTS_SOURCE, SCHEMA_URN.format(type=event_type, version=version)
    traceparent, correlationid = tracing.current_traceparent(), get_correlation_id()
    probe = Event(type=event_type, subject="-", data={}, source=source, dataschema=dataschema,
                  traceparent=traceparent, correlationid=correlationid)
    topic = topic_name(probe.family)
    compact = records._compact
    quoted = json_string  # what compact makes of a str, without its type dispatch
    # The envelope's attributes in Event's field order (to_dict), None left out as to_dict does.
    tail = {"specversion": SPEC_VERSION, "datacontenttype": CONTENT_TYPE, "traceparent": traceparent,
            "correlationid": correlationid}
    tail = {name: value for name, value in tail.items() if value is not None}
    head_json = compact({"type": event_type})[1:-1]
    middle_json = compact({"source": source, "dataschema": dataschema})[1:-1]
    tail_json = compact(tail)[1:-1]
    # The headers as records.headers_of makes them: each attribute that has a value, in ATTRIBUTES' order.
    known = {"source": source, "type": event_type, "specversion": SPEC_VERSION, "dataschema": dataschema,
             "correlationid": correlationid}
    header_template = [(f"ce_{name}", None if name in ("id", "time", "subject") else str(known[name]))
                       for name in records.ATTRIBUTES if name in ("id", "time", "subject") or known.get(name)]
    after = [("content-type", CONTENT_TYPE)] + ([("traceparent", traceparent)] if traceparent else [])
    constant_nul = any("\0" in part for header, value in header_template + after for part in (header, value or ""))
    compiled = contracts._compiled(event_type, version)
    rows = []
    for (subject, data), event_id in zip(items, _uuid4_texts(len(items))):
        try:
            valid = compiled.is_valid(data)
        except ValueError:
            valid = False
        if not valid:
            contracts.validate(event_type, version, data)  # raises, explaining the violation
        subject, moment = str(subject), _now()
        data_json = records.data_json(data)
        blob = envelope = envelope_json = None
        if not constant_nul and "\0" not in subject:
            variable = {"ce_id": event_id, "ce_time": moment, "ce_subject": subject}
            parts = []
            for header, value in header_template:
                if value is None:
                    value = variable[header]
                    if not value:
                        continue
                parts += (header, value)
            for pair in after:
                parts += pair
            blob = "\0".join(parts).encode()
        else:  # the headers cannot hold the event: the row keeps its envelope
            envelope = {"type": event_type, "subject": subject, "data": data, "source": source,
                        "dataschema": dataschema, "id": event_id, "time": moment, **tail}
            envelope_json = (f'{{"data":{data_json.decode()},{head_json},"subject":{quoted(subject)},{middle_json},'
                             f'"id":"{event_id}","time":"{moment}",{tail_json}}}')
        rows.append(_Pending(event_id, topic, subject, event_type, envelope, envelope_json, data_json, blob))
    pending = _buffer.get()
    if pending is not None:
        pending.extend(rows)
    else:
        _insert(rows)
    return len(rows)


def publish_all(events: Iterable[tuple[str, str, dict, int]]) -> None:
    """`publish()` of many events of any types, each given as (event type, subject, data, contract
    version), in this order: each run of one type and version is one `publish_many`."""
    for (event_type, version), run in groupby(events, key=lambda event: (event[0], event[3])):
        publish_many(event_type, items=[(subject, data) for _, subject, data, _ in run], version=version)
