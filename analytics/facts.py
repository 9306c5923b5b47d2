"""From events to state: one document per aggregate, merged under the producer's order, and the cells
each state counts in.

Every merge is idempotent and commutative: a newer version (household version, assessment order,
enrolment version, payment version) replaces the fields it owns, an older or equal one changes
nothing, and "first seen" days keep the earliest. So the final state of an aggregate depends only on
the set of events applied, never on their order or on how often each came. The read model's figures
are the sums of the cells of every state (`contributions`), kept as counters that change by exactly
the difference between a state's old and new contributions, in the same transaction as the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from dsrs.events import Event

from .dimensions import CODE_FIELDS, day_of, levels_of, place_of

ASSESSED = ("eligibility.assessment.approved", "eligibility.assessment.denied")
HOUSEHOLD = ("registry.household.registered", "registry.household.updated")
ENROLMENT_STATES = ("enrolled", "waitlisted", "suspended", "exited")
ENROLMENT = tuple(f"eligibility.enrolment.{s}" for s in ENROLMENT_STATES)
PAYMENT_STATES = ("pending", "approved", "sent", "paid", "failed", "cancelled", "reversed")
PAYMENT = tuple(f"payment.payment.{s}" for s in PAYMENT_STATES)
LEGACY_SCHEDULED, LEGACY_COMPLETED = "payment.payment.scheduled", "payment.payment.completed"
EVENT_TYPES = (*HOUSEHOLD, *ASSESSED, *ENROLMENT, *PAYMENT, LEGACY_SCHEDULED, LEGACY_COMPLETED)

# What a legacy payment event stands for in the lifecycle: scheduled is pending, completed is paid.
LEGACY = {LEGACY_SCHEDULED: ("pending", 1, "scheduled_at"), LEGACY_COMPLETED: ("paid", 2, "completed_at")}


def centavos(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


@dataclass(frozen=True)
class Fact:
    """What one event says about one aggregate: its key, its order, the fields that order owns, and
    the day it happened (the earliest such day is kept as the aggregate's first day)."""

    key: str
    order: list
    fields: dict
    day: str


def fact_of(event: Event) -> Fact:
    data, kind = event.data, event.type
    if kind in HOUSEHOLD:
        return Fact(f"household:{data['household_id']}", [data["version"]],
                    {"kind": "household", "status": data["status"]} | place_of(data), day_of(event.time))
    if kind in ASSESSED:
        # A re-assessment under a new rule set keeps the household version: the later decision wins.
        return Fact(f"assessment:{data['program_code']}:{data['household_id']}",
                    [data["household_version"], data["assessed_at"]],
                    {"kind": "assessment", "program_code": data["program_code"], "status": data["decision"],
                     "day": day_of(data["assessed_at"])} | place_of(data), day_of(data["assessed_at"]))
    if kind in ENROLMENT:
        return Fact(f"enrolment:{data['program_code']}:{data['household_id']}", [data["enrolment_version"]],
                    {"kind": "enrolment", "program_code": data["program_code"], "status": data["status"],
                     "day": data["effective_on"]} | place_of(data), data["effective_on"])
    if kind in LEGACY:
        status, version, moment = LEGACY[kind]
        day = day_of(data[moment])
        return Fact(f"payment:{data['payment_id']}", [version],
                    {"kind": "payment", "program_code": data["program_code"], "cycle": data["cycle"],
                     "status": status, "amount": centavos(data["amount"]), "day": day} | place_of(data), day)
    day = day_of(data["occurred_at"])
    return Fact(f"payment:{data['payment_id']}", [data["payment_version"]],
                {"kind": "payment", "program_code": data["program_code"], "cycle": data["cycle_code"],
                 "status": data["status"], "amount": data["amount_centavos"], "day": day} | place_of(data), day)


def merge(state: dict | None, fact: Fact) -> dict:
    """The aggregate's state after `fact`: the newer order's fields, the earliest first day."""
    if state is None:
        return {"order": fact.order, **fact.fields, "first_day": fact.day}
    merged = dict(state)
    if fact.order > state["order"]:
        merged.update(fact.fields, order=fact.order)
    if fact.day < state["first_day"]:
        merged["first_day"] = fact.day
    return merged


@dataclass(frozen=True)
class Cell:
    measure: str
    level: str
    codes: tuple[tuple[str, str], ...]
    program_code: str
    cycle: str
    day: str

    key: str = field(init=False, repr=False, compare=False)  # measure|level|codes…|program|cycle|day

    def __post_init__(self):
        object.__setattr__(self, "key", "|".join((self.measure, self.level, *(c for _, c in self.codes),
                                                  self.program_code, self.cycle, self.day)))

    def document(self) -> dict:
        return {"measure": self.measure, "level": self.level, **dict(self.codes), "program_code": self.program_code,
                "cycle": self.cycle, "day": self.day}


def _measures(state: dict) -> list[tuple[str, str, str, str, int]]:
    """(measure, program, cycle, day, amount) a state counts one for."""
    kind, status = state["kind"], state["status"]
    if kind == "household":
        counted = [("households", "", "", state["first_day"], 0)]
        return counted + ([("households_active", "", "", state["first_day"], 0)] if status == "active" else [])
    if kind == "payment":
        program, cycle, amount = state["program_code"], state["cycle"], state["amount"]
        return [("payments", program, cycle, state["first_day"], amount),
                (f"payment_{status}", program, cycle, state["day"], amount)]
    prefix = "assessed" if kind == "assessment" else "enrolment"
    return [(f"{prefix}_{status}", state["program_code"], "", state["day"], 0)]


def contributions(state: dict | None, *, finest: str = "municipality") -> list[tuple[Cell, int]]:
    """The cells a state counts in, each with its amount in centavos: one per measure and level, down
    to `finest`. Counters are kept down to the city or municipality; a barangay (two dozen households
    on average) is answered from its states, through this same function (`group_states`)."""
    if state is None:
        return []
    counted = tuple(state.get(name) for name in _COUNTED)
    if finest != "barangay":  # a barangay changes no cell above it: one cache entry per municipality, not barangay
        counted = (*counted[:-1], "")
    return list(_contributions(counted, finest))


# The fields of a state its contributions depend on: states alike in these count in the same cells, so
# the consumer computes the cells of a municipality's day once, not once per household (and a state's
# old contributions, computed when it was new, come from the cache).
_COUNTED = ("kind", "status", "first_day", "day", "program_code", "cycle", "amount", *CODE_FIELDS)


@lru_cache(maxsize=1 << 16)
def _contributions(counted: tuple, finest: str) -> tuple[tuple[Cell, int], ...]:
    state = dict(zip(_COUNTED, counted))
    levels = levels_of(state)
    levels = levels[:[level for level, _ in levels].index(finest) + 1] if finest in dict(levels) else levels
    return tuple((_cell(measure, level, tuple(codes.items()), program, cycle, day), amount)
                 for measure, program, cycle, day, amount in _measures(state) for level, codes in levels)


@lru_cache(maxsize=1 << 17)
def _cell(*dimensions) -> Cell:
    """One Cell object per cell: a region's or the nation's day is counted in by thousands of states."""
    return Cell(*dimensions)


def deltas(before: dict[str, dict | None], after: dict[str, dict]) -> dict[str, tuple[Cell, int, int]]:
    """The change of every cell from the states `before` to the states `after`: (cell, count, centavos)."""
    changes: dict[str, list] = {}
    for key, new in after.items():
        old = before.get(key)
        if old == new:
            continue
        for sign, state in ((-1, old), (1, new)):
            for cell, amount in contributions(state):
                entry = changes.setdefault(cell.key, [cell, 0, 0])
                entry[1] += sign
                entry[2] += sign * amount
    return {key: (cell, n, amount) for key, (cell, n, amount) in changes.items() if n or amount}


def project(states: dict[str, dict], facts: list[Fact]) -> dict[str, dict]:
    """The states after the facts, in delivery order; only those the facts changed."""
    current = dict(states)
    for fact in facts:
        current[fact.key] = merge(current.get(fact.key), fact)
    return {key: state for key, state in current.items() if state != states.get(key)}


def group_states(states, query, by: tuple[str, ...] = ()) -> dict[tuple, tuple[int, int]]:
    """What the cells of `query` would sum to, computed from the states themselves (a barangay's)."""
    sums: dict[tuple, list[int]] = {}
    for state in states:
        for cell, amount in contributions(state, finest=query.level):
            if cell.level != query.level or not _matches(cell, query):
                continue
            document = cell.document()
            entry = sums.setdefault((*(document.get(f, "") for f in by), cell.measure), [0, 0])
            entry[0] += 1
            entry[1] += amount
    return {key: (n, amount) for key, (n, amount) in sums.items()}


def _matches(cell: Cell, query) -> bool:
    codes = dict(cell.codes)
    return (all(codes.get(f) == v for f, v in query.codes.items())
            and (not query.program_code or cell.program_code in ("", query.program_code))
            and (not query.cycle or cell.cycle in ("", query.cycle))
            and (not query.day_from or cell.day >= query.day_from)
            and (not query.day_to or cell.day <= query.day_to)
            and (not query.measures or cell.measure in query.measures))
