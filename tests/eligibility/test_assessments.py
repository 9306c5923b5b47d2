"""Assessments from eligibility's own projection: explained, idempotent, ages on the day of assessment."""

from datetime import date, datetime, timezone

import pytest

from dsrs.events.models import OutboxEvent
from eligibility.models import Assessment, Enrolment, HouseholdFact, Program
from eligibility.services import reassessment_run, reassessment_start
from tests.eligibility.factories import HouseholdDataFactory, MemberFactsFactory, criterion, deliver, program_with_rules

pytestmark = pytest.mark.django_db

SCHOOL_AGE = criterion("school_child", "members.exists(m, m.age < 19 && m.attending_school)",
                       "A child under 19 in school")


def outbox_types() -> list[str]:
    return list(OutboxEvent.objects.order_by("id").values_list("event_type", flat=True))


@pytest.fixture
def kids():
    Program.objects.filter(code="4PS").update(status=Program.Status.SUSPENDED)  # only this program decides
    return program_with_rules("KIDS", [SCHOOL_AGE, criterion("poor", "pmt_score <= params.cutoff", "Poor enough")],
                              parameters={"cutoff": 0.4}, region_parameters={"1300000000": {"cutoff": 0.35}})


def family(*, child_born: str, child_age: int, pmt_score=0.3, **fields) -> dict:
    return HouseholdDataFactory(pmt_score=pmt_score, members=[
        MemberFactsFactory(),
        MemberFactsFactory(relationship="child", age=child_age, birth_month=child_born, attending_school=True)],
        **fields)


def test_an_explanation_lists_every_criterion_with_its_expression_the_values_used_and_whether_it_passed(kids):
    household = family(child_born="2016-05", child_age=10, pmt_score=0.38)
    deliver(household)

    assessment = Assessment.objects.get(program_code="KIDS")
    assert (assessment.decision, assessment.rule_set_version) == ("approved", 1)
    assert assessment.explanation == [
        {"code": "school_child", "label": "A child under 19 in school", "kind": "criterion",
         "expression": "members.exists(m, m.age < 19 && m.attending_school)",
         "values": {"members.age": [40, 10], "members.attending_school": [False, True]},
         "result": True, "passed": True},
        {"code": "poor", "label": "Poor enough", "kind": "criterion", "expression": "pmt_score <= params.cutoff",
         "values": {"pmt_score": 0.38, "params.cutoff": 0.4}, "result": True, "passed": True},
    ]
    explained = assessment.explain()
    assert "passed: criterion poor “Poor enough”: pmt_score <= params.cutoff was true with pmt_score = 0.38, " \
           "params.cutoff = 0.4" in explained


def test_a_refusal_names_the_failed_criterion_and_uses_the_regions_parameters(kids):
    deliver(family(child_born="2016-05", child_age=10, pmt_score=0.38, region_code="1300000000", province_code=""))

    assessment = Assessment.objects.get(program_code="KIDS")
    assert (assessment.decision, assessment.reasons) == ("denied", ["Poor enough"])
    assert assessment.explanation[1]["values"] == {"pmt_score": 0.38, "params.cutoff": 0.35}
    assert "FAILED: criterion poor" in assessment.explain()


def test_every_household_event_delivered_twice_creates_no_second_assessment_enrolment_or_event(kids):
    households = [family(child_born="2016-05", child_age=10) for _ in range(3)]
    events = deliver(*households)
    before = outbox_types()

    from eligibility.handlers import on_households_changed
    on_households_changed(events)
    for event in events:
        on_households_changed([event])

    assert Assessment.objects.filter(program_code="KIDS").count() == 3
    assert Enrolment.objects.filter(program_code="KIDS", status="enrolled").count() == 3
    assert outbox_types() == before
    assert before.count("eligibility.enrolment.enrolled") == 3


def test_an_older_version_arriving_late_changes_neither_the_projection_nor_the_decision(kids):
    household = family(child_born="2016-05", child_age=10)
    deliver(household | {"version": 2})
    deliver(household | {"version": 1, "pmt_score": 0.9})

    assert HouseholdFact.objects.get().version == 2
    assert list(Assessment.objects.filter(program_code="KIDS").values_list("household_version", "decision")) == [
        (2, "approved")]


def test_a_child_ageing_out_is_exited_at_reassessment_without_any_household_change(kids):
    # Born in December 2008: 18 on the 30th of November 2027, 19 from the 1st of December (the birth month).
    deliver(family(child_born="2008-12", child_age=17))
    Assessment.objects.update(assessed_on=date(2027, 11, 30))  # decided in November 2027
    assert Enrolment.objects.get(program_code="KIDS").status == "enrolled"

    same_month = reassessment_run(job=reassessment_start(program=kids, day=date(2027, 11, 30)))
    next_month = reassessment_run(job=reassessment_start(program=kids, day=date(2027, 12, 1)))

    assert (same_month.decisions, next_month.decisions) == (0, 1)
    enrolment = Enrolment.objects.get(program_code="KIDS")
    assert enrolment.status == "exited"
    assert enrolment.reason == "no longer qualifies: A child under 19 in school"
    latest = Assessment.objects.get(program_code="KIDS", is_latest=True)
    assert (latest.household_version, latest.decision) == (1, "denied")
    assert latest.explanation[0]["values"]["members.age"] == [41, 19]
    assert outbox_types()[-2:] == ["eligibility.assessment.denied", "eligibility.enrolment.exited"]


def test_a_v2_household_event_is_still_assessed_with_ages_counted_on_from_the_events_day(kids):
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    deliver(family(child_born="2008-12", child_age=17), schema_version=2, at=at)

    fact = HouseholdFact.objects.get()
    assert fact.event_schema_version == 2 and "birth_month" not in fact.members[1]
    assert Assessment.objects.get(program_code="KIDS").decision == "approved"
    a_year_later = reassessment_run(job=reassessment_start(program=kids, day=date(2027, 6, 1)))  # 18
    two_years_later = reassessment_run(job=reassessment_start(program=kids, day=date(2028, 6, 1)))  # 19

    assert (a_year_later.decisions, two_years_later.decisions) == (0, 1)
    latest = Assessment.objects.get(program_code="KIDS", is_latest=True)
    assert (latest.decision, latest.explanation[0]["values"]["members.age"]) == ("denied", [42, 19])
