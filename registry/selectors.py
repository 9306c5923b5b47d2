from __future__ import annotations

import uuid
from datetime import date
from functools import lru_cache

from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

from dsrs import prepared
from dsrs.personal_data import blind_index
from dsrs.querying import filtered, in_regions

from .models import DuplicateCandidate, Household, Member, PmtModel, canonical_number
from .pmt import ScoringModel, household_facts
from .validation import household_values, member_values

_INDEX_OF = {"phone_number": "phone_index", "payout_account": "payout_account_index"}


def household_list(*, regions: frozenset[str] | None, region_code: str | None = None,
                   province_code: str | None = None, municipality_code: str | None = None,
                   barangay_code: str | None = None, status: str | None = None, search: str | None = None,
                   pmt_min=None, pmt_max=None, updated_since=None, ordering: str = "-created_at",
                   with_members: bool = False) -> QuerySet[Household]:
    """Households in `regions` (None: every region) matching the filters; `search` is a household
    number or part of a member's name."""
    households = filtered(in_regions(Household.objects.order_by(ordering, "id"), regions),
                          pmt_score__gte=pmt_min, pmt_score__lte=pmt_max, updated_at__gte=updated_since,
                          region_code=region_code, province_code=province_code, municipality_code=municipality_code,
                          barangay_code=barangay_code, status=status)
    if search:
        named = Member.objects.filter(given_name__icontains=search) | Member.objects.filter(
            family_name__icontains=search)
        households = households.filter(household_number=search.strip().upper()) | households.filter(
            head_of_household_name__icontains=search) | households.filter(pk__in=named.values("household_id"))
    if with_members:
        households = _MembersCompiled.of(households) if prepared.enabled(connection) else households.prefetch_related(
            "members")
    return households


def household_get(*, household_id, regions: frozenset[str] | None) -> Household | None:
    """The household, or None if it does not exist or lies outside `regions` (the caller cannot tell which)."""
    if prepared.enabled(connection):
        return _household_get_compiled(household_id, regions)
    return in_regions(Household.objects.all(), regions).filter(pk=household_id).prefetch_related("members").first()


# household_get's queries (every detail, PUT, PATCH and deactivation reads one) compiled once per
# connection (dsrs.prepared): the same rows as the queryset above (`.first()` orders by pk; the regions
# are one array parameter, `= ANY`, so the SQL does not depend on how many there are), and the members
# put where prefetch_related("members") puts them, in the roster's order.
_NO_HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-00000000dead")
_NO_REGIONS = ["\x00no such region"]


def _household_id(value):
    pk = Household._meta.pk
    return pk.get_db_prep_value(pk.get_prep_value(value), connection, prepared=True)


_HOUSEHOLD_ANYWHERE = prepared.Prepared(
    "registry.household_get", lambda household_id: Household.objects.filter(pk=household_id).order_by("pk")[:1],
    placeholders=[_NO_HOUSEHOLD], params=[_household_id])
_HOUSEHOLD_IN_REGIONS = prepared.Prepared(
    "registry.household_get.in_regions",
    lambda household_id, regions: Household.objects.filter(pk=household_id, region_code__any_of=regions).order_by(
        "pk")[:1],
    placeholders=[_NO_HOUSEHOLD, _NO_REGIONS], params=[_household_id, sorted])
_MEMBERS_OF = prepared.Prepared(
    "registry.members_of", lambda household_ids: Member.objects.filter(household__id__any_of=household_ids),
    placeholders=[[_NO_HOUSEHOLD]], params=[lambda household_ids: [_household_id(i) for i in household_ids]])


def _household_get_compiled(household_id, regions: frozenset[str] | None) -> Household | None:
    found = (_HOUSEHOLD_ANYWHERE.run(household_id) if regions is None
             else _HOUSEHOLD_IN_REGIONS.run(household_id, regions))
    _members_attached(found)
    return found[0] if found else None


def _members_attached(households: list[Household]) -> None:
    """What prefetch_related("members") does to `households`, with one compiled query (`= ANY` of their
    ids): each one's members, in the roster's order, cached as `household.members.all()`, each member's
    `household` set."""
    if not households:
        return
    by_household: dict = {household.pk: [] for household in households}
    for member in _MEMBERS_OF.run([household.pk for household in households]):
        by_household[member.household_id].append(member)
    of_household = Member._meta.get_field("household")
    cache_name = of_household.remote_field.cache_name
    for household in households:
        members = by_household[household.pk]
        for member in members:
            of_household.set_cached_value(member, household)
        cached = household.members.get_queryset()
        cached._result_cache, cached._prefetch_done = members, True
        household.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = cached


class _MembersCompiled(QuerySet):
    """Households that come with their members (`_members_attached`) when the queryset is evaluated, the
    way prefetch_related("members") gives them."""

    @classmethod
    def of(cls, households: QuerySet) -> QuerySet:
        households = households._chain()
        households.__class__ = cls
        return households

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._iterable_class is ModelIterable:
            _members_attached(self._result_cache)


def households_with_number(*, field: str, value: str, regions: frozenset[str] | None) -> QuerySet[Household]:
    """Households whose sensitive `field` equals `value` (a member's, for `philsys_number`), found by
    blind index: nothing is decrypted."""
    households = in_regions(Household.objects.all(), regions).prefetch_related("members")
    if field == "philsys_number":
        return households.filter(members__philsys_index=blind_index(value, purpose=field))
    return households.filter(**{_INDEX_OF[field]: blind_index(canonical_number(field, value), purpose=field)})


def members_by_philsys_index(*, indexes: set[str], exclude_household=None) -> dict[str, Member]:
    # The excluded blank lets PostgreSQL use the partial unique index on philsys_index.
    members = Member.objects.filter(philsys_index__any_of=indexes).exclude(philsys_index="").select_related("household")
    if exclude_household is not None:
        members = members.exclude(household_id=exclude_household)
    return {m.philsys_index: m for m in members}


def household_ids(*, household_ids=None) -> list:
    households = Household.objects.order_by("pk")
    if household_ids is not None:
        households = households.filter(pk__in=household_ids)
    return list(households.values_list("pk", flat=True))


def households_imported(*, references: set[str]) -> set[str]:
    """Which of these import references are registered already."""
    return set(Household.objects.filter(import_reference__any_of=references).values_list("import_reference", flat=True))


@lru_cache(maxsize=8)
def _cached_scoring_model(version: int, activated_at) -> ScoringModel:
    # Keyed by activation time as well: a version number alone could name another model in another
    # database (a test's), and a draft's weights must not be cached before it is activated.
    model = PmtModel.objects.get(version=version)
    weights = {(w.indicator, w.option, w.region_code): w.weight for w in model.weights.all()}
    return ScoringModel(version=model.version, intercept=model.intercept, weights=weights)


class NoActivePmtModel(LookupError):
    """No PMT model is active: a supervisor must activate one before households can be scored."""


def _scoring_model(**lookup) -> ScoringModel | None:
    found = PmtModel.objects.filter(**lookup).values_list("version", "activated_at").first()
    return _cached_scoring_model(*found) if found else None


def pmt_scoring_model() -> ScoringModel:
    """The active PMT model. Active and retired models never change, so their weights are cached."""
    model = _scoring_model(status=PmtModel.Status.ACTIVE)
    if model is None:
        raise NoActivePmtModel("No PMT model is active; a supervisor activates one in the admin.")
    return model


def pmt_breakdown(*, household: Household) -> list:
    """The lines of the household's current score: which inputs gave which points, by the model it carries."""
    model = _scoring_model(version=household.pmt_model_version)
    facts = household_facts(household=household_values(household),
                            members=[member_values(m) for m in household.members.all()],
                            today=household.updated_at.date() if household.updated_at else date.today())
    return list(model.score(facts).lines)


def duplicate_queue(*, status: str | None = DuplicateCandidate.Status.PENDING) -> QuerySet[DuplicateCandidate]:
    return filtered(DuplicateCandidate.objects.select_related("member__household", "matches__household"),
                    status=status)
