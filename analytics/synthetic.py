"""Synthetic analytics events and read-model documents for the benchmarks (and nothing else).

`households` walks barangays in code order and makes, for each household, the events its producers
would publish, to the committed contracts: registration (a tenth updated), an assessment in 4PS, an
enrolment for the approved (a tenth waitlisted), and two monthly cycles of payments through their
lifecycle (most paid; some failed, still sent, cancelled or reversed).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from django.conf import settings

from dsrs.events import Event
from dsrs.events.envelope import SCHEMA_URN

from .dimensions import CODE_FIELDS
from .facts import Fact, fact_of, project

MANILA = timezone(timedelta(hours=8))
START = date(2026, 6, 1)
CYCLES = (("4PS-2026-10", date(2026, 10, 10)), ("4PS-2026-11", date(2026, 11, 10)))
OUTCOMES = ("paid",) * 90 + ("failed",) * 4 + ("sent",) * 3 + ("cancelled",) * 2 + ("reversed",)


def barangays() -> list[dict[str, str]]:
    """42,000 barangays in PSGC's shape and numbers (17 regions, 85 provinces, 1,700 cities and
    municipalities): codes made up, since analytics reads no other app's geography."""
    places = []
    for region in range(1, 18):
        for province in range(1, 6):
            for municipality in range(1, 21):
                for barangay in range(1, 26):
                    places.append({"region_code": f"{region:02d}00000000",
                                   "province_code": f"{region:02d}{province:03d}00000",
                                   "municipality_code": f"{region:02d}{province:03d}{municipality:02d}000",
                                   "barangay_code": f"{region:02d}{province:03d}{municipality:02d}{barangay:03d}"})
    return places


def _event(event_type: str, version: int, subject: str, data: dict, at: datetime) -> Event:
    return Event(type=event_type, subject=subject, data=data, source=settings.EVENTS_SOURCE,
                 dataschema=SCHEMA_URN.format(type=event_type, version=version),
                 time=at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"))


@dataclass(frozen=True)
class _Draws:
    """What one household's events are made of: its ids and the outcome of each step."""

    household: str
    day: date
    member: str
    updated: bool
    assessment: str
    status: str  # "" (denied), "waitlisted" or "enrolled"
    enrolment: str
    payments: tuple[tuple[str, str], ...]  # (payment id, outcome) per cycle, for the enrolled


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _draw(rng: random.Random) -> _Draws:
    household, day, member = _uuid(rng), START + timedelta(days=rng.randrange(150)), _uuid(rng)
    updated, approved, assessment = rng.random() < 0.1, rng.random() < 0.6, _uuid(rng)
    if not approved:
        return _Draws(household, day, member, updated, assessment, "", "", ())
    status, enrolment = "waitlisted" if rng.random() < 0.1 else "enrolled", _uuid(rng)
    payments = tuple((_uuid(rng), rng.choice(OUTCOMES)) for _ in CYCLES) if status == "enrolled" else ()
    return _Draws(household, day, member, updated, assessment, status, enrolment, payments)


def household_events(rng: random.Random, place: dict[str, str]) -> list[Event]:
    """The events of one household, in the order their producers publish them."""
    return _events(_draw(rng), place)


def _events(draws: _Draws, place: dict[str, str]) -> list[Event]:
    household, day = draws.household, draws.day
    at = datetime.combine(day, time(9), MANILA)
    member = {"member_id": draws.member, "age": 40, "sex": "female",
              "relationship": "head", "has_disability": False, "is_pregnant": False, "attending_school": False,
              "monthly_income": "5000.00", "birth_month": "1986-01"}
    base = {"household_id": household, "household_number": "HH-" + household[:12].upper().replace("-", "0"),
            "status": "active", **place, "household_size": 1, "monthly_income": "5000.00", "pmt_score": 0.3,
            "per_capita_income": "5000.00", "pmt_model_version": 1, "members": [member]}
    events = [_event("registry.household.registered", 3, household, base | {"version": 1}, at)]
    version = 1
    if draws.updated:
        version = 2
        events.append(_event("registry.household.updated", 3, household, base | {"version": 2},
                             at + timedelta(days=3)))
    decision = "approved" if draws.status else "denied"
    events.append(_event(f"eligibility.assessment.{decision}", 2, household, {
        "assessment_id": draws.assessment, "household_id": household,
        "household_version": version, "program_code": "4PS", "decision": decision, "reasons": [], **place,
        "pmt_score": 0.3, "monthly_income": "5000.00", "assessed_at": (at + timedelta(hours=1)).isoformat()},
        at))
    if not draws.status:
        return events
    status = draws.status
    events.append(_event(f"eligibility.enrolment.{status}", 1, household, {
        "enrolment_id": draws.enrolment, "household_id": household, "program_code": "4PS",
        "benefit_kind": "cash", "status": status, "previous_status": "", "enrolment_version": 1, "reason": "",
        "assessment_id": None, **place, "pmt_score": 0.3, "effective_on": day.isoformat()}, at))
    for (cycle, paid_on), (payment, outcome) in zip(CYCLES, draws.payments):
        path = {"failed": ("pending", "approved", "sent", "failed"), "sent": ("pending", "approved", "sent"),
                "cancelled": ("pending", "cancelled"),
                "reversed": ("pending", "approved", "sent", "paid", "reversed")}.get(
            outcome, ("pending", "approved", "sent", "paid"))
        for step, state in enumerate(path):
            moment = datetime.combine(paid_on + timedelta(days=step), time(11), MANILA)
            events.append(_event(f"payment.payment.{state}", 1, household, {
                "payment_id": payment, "entitlement_id": payment, "household_id": household, "program_code": "4PS",
                "cycle_id": payment, "cycle_code": cycle, "period_start": paid_on.replace(day=1).isoformat(),
                "period_end": paid_on.replace(day=28).isoformat(), "batch_id": None, "status": state,
                "previous_status": path[step - 1] if step else "", "payment_version": step + 1, "attempt": 1,
                "amount_centavos": 75000, "currency": "PHP", **place, "reason": "",
                "occurred_at": moment.isoformat()}, moment))
    return events


def households(count: int, *, seed: int = 20261202) -> Iterator[tuple[dict[str, str], list[Event]]]:
    """`count` households spread over every barangay, in barangay code order."""
    for place, draws in _walk(count, seed):
        yield place, _events(draws, place)


def household_states(count: int, *, seed: int = 20261202) -> Iterator[tuple[dict[str, str], dict[str, dict], int]]:
    """The same households as `households` (same seed, same ids and outcomes), as the states their
    events leave (`project`) and how many events they are, without making the events: each household's
    states are those of a template household alike in everything the states hold (day, update,
    decision, outcomes), made once from its events, with this household's ids and place."""
    for place, draws in _walk(count, seed):
        states, events = _template(draws.day, draws.updated, draws.status, tuple(o for _, o in draws.payments))
        ids = {"household": draws.household, **{f"payment{i}": p for i, (p, _) in enumerate(draws.payments)}}
        yield place, {key.format(**ids): {**state, **place} for key, state in states}, events


def _walk(count: int, seed: int) -> Iterator[tuple[dict[str, str], _Draws]]:
    rng, places = random.Random(seed), barangays()
    for index in range(count):
        yield places[index * len(places) // count], _draw(rng)


@lru_cache(maxsize=None)
def _template(day: date, updated: bool, status: str, outcomes: tuple[str, ...]) -> tuple[tuple[tuple[str, dict], ...], int]:
    """The states (keys with {household}/{paymentN} placeholders) and event count of a template household."""
    draws = _Draws("{household}", day, "", updated, "", status, "",
                   tuple((f"{{payment{i}}}", outcome) for i, outcome in enumerate(outcomes)))
    events = _events(draws, dict.fromkeys(CODE_FIELDS, ""))
    return tuple(project({}, facts_of(events)).items()), len(events)


def facts_of(events: list[Event]) -> list[Fact]:
    return [fact_of(event) for event in events]
