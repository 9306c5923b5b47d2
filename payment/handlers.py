"""Payment's consumer group: eligibility's enrolments (who is paid) and the registry's households
(the members the formulas count). Thin: parse, call a service."""

from datetime import date, datetime
from uuid import UUID

from dsrs.events import Event, subscribe

from . import services

GROUP = "payment"
ENROLMENT_EVENTS = tuple(f"eligibility.enrolment.{s}" for s in ("enrolled", "waitlisted", "suspended", "exited"))
HOUSEHOLD_EVENTS = ("registry.household.registered", "registry.household.updated")
MEMBER_FACTS = ("relationship", "age", "attending_school", "is_pregnant", "has_disability")


def _enrolment(event: Event) -> services.EnrolmentChange:
    data = event.data
    return services.EnrolmentChange(
        household_id=UUID(data["household_id"]), program_code=data["program_code"],
        enrolment_id=UUID(data["enrolment_id"]), status=data["status"], enrolment_version=data["enrolment_version"],
        reason=data["reason"][:500], effective_on=date.fromisoformat(data["effective_on"]),
        region_code=data["region_code"], province_code=data["province_code"],
        municipality_code=data["municipality_code"], barangay_code=data["barangay_code"])


def _observed_on(event: Event) -> date:
    return datetime.fromisoformat(event.time).date() if isinstance(event.time, str) else event.time.date()


def _household(event: Event) -> services.HouseholdChange:
    """v1 named no members (the household then has none the components count: base amount only)."""
    data = event.data
    members = [{**{f: m[f] for f in MEMBER_FACTS}, "birth_month": m.get("birth_month", "")}
               for m in data.get("members", [])]
    return services.HouseholdChange(household_id=UUID(data["household_id"]), version=data["version"],
                                    members=members, observed_on=_observed_on(event))


def on_events(events: list[Event]) -> None:
    households = [_household(e) for e in events if e.type in HOUSEHOLD_EVENTS]
    if households:
        services.households_apply(changes=households)
    enrolments = [_enrolment(e) for e in events if e.type in ENROLMENT_EVENTS]
    if enrolments:
        services.enrolments_apply(changes=enrolments)


for _event_type in (*ENROLMENT_EVENTS, *HOUSEHOLD_EVENTS):
    subscribe(group=GROUP, event_type=_event_type, batch=True)(on_events)
