"""The registry's writes. Every change of a household or member goes through here: validated by
`validation`, scored by the active PMT model, kept in the history, announced through the outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dsrs.events.bulk import History, insert_history, insert_objects, update_objects
from dsrs.events.outbox import buffered as outbox_buffered
from dsrs.personal_data import blind_index

from . import dedup, events, selectors
from .number_conflicts import (Conflict, NumberAlreadyRegistered, already_registered_message,  # noqa: F401
                               number_conflicts_record, number_conflicts_review)
from .models import (DuplicateCandidate, Household, Member, PmtModel, canonical_number, canonical_numbers,
                     member_match_key)
from .pmt import household_facts, weight_errors
from .validation import (HouseholdInvalid, household_check, household_errors, household_values, member_id,
                         member_values)

_INDEXES = {"phone_number": "phone_index", "payout_account": "payout_account_index"}
DERIVED_FIELDS = ("head_of_household_name", "household_size", "monthly_income", "per_capita_income", "pmt_score",
                  "pmt_model_version")
_CENTS = Decimal("0.01")


@dataclass
class Registration:
    """What a bulk registration did."""

    households: list[Household] = field(default_factory=list)
    duplicates_flagged: int = 0
    rejected: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # entry position -> path -> reasons
    conflicts: list = field(default_factory=list)  # the PhilSys numbers given that others have (Conflict)


def _household_number(household_id: uuid.UUID) -> str:
    return f"HH-{household_id.hex[:12].upper()}"


def _index_personal_data(household: Household) -> list[str]:
    """Store each sensitive number in its one spelling and refresh its blind index; answer the fields."""
    for name, index in _INDEXES.items():
        value = canonical_number(name, getattr(household, name))
        setattr(household, name, value)
        setattr(household, index, blind_index(value, purpose=name))
    return [*_INDEXES, *_INDEXES.values()]


def _derive(household: Household, members: list[Member], *, model, today: date, given: dict | None = None) -> None:
    """Set what is computed from the members and the PMT inputs, never typed. `given`: the entry the
    household was just built from, whose plain values the PMT reads without reading them back."""
    head = next(m for m in members if m.relationship == Member.Relationship.HEAD)
    household.head_of_household_name = head.full_name[:200]
    household.household_size = len(members)
    household.monthly_income = sum((Decimal(m.monthly_income) for m in members), Decimal(0)).quantize(_CENTS)
    household.per_capita_income = (household.monthly_income / len(members)).quantize(_CENTS)
    if given is None:
        given = {"household": household_values(household), "members": [member_values(m) for m in members]}
    facts = household_facts(household=given["household"], members=given["members"], today=today)
    scoring = model.score(facts)
    household.pmt_score, household.pmt_model_version = scoring.score, scoring.version


class _Constructor:
    """Unsaved instances of a model from a dict of field values, through the positional form of the
    model's constructor: the keyword form costs several times as much per field, and a bulk
    registration builds hundreds of thousands of instances."""

    def __init__(self, model):
        self.fields = model._meta.concrete_fields
        self.model = model
        self.slot = {}
        for position, model_field in enumerate(self.fields):
            self.slot[model_field.attname] = self.slot[model_field.name] = position
        # Callable defaults (uuid4, list) are called for each instance; the others are fixed values.
        self.defaults = [(True, f.default) if f.has_default() and callable(f.default) else (False, f.get_default())
                         for f in self.fields]

    def __call__(self, values: dict):
        row = [default() if call else default for call, default in self.defaults]
        for name, value in values.items():
            row[self.slot[name]] = value
        return self.model(*row)


_household_constructor, _member_constructor = _Constructor(Household), _Constructor(Member)


def _new_member(household: Household, fields: dict) -> Member:
    member = _member_constructor({k: v for k, v in fields.items() if k != "id"})
    member.household = household
    member.philsys_number = member.philsys_number or None
    member.philsys_index = blind_index(member.philsys_number, purpose="philsys_number")
    member.match_key = member_match_key(member, barangay_code=household.barangay_code)
    return member


def _registered_numbers(members_by_path: dict, *, regions: frozenset[str] | None,
                        exclude_household: uuid.UUID | None = None) -> tuple[dict[str, list[str]], list[Conflict]]:
    """The members whose PhilSys number is already registered: the reasons by path, and the conflicts."""
    taken = selectors.members_by_philsys_index(
        indexes={m.philsys_index for m in members_by_path.values() if m.philsys_index},
        exclude_household=exclude_household)
    conflicts = [Conflict(path, m, taken[m.philsys_index]) for path, m in members_by_path.items()
                 if m.philsys_index in taken]
    return {c.path: [already_registered_message(c.holder, regions=regions)] for c in conflicts}, conflicts


@transaction.atomic
def households_register_many(*, entries: list[dict], reason: str = "bulk registration", user=None,
                             model=None, skip_invalid: bool = False,
                             regions: frozenset[str] | None = frozenset()) -> Registration:
    """Register households with their members, each entry `{"household": {...}, "members": [...],
    "import_reference": optional}`: rows written by COPY on PostgreSQL, history and events included.

    A broken rule, or a PhilSys number registered already, refuses the whole call with the field
    paths (`[3].members[0].sex`); with `skip_invalid`, those entries are left out instead and their
    errors answered in `rejected`, by entry position. Probable duplicates are flagged for review,
    never merged.
    """
    today = timezone.localdate()
    model = model or selectors.pmt_scoring_model()
    now = timezone.now()
    registration = Registration()
    households, own_members, numbered = {}, {}, {}
    for position, entry in enumerate(entries):
        entry = {**entry, "household": canonical_numbers(entry["household"]),
                 "members": [canonical_numbers(member) for member in entry["members"]]}
        if errors := household_errors(entry["household"], entry["members"], today=today):
            registration.rejected[position] = {path: [message] for path, message in errors.items()}
            continue
        household = _household_constructor({**entry["household"],
                                             "import_reference": entry.get("import_reference") or None})
        household.household_number = _household_number(household.id)
        household.created_at = household.updated_at = now
        _index_personal_data(household)
        own = own_members[position] = [_new_member(household, fields) for fields in entry["members"]]
        for index, member in enumerate(own):
            member.created_at = member.updated_at = now
            if member.philsys_index:
                numbered[(position, f"members[{index}].philsys_number")] = member
        _derive(household, own, model=model, today=today, given=entry)
        households[position] = household
    taken, conflicts = _registered_numbers(numbered, regions=regions)
    for (position, path), messages in taken.items():
        registration.rejected.setdefault(position, {})[path] = messages
    prefixed = len(entries) > 1
    registration.conflicts = [replace(c, path=(f"[{c.path[0]}]." if prefixed else "") + c.path[1]) for c in conflicts]
    if registration.rejected and not skip_invalid:
        errors = {(f"[{position}]." if prefixed else "") + path: messages
                  for position, errors in sorted(registration.rejected.items()) for path, messages in errors.items()}
        if conflicts:
            raise NumberAlreadyRegistered(errors, conflicts=registration.conflicts)
        raise HouseholdInvalid(errors)
    for position in registration.rejected:
        households.pop(position, None)
    registration.households = list(households.values())
    members = [member for position in households for member in own_members[position]]
    if user is None and households:  # the request's user, as simple-history's own signals would take it
        user = Household.history.model.get_default_history_user(registration.households[0])
    insert_objects(registration.households,
                   history=History(Household.history.model, when=now, user=user, reason=reason))
    insert_objects(members, history=History(Member.history.model, when=now, user=user, reason=reason))
    registration.duplicates_flagged = dedup.flag_probable_duplicates(members)
    with outbox_buffered():
        for position, household in households.items():
            events.publish_household_registered(household, own_members[position], today=today)
    return registration


def household_register(*, household: dict, members: list[dict], reason: str = "registered", user=None,
                       import_reference: str | None = None, regions: frozenset[str] | None = frozenset()) -> Household:
    """Register one household with its members (see `households_register_many`)."""
    entry = {"household": household, "members": members, "import_reference": import_reference}
    return households_register_many(entries=[entry], reason=reason, user=user, regions=regions).households[0]


@transaction.atomic
def household_update(*, household: Household, changes: dict | None = None, members: list[dict] | None = None,
                     reason: str = "", model=None, regions: frozenset[str] | None = frozenset()) -> Household:
    """Change a household's fields and, if `members` is given, its members: the complete new list,
    where an item with an `id` updates that member, one without adds a member, and a member left out
    is removed. A real change is rescored, bumps the version, is kept in the history with `reason`,
    and emits `updated`; a change to nothing does nothing."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    current = list(household.members.all())
    changes = {name: canonical_number(name, value) if name in _INDEXES else value
               for name, value in (changes or {}).items()}
    proposed_household = {**household_values(household), **changes}
    for name in _INDEXES:
        proposed_household[name] = proposed_household[name] or ""
    by_id = {m.id: m for m in current}
    if members is None:
        proposed_members = [member_values(m) | {"id": m.id} for m in current]
    else:
        proposed_members = members = [canonical_numbers(member) for member in members]
        unknown = [i for i, m in enumerate(members) if m.get("id") and member_id(m["id"]) not in by_id]
        if unknown:
            raise HouseholdInvalid({f"members[{i}].id": ["Not a member of this household."] for i in unknown})
    household_check(proposed_household, proposed_members, today=timezone.localdate())

    before = {name: getattr(household, name) for name in (*changes, *DERIVED_FIELDS)}
    for name, value in changes.items():
        setattr(household, name, value)
    _index_personal_data(household)
    kept, added, changed_members = [], [], []
    for fields in proposed_members:
        if fields.get("id"):
            member = by_id[member_id(fields["id"])]
            member_before = member_values(member)
            for name, value in fields.items():
                if name != "id":
                    setattr(member, name, value)
            member.philsys_number = member.philsys_number or None
            member.philsys_index = blind_index(member.philsys_number, purpose="philsys_number")
            if member_values(member) != member_before:
                changed_members.append(member)
            kept.append(member)
        else:
            added.append(_new_member(household, fields))
    removed = [m for m in current if m not in kept]
    new_list = kept + added
    taken, conflicts = _registered_numbers(
        {f"members[{i}].philsys_number": m for i, m in enumerate(new_list) if m.philsys_index},
        regions=regions, exclude_household=household.id)
    if conflicts:
        raise NumberAlreadyRegistered(taken, conflicts=conflicts)
    _derive(household, new_list, model=model or selectors.pmt_scoring_model(), today=timezone.localdate())
    household_changed = any(getattr(household, name) != value for name, value in before.items())
    if not (household_changed or added or removed or changed_members):
        return household
    for member in removed:
        member._change_reason = reason
        member.delete()
    for member in [*changed_members, *added]:
        member._change_reason = reason
        member.save()
    household.version += 1
    household._change_reason = reason
    household.save()
    moved = [m for m in kept if m.match_key != member_match_key(m, barangay_code=household.barangay_code)]
    for member in moved:  # the household moved to another barangay: its members' blocks move with it
        member.match_key = member_match_key(member, barangay_code=household.barangay_code)
    Member.objects.bulk_update(moved, ["match_key"])
    dedup.flag_probable_duplicates([*changed_members, *added, *(m for m in moved if m not in changed_members)])
    events.publish_household_updated(household, new_list, today=timezone.localdate())
    return household


@transaction.atomic
def household_set_status(*, household: Household, status: str, reason: str) -> Household:
    """Deactivate, graduate, ... a household (or make it active again); the reason is kept with it."""
    if status not in Household.Status.values:
        raise HouseholdInvalid({"status": [f"'{status}' is not one of: {', '.join(Household.Status.values)}."]})
    if not reason or not reason.strip():
        raise HouseholdInvalid({"reason": ["Say why the status changes; it is kept in the history."]})
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status == status:
        return household
    household.status, household.status_reason = status, reason.strip()[:200]
    household.version += 1
    household._change_reason = reason
    household.save(update_fields=["status", "status_reason", "version", "updated_at"])
    events.publish_household_updated(household, list(household.members.all()), today=timezone.localdate())
    return household


@transaction.atomic
def _households_rescore_batch(*, household_ids: list, model, reason: str) -> int:
    today = timezone.localdate()
    households = list(Household.objects.select_for_update().filter(pk__in=household_ids)
                      .prefetch_related("members").order_by("pk"))
    changed = []
    for household in households:
        members = list(household.members.all())
        before = (household.pmt_score, household.pmt_model_version)
        _derive(household, members, model=model, today=today)
        if (household.pmt_score, household.pmt_model_version) != before:
            household.version += 1
            household.updated_at = timezone.now()
            household._change_reason = reason
            changed.append((household, members))
    rescored = [h for h, _ in changed]
    update_objects(rescored, [*DERIVED_FIELDS, "version", "updated_at"])
    insert_history(rescored, History(Household.history.model, when=timezone.now(), user=None, reason=reason, kind="~"))
    with outbox_buffered():
        for household, members in changed:
            events.publish_household_updated(household, members, today=today)
    return len(changed)


def households_rescore(*, household_ids=None, reason: str = "PMT recomputed", batch_size: int = 500,
                       progress=None) -> int:
    """Recompute the PMT score of the households (every one if `household_ids` is None) with the
    active model, in batches of one transaction each; answer how many scores changed. A changed
    score is a new version of the household, with its history row and `updated` event."""
    model = selectors.pmt_scoring_model()
    ids = selectors.household_ids(household_ids=household_ids)
    changed = 0
    for start in range(0, len(ids), batch_size):
        changed += _households_rescore_batch(household_ids=ids[start:start + batch_size], model=model, reason=reason)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return changed


@transaction.atomic
def pmt_model_activate(*, pmt_model: PmtModel, user=None) -> PmtModel:
    """Make a draft model the one that scores households; the active one retires. Rescoring the
    households is a separate, long step: `households_rescore` (the admin and `rescore_households` run it)."""
    pmt_model = PmtModel.objects.select_for_update().get(pk=pmt_model.pk)
    if pmt_model.status != PmtModel.Status.DRAFT:
        raise ValidationError(f"PMT model v{pmt_model.version} is {pmt_model.status}; only a draft can be activated.")
    problems = [f"{w}: {problem}" for w in pmt_model.weights.all() if (problem := weight_errors(w.indicator, w.option))]
    if problems:
        raise ValidationError(problems)
    PmtModel.objects.filter(status=PmtModel.Status.ACTIVE).update(status=PmtModel.Status.RETIRED)
    pmt_model.status, pmt_model.activated_at, pmt_model.activated_by = PmtModel.Status.ACTIVE, timezone.now(), user
    pmt_model.save()
    return pmt_model


@transaction.atomic
def pmt_model_copy(*, pmt_model: PmtModel, user=None, description: str = "") -> PmtModel:
    """A new draft with the same intercept and weights, the way to change a model that is in use."""
    version = (PmtModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    draft = PmtModel.objects.create(version=version, intercept=pmt_model.intercept, created_by=user,
                                    description=description or f"copy of v{pmt_model.version}")
    draft.weights.bulk_create([type(w)(model=draft, indicator=w.indicator, option=w.option,
                                       region_code=w.region_code, weight=w.weight) for w in pmt_model.weights.all()])
    return draft


@transaction.atomic
def duplicate_review(*, candidate: DuplicateCandidate, confirmed: bool, user, note: str = "") -> DuplicateCandidate:
    """A supervisor's decision on a probable duplicate. Confirming it deactivates the later
    household, with the reason naming the earlier one; nothing is merged or deleted."""
    candidate = DuplicateCandidate.objects.select_for_update().select_related(
        "member__household", "matches__household").get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.PENDING:
        raise ValidationError(f"This flag was {candidate.status} already.")
    candidate.status = DuplicateCandidate.Status.CONFIRMED if confirmed else DuplicateCandidate.Status.DISMISSED
    candidate.reviewed_by, candidate.reviewed_at, candidate.review_note = user, timezone.now(), note[:200]
    candidate.save()
    if confirmed:
        household_set_status(household=candidate.member.household, status=Household.Status.INACTIVE,
                             reason=f"duplicate of {candidate.matches.household.household_number} "
                                    f"(confirmed by {user})")
    return candidate


class UnreadableNumber(ValueError):
    """A sensitive number that no current or fallback key decrypts (the library then hands back ciphertext)."""


def _check_readable(obj, fields) -> None:
    for name in fields:
        value = canonical_number(name, getattr(obj, name))
        try:
            type(obj)._meta.get_field(name).run_validators(value or "")
        except ValidationError:
            if value:
                raise UnreadableNumber(f"{type(obj).__name__.lower()} {obj.pk}: {name} does not decrypt to a valid "
                                       "value; is a retired key missing from the fallbacks?") from None


def _leave_duplicates_unindexed(members: list[Member]) -> None:
    """A member whose number another member holds already (two records of one person, registered
    before numbers were canonical) keeps the number but not the index, which stays with the first:
    the pair waits in the duplicate review (migration 0005 queued it)."""
    holders = selectors.members_by_philsys_index(indexes={m.philsys_index for m in members if m.philsys_index})
    claimed = {index: member.id for index, member in holders.items()}
    for member in sorted(members, key=lambda m: (m.created_at, str(m.id))):
        if member.philsys_index and claimed.setdefault(member.philsys_index, member.id) != member.id:
            member.philsys_index = ""


@transaction.atomic
def households_reencrypt(*, households: list[Household]) -> None:
    """Write each household's and member's numbers again with the current key and refresh their
    blind indexes. Refuses the whole batch if a value does not read as a number: re-encrypting
    ciphertext that a retired key could have opened would lose it for good."""
    members = list(Member.objects.filter(household__in=households))
    for household in households:
        _check_readable(household, _INDEXES)
        _index_personal_data(household)
    for member in members:
        _check_readable(member, ["philsys_number"])
        member.philsys_number = canonical_number("philsys_number", member.philsys_number)
        member.philsys_index = blind_index(member.philsys_number, purpose="philsys_number")
    _leave_duplicates_unindexed(members)
    Household.objects.bulk_update(households, [*_INDEXES, *_INDEXES.values()])
    Member.objects.bulk_update(members, ["philsys_number", "philsys_index"])
