"""Versioned JSON Schema contracts of every event's `data`, one file per type and version.

A file `<type>.v<N>.json` here is the published contract of that event; publishing an event whose
data breaks its contract fails, and so does consuming one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

CONTRACTS_DIR = Path(__file__).resolve().parent


class ContractViolation(ValueError):
    """An event's data does not satisfy its published contract, or no contract exists for it."""


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
def _compiled(event_type: str, version: int) -> jsonschema_rs.Validator:
    """The same contract compiled by jsonschema-rs (Rust): every event crosses it at least twice on
    its way, and it was the largest cost of consuming an event (fastjsonschema's generated Python took
    about ten times as long on a household). Formats (uuid, date, date-time) are checked."""
    return jsonschema_rs.validator_for(_schema(event_type, version), validate_formats=True)


def known_event_types() -> list[str]:
    return sorted({p.name.rsplit(".v", 1)[0] for p in CONTRACTS_DIR.glob("*.v*.json")})


def validate(event_type: str, version: int, data: dict) -> None:
    try:
        if _compiled(event_type, version).is_valid(data):
            return
        errors = sorted(((list(e.instance_path), e.message) for e in _compiled(event_type, version).iter_errors(data)),
                        key=lambda error: [str(p) for p in error[0]])
    except ValueError:  # a value of no JSON type (jsonschema-rs refuses what it cannot read): the reference explains
        errors = sorted(((list(e.path), e.message) for e in _validator(event_type, version).iter_errors(data)),
                        key=lambda error: [str(p) for p in error[0]])
    details = "; ".join(f"{'.'.join(str(p) for p in path) or '(data)'}: {message}" for path, message in errors[:10])
    raise ContractViolation(f"{event_type} v{version} breaks its contract: {details or 'the data does not match'}") from None
