"""The household projection: registry events in, latest facts kept, version-guarded and idempotent."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

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


def _fact(change: HouseholdChange) -> HouseholdFact:
    data = change.data
    v1 = change.schema_version == 1
    return HouseholdFact(
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


@transaction.atomic
def household_facts_record(*, changes: list[HouseholdChange]) -> list[HouseholdFact]:
    """Keep the newest facts of each household; answers those that changed (older or equal versions do not)."""
    newest: dict[UUID, HouseholdFact] = {}
    for change in changes:
        fact = _fact(change)
        if fact.household_id not in newest or fact.version > newest[fact.household_id].version:
            newest[fact.household_id] = fact
    if not newest:
        return []
    kept = dict(HouseholdFact.objects.select_for_update().filter(household_id__in=newest)
                .values_list("household_id", "version"))
    changed = [f for f in newest.values() if f.version > kept.get(f.household_id, 0)]
    new = [f for f in changed if f.household_id not in kept]
    HouseholdFact.objects.bulk_create(new, batch_size=1000)
    updated = [f for f in changed if f.household_id in kept]
    now = timezone.now()
    for fact in updated:
        fact.updated_at = now
    if updated:
        HouseholdFact.objects.bulk_update(updated, [f.name for f in HouseholdFact._meta.concrete_fields
                                                    if not f.primary_key], batch_size=500)
    return sorted(changed, key=lambda f: f.household_id)
