"""Rule sets as versioned data: expressions checked on save, published ones immutable, one per program."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from eligibility.models import Program, RuleSet
from eligibility.services import rule_set_create, rule_set_publish, rule_set_retire, rule_set_update
from tests.eligibility.factories import criterion, program_with_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return Program.objects.create(code="KIDS", name="Children's grant", status=Program.Status.ACTIVE)


def test_the_seeded_4ps_program_decides_with_the_settings_thresholds_in_cel():
    four_ps = Program.objects.select_related("current_rule_set").get(code="4PS")

    assert four_ps.status == "active" and four_ps.current_rule_set.status == "published"
    assert [c["expression"] for c in four_ps.current_rule_set.criteria] == [
        'status == "active"', "pmt_score <= params.max_pmt_score", "monthly_income <= params.max_monthly_income"]
    assert four_ps.current_rule_set.parameters == {"max_pmt_score": 0.5, "max_monthly_income": 12000.0}
    assert Program.objects.get(code="SOCPEN").current_rule_set.criteria[1]["expression"] == (
        "members.exists(m, m.age >= params.senior_age)")


def test_an_expression_that_does_not_compile_is_refused_with_the_librarys_message_and_position(program):
    with pytest.raises(ValidationError) as refused:
        rule_set_create(program=program, criteria=[criterion("school", "members.exists(m, m.age < 19 &&")])

    (message,) = refused.value.message_dict["criteria.0.expression"]
    assert "Syntax error" in message and "<input>:1:32" in message
    assert not RuleSet.objects.filter(program=program).exists()


@pytest.mark.parametrize("expression, unknown, at", [
    ("members.exists(m, m.age < 19 && m.in_school)", "in_school", "1:35"),
    ("income < 5000.0", "income", "1:1"),
    ("pmt_score < params.cutoff", "cutoff", "1:20"),
])
def test_an_expression_naming_a_fact_that_does_not_exist_is_refused_with_its_position(program, expression,
                                                                                       unknown, at):
    with pytest.raises(ValidationError) as refused:
        rule_set_create(program=program, criteria=[criterion("c", expression)], parameters={"pmt_cutoff": 0.4})

    (message,) = refused.value.message_dict["criteria.0.expression"]
    assert f"unknown fact {unknown!r}" in message and f"at {at}" in message


def test_an_expression_that_is_not_true_or_false_on_a_household_is_refused(program):
    with pytest.raises(ValidationError) as refused:
        rule_set_create(program=program, criteria=[criterion("c", "pmt_score + 1")])

    assert "does not evaluate" in refused.value.message_dict["criteria.0.expression"][0]


def test_a_published_rule_set_cannot_be_changed_by_the_service_nor_by_saving_the_model(program):
    rule_set = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score < 0.4")])
    rule_set_publish(rule_set=rule_set, reassess=False)

    with pytest.raises(ValidationError, match="published and cannot be changed"):
        rule_set_update(rule_set=rule_set, criteria=[criterion("poor", "pmt_score < 0.9")])
    rule_set.refresh_from_db()
    rule_set.criteria = [criterion("poor", "pmt_score < 0.9")]
    with pytest.raises(ValidationError, match=r"published and cannot be changed \(criteria\)"):
        rule_set.save()
    rule_set.refresh_from_db()
    assert rule_set.criteria == [criterion("poor", "pmt_score < 0.4")]


def test_a_draft_can_be_changed_and_is_checked_again(program):
    rule_set = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score < 0.4")])

    rule_set_update(rule_set=rule_set, criteria=[criterion("poor", "pmt_score < 0.35")])
    with pytest.raises(ValidationError):
        rule_set_update(rule_set=rule_set, criteria=[criterion("poor", "pmt_score <")])
    rule_set.refresh_from_db()
    assert rule_set.criteria[0]["expression"] == "pmt_score < 0.35"


def test_publishing_retires_the_published_rule_set_so_one_is_published_per_program():
    program = program_with_rules("KIDS", [criterion("poor", "pmt_score < 0.4")])
    first = program.current_rule_set
    second = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score < 0.45")])

    rule_set_publish(rule_set=second, reassess=False)

    first.refresh_from_db()
    program.refresh_from_db()
    assert (first.status, second.version, program.current_rule_set) == ("retired", 2, second)
    with pytest.raises(ValidationError):
        rule_set_update(rule_set=first, notes="retired ones are kept as they were")
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.filter(pk=first.pk).update(status="published")  # the database refuses a second one


def test_retiring_the_published_rule_set_leaves_the_program_without_one():
    program = program_with_rules("KIDS", [criterion("poor", "pmt_score < 0.4")])

    rule_set_retire(rule_set=program.current_rule_set)

    program.refresh_from_db()
    assert program.current_rule_set is None
