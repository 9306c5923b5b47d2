"""An outbox row's record, made once when the event is written: what the relay sends as it is.

In the CloudEvents Kafka binding's binary mode a record's value is the event's `data` as JSON, its key
the aggregate id, and every other envelope attribute a `ce_*` header. `publish()` serialises `data`
once: the same bytes are the record's value and, spliced into the attributes, the envelope column's
JSON. The headers are stored as one blob, `name NUL value NUL ...` (UTF-8), which the relay splits
without any JSON work. A row written without them (by an older version, or by hand) is still sent:
its record is made from the envelope on the way out.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from .envelope import CONTENT_TYPE

ATTRIBUTES = ("id", "source", "type", "specversion", "time", "subject", "dataschema", "correlationid")
_compact = json.JSONEncoder(separators=(",", ":")).encode


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


def encode(envelope: dict) -> tuple[bytes, bytes | None, str]:
    """(value, headers blob, envelope JSON) of an envelope; the blob is None if a header holds a NUL."""
    data = _compact(envelope["data"])
    attributes = _compact({name: value for name, value in envelope.items() if name != "data"})
    headers = headers_of(envelope)
    joined = "\0".join(part for pair in headers for part in pair)
    blob = None if joined.count("\0") != 2 * len(headers) - 1 else joined.encode()
    return data.encode(), blob, f'{{"data":{data},{attributes[1:]}'


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
    return OutboxRecord(row_id, topic, key, _compact(envelope["data"]).encode(), headers_of(envelope))
