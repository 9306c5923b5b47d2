"""Enrolment with regional capacity: the poorest take the places, the rest wait, an exit promotes the next."""

import pytest

from dsrs.events import Event
from dsrs.events.models import OutboxEvent
from eligibility import states
from eligibility.models import Enrolment, EnrolmentChange, Program
from eligibility.services import enrolment_resume, enrolment_suspend
from tests.eligibility.factories import (CENTRAL_VISAYAS, NCR, HouseholdDataFactory, criterion, deliver,
                                         program_with_rules)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant():
    Program.objects.filter(code="4PS").update(status=Program.Status.SUSPENDED)
    return program_with_rules("GRANT", [criterion("poor", "pmt_score < 0.5", "PMT score under 0.5")],
                              capacity={CENTRAL_VISAYAS: 2})


def statuses() -> dict[float, str]:
    return {float(e.pmt_score): e.status for e in Enrolment.objects.filter(program_code="GRANT")}


def enrolment_events(status: str) -> list[Event]:
    return [Event.from_dict(r.envelope) for r in
            OutboxEvent.objects.filter(event_type=f"eligibility.enrolment.{status}").order_by("id")]


def test_with_more_qualifiers_than_places_the_poorest_are_enrolled_and_the_rest_waitlisted(grant):
    deliver(*[HouseholdDataFactory(pmt_score=score) for score in (0.41, 0.12, 0.33, 0.27)])

    assert statuses() == {0.12: "enrolled", 0.27: "enrolled", 0.33: "waitlisted", 0.41: "waitlisted"}
    assert sorted(e.data["pmt_score"] for e in enrolment_events("enrolled")) == [0.12, 0.27]
    waitlisted = enrolment_events("waitlisted")
    assert sorted(e.data["pmt_score"] for e in waitlisted) == [0.33, 0.41]
    assert waitlisted[0].data["reason"] == f"qualifies; the 2 places in region {CENTRAL_VISAYAS} are taken"


def test_a_region_without_a_capacity_enrols_every_qualifier(grant):
    deliver(*[HouseholdDataFactory(pmt_score=s, region_code=NCR, province_code="") for s in (0.1, 0.2, 0.3)])

    assert set(statuses().values()) == {"enrolled"}


def test_a_household_that_stops_qualifying_is_exited_with_the_reason_and_its_place_goes_to_the_next(grant):
    poorest, *others = [HouseholdDataFactory(pmt_score=s) for s in (0.12, 0.27, 0.33, 0.41)]
    deliver(poorest, *others)

    deliver(poorest | {"version": 2, "pmt_score": 0.8}, event_type="registry.household.updated")

    assert statuses() == {0.8: "exited", 0.27: "enrolled", 0.33: "enrolled", 0.41: "waitlisted"}
    (exited,) = enrolment_events("exited")
    assert {k: exited.data[k] for k in ("household_id", "program_code", "previous_status", "enrolment_version",
                                        "reason")} == {
        "household_id": poorest["household_id"], "program_code": "GRANT", "previous_status": "enrolled",
        "enrolment_version": 2, "reason": "no longer qualifies: PMT score under 0.5"}
    promoted = Enrolment.objects.get(household_id=others[1]["household_id"])
    assert (promoted.reason, promoted.version) == ("a place came free", 2)
    assert list(promoted.changes.values_list("from_status", "to_status")) == [
        ("eligible", "waitlisted"), ("waitlisted", "enrolled")]


def test_a_suspended_household_keeps_its_place_and_comes_back(grant, staff_user):
    deliver(*[HouseholdDataFactory(pmt_score=s) for s in (0.1, 0.2, 0.3)])
    first = Enrolment.objects.get(program_code="GRANT", pmt_score=0.1)

    enrolment_suspend(enrolment=first, reason="conditions not met for three months", actor=staff_user)
    assert statuses() == {0.1: "suspended", 0.2: "enrolled", 0.3: "waitlisted"}
    enrolment_resume(enrolment=first, reason="conditions met again", actor=staff_user)

    assert statuses() == {0.1: "enrolled", 0.2: "enrolled", 0.3: "waitlisted"}
    assert EnrolmentChange.objects.filter(enrolment=first, actor=staff_user).count() == 2
    assert [e.data["reason"] for e in enrolment_events("suspended")] == ["conditions not met for three months"]


def test_an_illegal_transition_is_refused():
    with pytest.raises(states.IllegalTransition, match="from waitlisted to suspended"):
        states.check("waitlisted", "suspended")
