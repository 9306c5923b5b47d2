"""PhilSys numbers given that a member of another household has: what the caller is told, and the
review queue of such attempts (`NumberConflict`).

A caller learns which household and member have the number only if they may see that household (its
region is one of theirs); anyone else learns only that it is registered. Either way the attempt is
kept for a reviewer who may see both households, and, for a request, in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dsrs.access import ALL_REGIONS, caller_of
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create
from dsrs.observability import get_correlation_id

from .models import Member, NumberConflict
from .validation import HouseholdInvalid


@dataclass(frozen=True)
class Conflict:
    """A member given a PhilSys number that `holder`, a member of another household, has already."""

    path: str
    attempted: Member  # unsaved, or the member being changed
    holder: Member


class NumberAlreadyRegistered(HouseholdInvalid):
    """Refused (also) because PhilSys numbers given are registered already; `conflicts` says to whom,
    for `number_conflicts_record`, which the caller runs once the refused transaction is rolled back."""

    def __init__(self, errors, *, conflicts: list[Conflict]):
        super().__init__(errors)
        self.conflicts = conflicts


def already_registered_message(holder: Member, *, regions: frozenset[str] | None) -> str:
    """What a caller who sees `regions` (None: all) is told of a number `holder` has: the household
    and member only if the caller may see that household, else only that the number is taken."""
    if regions is ALL_REGIONS or holder.household.region_code in regions:
        return (f"This PhilSys number is already registered to a member of household "
                f"{holder.household.household_number} (member {holder.id}).")
    return "This PhilSys number is already registered; a reviewer has been asked to look at it."


@transaction.atomic
def number_conflicts_record(*, conflicts: list[Conflict], channel: str, request=None,
                            actor: str = "") -> list[NumberConflict]:
    """Queue refused PhilSys numbers for a reviewer who may see both households and, for a request,
    record in the audit trail that the caller asked about those members' number. Run it after the
    refused write rolled back (the API and the admin do; the bulk import within its chunk)."""
    if not conflicts:
        return []
    actor = caller_of(request).name if request is not None else actor
    rows = NumberConflict.objects.bulk_create([NumberConflict(
        holder=c.holder, attempted_region_code=c.attempted.household.region_code,
        attempted_household_number="" if c.attempted.household._state.adding else c.attempted.household.household_number,
        attempted_name=c.attempted.full_name[:200], attempted_birth_date=c.attempted.birth_date,
        attempted_by=actor[:200], channel=channel, correlation_id=get_correlation_id() or "") for c in conflicts])
    if request is not None:
        audit_record_create(request=request, action=AuditRecord.Action.READ, object_type="registry.member",
                            object_ids=[c.holder.id for c in conflicts], fields=["philsys_number"], channel=channel,
                            reason="refused: the PhilSys number given is these members'; queued for review")
    return rows


@transaction.atomic
def number_conflicts_review(*, conflicts, user, note: str = "") -> int:
    """A reviewer has looked at these refused numbers; answer how many were still pending."""
    return NumberConflict.objects.filter(pk__in=[c.pk for c in conflicts], status=NumberConflict.Status.PENDING).update(
        status=NumberConflict.Status.REVIEWED, reviewed_by=user, reviewed_at=timezone.now(), review_note=note[:200])
