"""Payment's projections of other contexts' events: version-guarded, idempotent, batched.

An event older than (or as old as) what is stored changes nothing, so a replay, a duplicate or an
out-of-order delivery leaves the tables as they are; the newest of several events for one key in a
batch wins, as if they had been applied one by one.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction

from ..models import EnrolmentFact, HouseholdFact
from .compensation import enrolments_compensate


@dataclass(frozen=True)
class EnrolmentChange:
    household_id: UUID
    program_code: str
    enrolment_id: UUID
    status: str
    enrolment_version: int
    reason: str
    effective_on: date
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str

    @property
    def key(self) -> tuple[UUID, str]:
        return self.household_id, self.program_code


@dataclass(frozen=True)
class HouseholdChange:
    household_id: UUID
    version: int
    members: list
    observed_on: date


FIELDS = ("enrolment_id", "status", "enrolment_version", "reason", "effective_on", "region_code", "province_code",
          "municipality_code", "barangay_code")


def _newest(changes, key, version):
    newest = {}
    for change in changes:
        held = newest.get(key(change))
        if held is None or version(change) > version(held):
            newest[key(change)] = change
    return newest


@transaction.atomic
def enrolments_apply(*, changes: list[EnrolmentChange]) -> list[EnrolmentChange]:
    """Apply enrolment transitions; returns those that changed the projection (newer than stored).

    A household that has left (exited) or been suspended has its unsent payments cancelled and its
    sent ones flagged (payment/services/compensation.py), in this same transaction.
    """
    newest = _newest(changes, lambda c: c.key, lambda c: c.enrolment_version)
    if not newest:
        return []
    stored = {(f.household_id, f.program_code): f for f in EnrolmentFact.objects.filter(
        household_id__any_of=list({k[0] for k in newest})) if (f.household_id, f.program_code) in newest}
    create, update, applied = [], [], []
    for key, change in newest.items():
        fact = stored.get(key)
        if fact is None:
            create.append(EnrolmentFact(household_id=change.household_id, program_code=change.program_code,
                                        **{f: getattr(change, f) for f in FIELDS}))
        elif change.enrolment_version > fact.enrolment_version:
            for field in FIELDS:
                setattr(fact, field, getattr(change, field))
            update.append(fact)
        else:
            continue
        applied.append(change)
    EnrolmentFact.objects.bulk_create(create, batch_size=1000)
    EnrolmentFact.objects.bulk_update(update, [*FIELDS, "updated_at"], batch_size=1000)
    leaving = [c for c in applied if c.status in (EnrolmentFact.Status.EXITED, EnrolmentFact.Status.SUSPENDED)]
    if leaving:
        enrolments_compensate(leaving=[(c.household_id, c.program_code, c.status, c.reason) for c in leaving])
    return applied


@transaction.atomic
def households_apply(*, changes: list[HouseholdChange]) -> int:
    """Keep the members' facts the formulas read, newest registry version first."""
    newest = _newest(changes, lambda c: c.household_id, lambda c: c.version)
    if not newest:
        return 0
    stored = dict(HouseholdFact.objects.filter(household_id__any_of=list(newest)).values_list("household_id", "version"))
    create = [HouseholdFact(household_id=c.household_id, version=c.version, members=c.members, observed_on=c.observed_on)
              for key, c in newest.items() if key not in stored]
    update = [HouseholdFact(household_id=c.household_id, version=c.version, members=c.members, observed_on=c.observed_on)
              for key, c in newest.items() if key in stored and c.version > stored[key]]
    HouseholdFact.objects.bulk_create(create, batch_size=1000)
    HouseholdFact.objects.bulk_update(update, ["version", "members", "observed_on"], batch_size=1000)
    return len(create) + len(update)
