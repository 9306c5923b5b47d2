"""Versioned JSON Schema contracts of every event's `data`, one file per type and version.

A file `<type>.v<N>.json` here is the published contract of that event; publishing an event whose
data breaks its contract fails, and so does consuming one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

CONTRACTS_DIR = Path(__file__).resolve().parent


class ContractViolation(ValueError):
    """An event's data does not satisfy its published contract, or no contract exists for it."""


_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@cache
def _schema(event_type: str, version: int) -> dict:
    path = CONTRACTS_DIR / f"{event_type}.v{version}.json"
    if not path.exists():
        raise ContractViolation(f"no contract {path.name} for event type {event_type!r} version {version}")
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator(event_type: str, version: int) -> Draft202012Validator:
    """The reference validator, used to explain a failure field by field."""
    return Draft202012Validator(_schema(event_type, version), format_checker=FormatChecker())


@cache
def _compiled(event_type: str, version: int):
    """The same contract compiled to Python: every event crosses it at least twice on its way.

    The contracts use only keywords that mean the same in draft 7, which fastjsonschema compiles.
    """
    schema = dict(_schema(event_type, version), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(schema, formats={"uuid": _UUID})


def known_event_types() -> list[str]:
    return sorted({p.name.rsplit(".v", 1)[0] for p in CONTRACTS_DIR.glob("*.v*.json")})


def validate(event_type: str, version: int, data: dict) -> None:
    try:
        _compiled(event_type, version)(data)
    except fastjsonschema.JsonSchemaValueException as fast_error:
        errors = sorted(_validator(event_type, version).iter_errors(data), key=lambda e: list(e.path))
        details = "; ".join(f"{'.'.join(str(p) for p in e.path) or '(data)'}: {e.message}" for e in errors[:10])
        raise ContractViolation(f"{event_type} v{version} breaks its contract: {details or fast_error.message}") from None
