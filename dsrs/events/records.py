"""An outbox row's record, made once when the event is written: what the relay sends as it is.

In the CloudEvents Kafka binding's binary mode a record's value is the event's `data` as JSON, its key
the aggregate id, and every other envelope attribute a `ce_*` header. `publish()` serialises `data`
once, as the record's value. The headers are stored as one blob, `name NUL value NUL ...` (UTF-8),
which the relay splits without any JSON work. The value and headers are the whole event, so the
envelope itself is stored only when they cannot be: a header holding a NUL, or a row written by an
older version or by hand, whose record is made from its envelope on the way out (`record_of`).
Readers of the outbox as a log (the local transport, analytics' rebuild) read an event back with
`stored_event`, transports read a received record with `event_of`.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import orjson

from .envelope import CONTENT_TYPE, FIELD_NAMES, Event, MalformedEvent

ATTRIBUTES = ("id", "source", "type", "specversion", "time", "subject", "dataschema", "correlationid")
_compact = json.JSONEncoder(separators=(",", ":")).encode


def data_json(data: dict) -> bytes:
    """An event's data as its record's value: compact JSON, UTF-8. orjson makes it about ten times
    faster than json (non-ASCII characters are written as themselves, not escaped); json takes over
    for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return _compact(data).encode()


class OutboxRecord(NamedTuple):
    """An outbox row as the relay hands it to a transport."""

    id: int
    topic: str
    key: str
    value: bytes
    headers: list[tuple[str, str]]


def headers_of(envelope: dict) -> list[tuple[str, str]]:
    headers = [(f"ce_{name}", str(envelope[name])) for name in ATTRIBUTES if envelope.get(name)]
    headers.append(("content-type", envelope.get("datacontenttype", CONTENT_TYPE)))
    if envelope.get("traceparent"):
        headers.append(("traceparent", envelope["traceparent"]))
    return headers


def encode(envelope: dict) -> tuple[bytes, bytes | None, str | None]:
    """(value, headers blob, envelope JSON) of an envelope. The blob is None if a header holds a NUL,
    and only then is the envelope's JSON made (the row must store it)."""
    data = data_json(envelope["data"])
    headers = headers_of(envelope)
    joined = "\0".join(part for pair in headers for part in pair)
    if joined.count("\0") == 2 * len(headers) - 1:
        return data, joined.encode(), None
    attributes = _compact({name: value for name, value in envelope.items() if name != "data"})
    return data, None, f'{{"data":{data.decode()},{attributes[1:]}'


def split_headers(blob: bytes) -> list[tuple[str, str]]:
    parts = iter(blob.decode().split("\0"))
    return list(zip(parts, parts))


def record_of(row_id: int, topic: str, key: str, value: bytes | None, blob: bytes | None,
              envelope: dict | str | None) -> OutboxRecord:
    """The record of a stored row: its stored value and headers, or else made from its envelope."""
    if value is not None and blob is not None:
        return OutboxRecord(row_id, topic, key, bytes(value), split_headers(bytes(blob)))
    if isinstance(envelope, str):
        envelope = json.loads(envelope)
    return OutboxRecord(row_id, topic, key, data_json(envelope["data"]), headers_of(envelope))


def _envelope_of(value: bytes | None, headers: dict[str, str]) -> dict:
    """Every field of the event a record holds (None where a header is missing): on every event
    consumed, so it is written out rather than looped."""
    if value is None:
        raise MalformedEvent("the record has no value")
    try:
        data = orjson.loads(value)  # a few times faster than json's
    except orjson.JSONDecodeError as exc:
        raise MalformedEvent(f"the record's value is not valid JSON: {exc}") from exc
    get = headers.get
    return {"type": get("ce_type"), "subject": get("ce_subject"), "data": data, "source": get("ce_source"),
            "dataschema": get("ce_dataschema"), "id": get("ce_id"), "time": get("ce_time"),
            "specversion": get("ce_specversion"), "datacontenttype": get("content-type", CONTENT_TYPE),
            "traceparent": get("traceparent") or None, "correlationid": get("ce_correlationid")}


def event_of(value: bytes | None, headers: dict[str, str]) -> Event:
    """The event of a record in the CloudEvents Kafka binding's binary mode: `data` from the value,
    every other attribute from its header. MalformedEvent if it is not one."""
    return Event.from_fields(_envelope_of(value, headers))


def stored_envelope(value: bytes | None, blob: bytes | None, envelope: dict | str | None) -> dict:
    """The envelope of a stored outbox row, as `Event.to_dict` orders it: its record read back, or
    the envelope it stores. Unchecked: it shows what the row holds."""
    if value is not None and blob is not None:
        envelope = _envelope_of(bytes(value), dict(split_headers(bytes(blob))))
        return {name: envelope[name] for name in FIELD_NAMES if envelope[name] is not None}
    return json.loads(envelope) if isinstance(envelope, str) else envelope


def stored_event(value: bytes | None, blob: bytes | None, envelope: dict | str | None) -> Event:
    """The event of a stored outbox row; MalformedEvent if what it stores is not one."""
    if value is not None and blob is not None:
        return event_of(bytes(value), dict(split_headers(bytes(blob))))
    return Event.from_dict(json.loads(envelope) if isinstance(envelope, str) else envelope)
