"""Probable duplicates: a member whose names are much alike those of a member of another household
with the same birth date in the same barangay. Flagged for a supervisor, never merged.

Bounded work (issue 12, item 4), however large the registry and however often one household is sent:
- members are compared only within their block (`Member.match_key`, an indexed column): the barangay
  and birth date, or for a placeholder birth date (1 January) the barangay, birth year and the family
  name's first three letters; and with at most `REGISTRY_DUPLICATE_MAX_CANDIDATES` (200) earlier
  members of a block, the earliest registered (the originals a later record would repeat);
- a member is flagged once per match cluster: an earlier match that is itself flagged as a duplicate
  stands for the member it duplicates (its cluster's first), so the hundredth copy of a household is
  flagged against the first, not against the 99 copies in between; and at most
  `REGISTRY_DUPLICATE_MAX_FLAGS` (3) clusters per member, the closest names first.
So one registration costs at most 200 name comparisons per member and adds at most 3 review rows per
member; N identical registrations add N - 1 rows per member, not N(N - 1)/2.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple
from uuid import UUID

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
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
    match_key: str

    full_name = Member.full_name


def name_similarity(a: str, b: str) -> float:
    """0 to 100; word order and case do not matter ('Dela Cruz, Juan' and 'juan dela cruz' are 100)."""
    return fuzz.token_sort_ratio(a, b, processor=utils.default_process)


def _earlier(keys: set[str], exclude_households: set) -> dict[str, list[_Registered]]:
    """The first MAX_CANDIDATES members of each block, by registration, outside these households."""
    ranked = (Member.objects.filter(match_key__any_of=keys).exclude(household__id__any_of=exclude_households)
              .annotate(rank=Window(RowNumber(), partition_by=[F("match_key")], order_by=[F("created_at"), F("id")]))
              .filter(rank__lte=settings.REGISTRY_DUPLICATE_MAX_CANDIDATES).order_by()
              .values_list(*_Registered._fields))
    earlier: dict[str, list[_Registered]] = {}
    for row in ranked:
        earlier.setdefault(row[-1], []).append(_Registered(*row))
    return earlier


def _roots(member_ids: set) -> dict:
    """For each of these members flagged already as a duplicate, the member it duplicates (its cluster's first)."""
    roots = {}
    for member_id, matches_id in (DuplicateCandidate.objects.filter(member__id__any_of=member_ids)
                                  .exclude(status=DuplicateCandidate.Status.DISMISSED)
                                  .order_by("created_at").values_list("member_id", "matches_id")):
        roots.setdefault(member_id, matches_id)
    return roots


def flag_probable_duplicates(members: list[Member]) -> int:
    """Queue each probable duplicate of `members` (saved already) for review; answer how many were queued.

    Compared with the members of every other household, and with each other: two new members of
    one call are one pair, flagged once, on the later of them."""
    if not members:
        return 0
    threshold = settings.REGISTRY_DUPLICATE_NAME_SIMILARITY
    most = settings.REGISTRY_DUPLICATE_MAX_FLAGS
    # Their own households are left out of the query: this call's members are compared in memory.
    earlier = _earlier({m.match_key for m in members}, {m.household_id for m in members})
    matches: list[tuple[Member, list[tuple[float, _Registered | Member]]]] = []
    for member in members:
        block = earlier.setdefault(member.match_key, [])
        found = []
        for other in block:
            if other.household_id != member.household_id:
                similarity = name_similarity(member.full_name, other.full_name)
                if similarity >= threshold:
                    found.append((similarity, other))
        if found:
            matches.append((member, found))
        if len(block) < settings.REGISTRY_DUPLICATE_MAX_CANDIDATES:
            block.append(member)  # the later members of this call compare with it
    roots = _roots({other.id for _, found in matches for _, other in found}) if matches else {}
    flags = []
    for member, found in matches:
        best: dict = {}  # cluster's first member -> (similarity, the match that led there)
        for similarity, other in found:
            root = roots.get(other.id, other.id)
            if root != member.id and similarity > best.get(root, (-1,))[0]:
                best[root] = (similarity, other)
        closest = sorted(best.items(), key=lambda item: -item[1][0])[:most]
        for root, (similarity, other) in closest:
            flags.append(DuplicateCandidate(
                member=member, matches_id=root, similarity=round(similarity, 2),
                reason=f"same birth date and barangay; names {similarity:.0f}% alike"
                       + ("" if root == other.id else " (to the first of its probable duplicates)")))
        if closest:
            roots.setdefault(member.id, closest[0][0])  # a later member of this call joins the cluster
    DuplicateCandidate.objects.bulk_create(flags, ignore_conflicts=True)
    return len(flags)
