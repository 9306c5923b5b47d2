"""Factories of the events analytics consumes, built to their committed contracts (checked on build):
households (v3), assessments (v2), enrolments (v1), the payment lifecycle (v1) and the legacy payment
events (v2). Each call answers a new Event; a household's or payment's versions are kept by the caller."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone

from django.conf import settings

from dsrs.events import Event
from dsrs.events import contracts
from dsrs.events.envelope import SCHEMA_URN

MANILA = timezone(timedelta(hours=8))
# Two municipalities of Bohol (Central Visayas), one of Cebu, and a city of NCR (no province).
CENTRAL_VISAYAS, BOHOL, CEBU = "0700000000", "0701200000", "0702200000"
ALBURQUERQUE, ALICIA, CEBU_ALCANTARA = "0701201000", "0701202000", "0702201000"
PLACES = {
    ALBURQUERQUE: {"region_code": CENTRAL_VISAYAS, "province_code": BOHOL, "municipality_code": ALBURQUERQUE,
                   "barangay_code": "0701201001"},
    ALICIA: {"region_code": CENTRAL_VISAYAS, "province_code": BOHOL, "municipality_code": ALICIA,
             "barangay_code": "0701202001"},
    CEBU_ALCANTARA: {"region_code": CENTRAL_VISAYAS, "province_code": CEBU, "municipality_code": CEBU_ALCANTARA,
                     "barangay_code": "0702201001"},
}


def moment(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), MANILA)


def event(event_type: str, *, version: int, subject: str, data: dict, at: datetime | None = None) -> Event:
    contracts.validate(event_type, version, data)
    fields = {"time": at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")} if at else {}
    return Event(type=event_type, subject=subject, data=data, source=settings.EVENTS_SOURCE,
                 dataschema=SCHEMA_URN.format(type=event_type, version=version), **fields)


def household(household_id: str, *, version: int = 1, place: dict, day: date, status: str = "active") -> Event:
    kind = "registered" if version == 1 else "updated"
    return event(f"registry.household.{kind}", version=3, subject=household_id, at=moment(day), data={
        "household_id": household_id, "household_number": "HH-" + household_id.replace("-", "")[:12].upper(),
        "version": version, "status": status, **place, "household_size": 1, "monthly_income": "5000.00",
        "pmt_score": 0.3, "per_capita_income": "5000.00", "pmt_model_version": 1,
        "members": [{"member_id": str(uuid.uuid5(uuid.NAMESPACE_URL, household_id)), "age": 40, "sex": "female",
                     "relationship": "head", "has_disability": False, "is_pregnant": False,
                     "attending_school": False, "monthly_income": "5000.00", "birth_month": "1986-01"}]})


def assessment(household_id: str, *, decision: str, place: dict, day: date, household_version: int = 1,
               program: str = "4PS", hour: int = 10) -> Event:
    return event(f"eligibility.assessment.{decision}", version=2, subject=household_id, data={
        "assessment_id": str(uuid.uuid4()), "household_id": household_id, "household_version": household_version,
        "program_code": program, "decision": decision, "reasons": [], **place, "pmt_score": 0.3,
        "monthly_income": "5000.00", "assessed_at": moment(day, hour).isoformat()})


def enrolment(household_id: str, *, status: str, place: dict, day: date, version: int = 1, previous: str = "",
              program: str = "4PS") -> Event:
    return event(f"eligibility.enrolment.{status}", version=1, subject=household_id, data={
        "enrolment_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{program}:{household_id}")),
        "household_id": household_id, "program_code": program, "benefit_kind": "cash", "status": status,
        "previous_status": previous, "enrolment_version": version, "reason": "", "assessment_id": None, **place,
        "pmt_score": 0.3, "effective_on": day.isoformat()})


def payment(payment_id: str, household_id: str, *, status: str, version: int, place: dict, day: date,
            cycle: str = "4PS-2026-11", amount_centavos: int = 75000, previous: str = "", program: str = "4PS") -> Event:
    return event(f"payment.payment.{status}", version=1, subject=household_id, data={
        "payment_id": payment_id, "entitlement_id": str(uuid.uuid5(uuid.NAMESPACE_URL, payment_id)),
        "household_id": household_id, "program_code": program,
        "cycle_id": str(uuid.uuid5(uuid.NAMESPACE_URL, cycle)), "cycle_code": cycle,
        "period_start": "2026-11-01", "period_end": "2026-11-30", "batch_id": None, "status": status,
        "previous_status": previous, "payment_version": version, "attempt": 1, "amount_centavos": amount_centavos,
        "currency": "PHP", **place, "reason": "", "occurred_at": moment(day, 11).isoformat()})


LIFECYCLE = ("pending", "approved", "sent", "paid")


def payment_life(payment_id: str, household_id: str, *, until: str, place: dict, day: date, **kwargs) -> list[Event]:
    """A payment's events from pending to `until` (failed, cancelled and reversed after the step they follow)."""
    path = {"failed": (*LIFECYCLE[:3], "failed"), "cancelled": ("pending", "cancelled"),
            "reversed": (*LIFECYCLE, "reversed")}.get(until) or LIFECYCLE[:LIFECYCLE.index(until) + 1]
    return [payment(payment_id, household_id, status=status, version=i + 1, previous=path[i - 1] if i else "",
                    place=place, day=day + timedelta(days=i), **kwargs) for i, status in enumerate(path)]


def legacy_payment(payment_id: str, household_id: str, *, completed: bool, place: dict, day: date,
                   cycle: str = "2026-11") -> Event:
    kind, at = ("completed", "completed_at") if completed else ("scheduled", "scheduled_at")
    data = {"payment_id": payment_id, "household_id": household_id, "program_code": "4PS", "cycle": cycle,
            "amount": "750.00", "currency": "PHP", **place, at: moment(day).isoformat()}
    if not completed:
        data["assessment_id"] = str(uuid.uuid4())
    return event(f"payment.payment.{kind}", version=2, subject=household_id, data=data)
