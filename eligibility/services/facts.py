"""The household projection: registry events in, latest facts kept, version-guarded and idempotent."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

import orjson
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .sql import server_binding_cursor
from ..models import HouseholdFact

LEVELS_BELOW_REGION = ("province_code", "municipality_code", "barangay_code")
MEMBER_FIELDS = ("member_id", "sex", "relationship", "has_disability", "is_pregnant", "attending_school",
                 "monthly_income")


@dataclass(frozen=True)
class HouseholdChange:
    """One household event's data, with what the projection needs to know of the envelope."""

    data: dict
    event_id: UUID
    schema_version: int
    event_date: date


def _member(raw: dict, *, change: HouseholdChange) -> dict:
    member = {field: raw[field] for field in MEMBER_FIELDS}
    if change.schema_version >= 3:
        member["birth_month"] = raw["birth_month"]
    else:  # v2 gives the age on the event's day only
        member.update(age=raw["age"], age_on=change.event_date.isoformat())
    return member


class FactRow(NamedTuple):
    """A household's facts as plain values, read from the projection or made from an event: what rules read."""

    household_id: UUID
    version: int
    status: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    household_size: int
    monthly_income: Decimal
    per_capita_income: Decimal
    pmt_score: Decimal
    pmt_model_version: int
    members: list
    source_event_id: UUID
    event_schema_version: int


FACT_FIELDS = FactRow._fields
_NOT_MEMBERS = tuple(name for name in FACT_FIELDS if name != "members")


def lean_rows(queryset, *, facts: tuple[str, ...], members: bool) -> list:
    """Only what an evaluator reads (`facts`, the members if `members`) with household_id, region_code
    and pmt_score, as named tuples: fewer columns to send and convert when nothing else is needed (a
    preview). The members are kept as their JSON text and decoded when `row.members` is read (a preview
    looks at them only for households that pass every criterion that reads none)."""
    names = tuple(dict.fromkeys(("household_id", "region_code", "pmt_score", *facts,
                                 *((_MEMBERS_TEXT,) if members else ()))))
    row = _LEAN_ROWS.get(names)
    if row is None:
        row = _LEAN_ROWS[names] = NamedTuple("LeanRow", [(name, object) for name in names])
        if members:
            row = _LEAN_ROWS[names] = type("LeanRow", (row,), {"__slots__": (), "members": property(_members)})
    if not members:
        return [row._make(values) for values in queryset.values_list(*names)]
    return [row._make(values) for values in _members_as_text(queryset).values_list(*names)]


def _members(row) -> list:
    return orjson.loads(row.members_text)


_MEMBERS_TEXT = "members_text"


def _members_as_text(queryset):
    """The members column as its JSON text, to be decoded by orjson (about three times cheaper than the
    json module JSONField decodes with, the largest cost of reading a household's members)."""
    return queryset.annotate(**{_MEMBERS_TEXT: Cast("members", output_field=TextField())})


_LEAN_ROWS: dict[tuple, type] = {}


def fact_rows(queryset, *, members: bool = True) -> list[FactRow]:
    """The facts of a HouseholdFact queryset as FactRows, in the queryset's order, no model instances;
    `members=False` leaves the members unread (None) for rules that read none."""
    make = FactRow._make
    at = FACT_FIELDS.index("members")
    if members:
        loads = orjson.loads
        return [make((*row[:at], loads(row[at]), *row[at + 1:])) for row in _members_as_text(queryset).values_list(
            *FACT_FIELDS[:at], _MEMBERS_TEXT, *FACT_FIELDS[at + 1:])]
    return [make((*row[:at], None, *row[at:])) for row in queryset.values_list(*_NOT_MEMBERS)]


def _fact(change: HouseholdChange) -> FactRow:
    data = change.data
    v1 = change.schema_version == 1
    return FactRow(
        household_id=UUID(data["household_id"]), version=data["version"], status=data["status"],
        region_code=data["region_code"],
        **{level: "" if v1 else data[level] for level in LEVELS_BELOW_REGION},
        household_size=data["household_size"], monthly_income=Decimal(data["monthly_income"]),
        per_capita_income=(Decimal(data["monthly_income"]) / data["household_size"]).quantize(Decimal("0.01"))
        if v1 else Decimal(data["per_capita_income"]),
        pmt_score=Decimal(str(data["pmt_score"])), pmt_model_version=0 if v1 else data["pmt_model_version"],
        # v1 carried no members: the household is known by its totals alone.
        members=[] if v1 else [_member(m, change=change) for m in data["members"]],
        source_event_id=change.event_id, event_schema_version=change.schema_version,
    )


_UPSERT = """
INSERT INTO {table} ({columns}, updated_at)
SELECT {columns}, now()
FROM unnest({arrays}) WITH ORDINALITY AS v({plain}, position)
JOIN jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS m(members, position) USING (position)
ORDER BY position
ON CONFLICT (household_id) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at
WHERE {table}.version < EXCLUDED.version
RETURNING household_id"""
_TYPES = {"household_id": "uuid", "version": "integer", "household_size": "integer", "monthly_income": "numeric",
          "per_capita_income": "numeric", "pmt_score": "numeric", "pmt_model_version": "integer",
          "source_event_id": "uuid", "event_schema_version": "smallint"}
_PLAIN = _NOT_MEMBERS


def _upsert(facts: list[FactRow]) -> set[UUID]:
    """One statement: insert new households, overwrite older versions, leave newer or equal ones; answers
    the households written. On PostgreSQL, columns as arrays through unnest and the members as one JSON
    document (an array of long strings is slow to send); elsewhere the ORM."""
    if connection.vendor != "postgresql":
        kept = dict(HouseholdFact.objects.select_for_update().filter(household_id__in=[f.household_id for f in facts])
                    .values_list("household_id", "version"))
        changed = [f for f in facts if f.version > kept.get(f.household_id, 0)]
        now = timezone.now()
        for fact in changed:
            HouseholdFact.objects.update_or_create(household_id=fact.household_id,
                                                   defaults=fact._asdict() | {"updated_at": now})
        return {f.household_id for f in changed}
    sql = _UPSERT.format(
        table=HouseholdFact._meta.db_table, columns=", ".join(FACT_FIELDS), plain=", ".join(_PLAIN),
        arrays=", ".join(f"%s::{_TYPES.get(name, 'text')}[]" for name in _PLAIN),
        updates=", ".join(f"{name} = EXCLUDED.{name}" for name in FACT_FIELDS if name != "household_id"))
    params = [[getattr(f, name) for f in facts] for name in _PLAIN]
    params.append(json.dumps([f.members for f in facts], separators=(",", ":")))
    with server_binding_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def household_facts_record(*, changes: list[HouseholdChange]) -> list[FactRow]:
    """Keep the newest facts of each household; answers those that changed (older or equal versions do not),
    by household id."""
    newest: dict[UUID, FactRow] = {}
    for change in changes:
        fact = _fact(change)
        if fact.household_id not in newest or fact.version > newest[fact.household_id].version:
            newest[fact.household_id] = fact
    if not newest:
        return []
    written = _upsert(sorted(newest.values()))
    return [f for f in sorted(newest.values()) if f.household_id in written]
