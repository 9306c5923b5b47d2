"""Probable duplicates: a member whose names are much alike those of a member of another household
with the same birth date in the same barangay. Flagged for a supervisor, never merged."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple
from uuid import UUID

from django.conf import settings
from rapidfuzz import fuzz, utils

import dsrs.querying  # noqa: F401  (registers the any_of lookup used below)

from .models import DuplicateCandidate, Member


class _Registered(NamedTuple):
    """A registered member as the comparison needs it: read as plain values, no model instance to build."""

    id: UUID
    household_id: UUID
    given_name: str
    middle_name: str
    family_name: str
    suffix: str
    birth_date: date
    barangay_code: str

    full_name = Member.full_name


def _key(member: Member) -> tuple:
    return member.birth_date, member.household.barangay_code


def name_similarity(a: str, b: str) -> float:
    """0 to 100; word order and case do not matter ('Dela Cruz, Juan' and 'juan dela cruz' are 100)."""
    return fuzz.token_sort_ratio(a, b, processor=utils.default_process)


def flag_probable_duplicates(members: list[Member]) -> int:
    """Queue each probable duplicate of `members` (saved already) for review; answer how many were queued.

    Compared with the members of every other household, and with each other: two new members of
    one call are one pair, flagged once, on the later of them."""
    if not members:
        return 0
    threshold = settings.REGISTRY_DUPLICATE_NAME_SIMILARITY
    keys = {_key(m) for m in members}
    earlier = {}
    # Their own households are left out of the query: this call's members are compared in memory.
    for row in (Member.objects.filter(birth_date__any_of={d for d, _ in keys},
                                      household__barangay_code__any_of={b for _, b in keys})
                .exclude(household__id__any_of={m.household_id for m in members}).order_by()
                .values_list(*_Registered._fields[:-1], "household__barangay_code")):
        other = _Registered(*row)
        if (other.birth_date, other.barangay_code) in keys:
            earlier.setdefault((other.birth_date, other.barangay_code), []).append(other)
    flags = []
    for member in members:
        key = _key(member)
        for other in earlier.get(key, []):
            if other.household_id != member.household_id:
                similarity = name_similarity(member.full_name, other.full_name)
                if similarity >= threshold:
                    flags.append(DuplicateCandidate(
                        member=member, matches_id=other.id, similarity=round(similarity, 2),
                        reason=f"same birth date and barangay; names {similarity:.0f}% alike"))
        earlier.setdefault(key, []).append(member)  # the later members of this call compare with it
    DuplicateCandidate.objects.bulk_create(flags, ignore_conflicts=True)
    return len(flags)
