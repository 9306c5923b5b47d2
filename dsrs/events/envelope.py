"""The CloudEvents 1.0 envelope every DSRS event travels in."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from functools import lru_cache

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
SCHEMA_URN = "urn:dsrs:events:{type}:v{version}"
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class MalformedEvent(ValueError):
    """An event that cannot be read as a DSRS envelope at all."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    type: str
    subject: str
    data: dict
    source: str
    dataschema: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=_now)
    specversion: str = SPEC_VERSION
    datacontenttype: str = CONTENT_TYPE
    traceparent: str | None = None
    correlationid: str | None = None

    @property
    def schema_version(self) -> int:
        if not isinstance(self.dataschema, str):
            raise MalformedEvent(f"dataschema {str(self.dataschema)[:60]!r} is not a string")
        return _version_of(self.dataschema)

    @property
    def family(self) -> str:
        """`registry.household.registered` belongs to the family (and topic) `registry.household`."""
        parts = self.type.split(".")
        if len(parts) < 3:
            raise MalformedEvent(f"event type {self.type!r} is not <context>.<aggregate>.<action>")
        return ".".join(parts[:2])

    def to_dict(self) -> dict:
        # Shallow on purpose: asdict() would deep-copy `data` for every event on the hot path.
        return {name: value for name in FIELD_NAMES if (value := getattr(self, name)) is not None}

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_dict(cls, raw: dict) -> Event:
        _check(raw)
        return cls(**{k: v for k, v in raw.items() if k in _FIELD_SET})

    @classmethod
    def from_fields(cls, raw: dict) -> Event:
        """`from_dict` of a dict that has every field as a key, in any order, None for those it lacks (a
        transport's decoding builds it so): the same checks, and the dict becomes the event's own,
        without sifting its keys or setting each field in turn as the frozen `__init__` does."""
        _check(raw)
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", raw)
        return event

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        try:
            parsed = json.loads(raw)
        except (TypeError, ValueError) as exc:
            raise MalformedEvent(f"the event is not valid JSON: {exc}") from exc
        return cls.from_dict(parsed)


FIELD_NAMES = tuple(f.name for f in fields(Event))
_FIELD_SET = frozenset(FIELD_NAMES)


@lru_cache(maxsize=1024)  # a few schemas, read on every event consumed
def _version_of(dataschema: str) -> int:
    try:
        return int(dataschema.rsplit(":v", 1)[1])
    except (IndexError, ValueError) as exc:
        raise MalformedEvent(f"dataschema {dataschema!r} names no version") from exc


def _check(raw) -> None:
    """Refuse what cannot be read as a DSRS envelope."""
    if not isinstance(raw, dict):
        raise MalformedEvent("the envelope is not a JSON object")
    get = raw.get
    if not (get("id") and get("type") and get("source") and get("subject") and get("time") and get("dataschema")):
        missing = [name for name in ("id", "type", "source", "subject", "time", "dataschema") if not raw.get(name)]
        raise MalformedEvent(f"the envelope lacks {', '.join(missing)}")
    if raw.get("specversion") != SPEC_VERSION:
        raise MalformedEvent(f"specversion {raw.get('specversion')!r} is not {SPEC_VERSION}")
    if not isinstance(raw.get("data"), dict):
        raise MalformedEvent("the envelope's data is not a JSON object")
    if not (isinstance(raw["id"], str) and CANONICAL_UUID.match(raw["id"])):  # the usual spelling, cheaply
        try:
            uuid.UUID(str(raw["id"]))
        except ValueError:
            raise MalformedEvent(f"the event id {str(raw['id'])[:60]!r} is not a UUID") from None
    if len(str(raw["subject"])) > 200 or len(str(raw["type"])) > 200:
        raise MalformedEvent("the event's subject or type is longer than 200 characters")

