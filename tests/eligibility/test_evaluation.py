"""The fast evaluator (one CEL context per region, reused) answers exactly what a fresh evaluation does."""

import json
import random
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from eligibility.rules import compile_rule_set, household_context
from eligibility.services.facts import FactRow

NCR, CENTRAL_VISAYAS = "1300000000", "0700000000"


def household(rng: random.Random) -> FactRow:
    members = [{"member_id": str(uuid4()), "birth_month": f"{rng.randint(1940, 2025)}-{rng.randint(1, 12):02d}",
                "sex": "female", "relationship": "head", "has_disability": rng.random() < 0.2, "is_pregnant": False,
                "attending_school": rng.random() < 0.5, "monthly_income": rng.choice(["0.00", "3000.00"])}
               for _ in range(rng.randint(1, 6))]
    income = sum(Decimal(m["monthly_income"]) for m in members)
    return FactRow(uuid4(), 1, rng.choice(["active", "inactive"]), rng.choice([NCR, CENTRAL_VISAYAS]), "", "", "",
                   len(members), income, (income / len(members)).quantize(Decimal("0.01")),
                   Decimal(f"{rng.random():.4f}"), 1, members, uuid4(), 3)


def test_the_evaluator_answers_what_a_fresh_evaluation_of_each_household_answers():
    compiled = compile_rule_set(
        criteria=[{"code": "active", "label": "active", "expression": 'status == "active"'},
                  {"code": "senior", "label": "senior", "expression": "members.exists(m, m.age >= params.age)"},
                  {"code": "poor", "label": "poor", "expression": "pmt_score < params.cutoff"},
                  {"code": "school", "label": "school",
                   "expression": "members.exists(m, m.age < 19 && m.attending_school)"}],
        exclusions=[{"code": "rich", "label": "rich", "expression": "per_capita_income > 2000.0"}],
        parameters={"age": 60, "cutoff": 0.4}, region_parameters={NCR: {"cutoff": 0.6}})
    rng, day = random.Random(7), date(2026, 12, 1)
    households = [household(rng) for _ in range(300)]
    evaluator = compiled.evaluator(day=day)

    fast = [evaluator.evaluate(h) for h in households]
    fresh = [compiled.evaluate(household_context(h, day=day, params=compiled.params_for(h.region_code),
                                                 reads=compiled.reads)) for h in households]

    assert [passes for passes, _ in fast] == fresh
    assert len({tuple(p) for p in fresh}) > 4  # the households reach several outcomes
    context = fast[0][1]
    assert context["params"] == compiled.params_for(households[0].region_code)
    assert compiled.explain(context, fast[0][0])[1]["values"]["members.age"] == [
        m["age"] for m in household_context(households[0], day=day, params={})["members"]]


def test_the_explanation_json_is_the_explanation_serialised():
    compiled = compile_rule_set(
        criteria=[{"code": "active", "label": 'Active "100%"', "expression": 'status == "active"'},
                  {"code": "senior", "label": "senior",
                   "expression": "members.exists(m, m.age >= params.age && m.monthly_income == 0.0)"},
                  {"code": "poor", "label": "poor", "expression": "pmt_score < params.cutoff"},
                  {"code": "size", "label": "size", "expression": "size(members) <= household_size"}],
        exclusions=[{"code": "rich", "label": "rich", "expression": "per_capita_income > 2000.0"}],
        parameters={"age": 60, "cutoff": 0.4}, region_parameters={NCR: {"cutoff": 0.6}})
    rng = random.Random(11)
    evaluator = compiled.evaluator(day=date(2026, 12, 1))
    for h in [household(rng) for _ in range(200)]:
        passes, context = evaluator.evaluate(h)
        assert evaluator.explanation_json(context, passes, h.region_code) == json.dumps(
            compiled.explain(context, passes), separators=(",", ":"))


SOCPEN_LIKE = dict(
    criteria=[{"code": "active", "label": "active", "expression": 'status == "active"'},
              {"code": "senior", "label": "senior", "expression": "members.exists(m, m.age >= params.age)"},
              {"code": "no_pension", "label": "no pension",
               "expression": "members.exists(m, m.age >= params.age && m.monthly_income == 0.0)"},
              {"code": "one_disabled", "label": "one disabled", "expression": "members.exists_one(x, x.has_disability)"},
              {"code": "poor", "label": "poor", "expression": "pmt_score < params.cutoff"}],
    exclusions=[{"code": "earning", "label": "every senior earns",
                 "expression": "members.all(m, m.age < params.age || m.monthly_income > 0.0)"}],
    parameters={"age": 60, "cutoff": 0.5}, region_parameters={NCR: {"cutoff": 0.6, "age": 55}})


def _fresh(compiled, h, day):
    return compiled.evaluate(household_context(h, day=day, params=compiled.params_for(h.region_code),
                                               reads=compiled.reads))


def test_an_expression_that_is_one_macro_over_the_members_is_recognised_and_nothing_else():
    from eligibility.rules.compiler import member_wise

    for source, macro, name in [("members.exists(m, m.age >= params.age)", "exists", "m"),
                                ("  members.all( p , p.age < 60 || p.monthly_income > 0.0 ) ", "all", "p"),
                                ('members.exists_one(m, m.sex == ")" && (m.age > 1))', "exists_one", "m")]:
        found = member_wise(source)
        assert (found.macro, found.name) == (macro, name), source
    for source in ["members.exists(m, m.age > 1) || members.all(m, m.age > 2)",  # two macros
                   "members.exists(m, m.age > 1) && pmt_score < 0.5",
                   "(members.exists(m, m.age > 1))",
                   "members.exists(m, m.age > household_size)",  # the body reads a household fact
                   "members.exists(m, size(members) > 2)",  # the body reads the members
                   "members.exists(params, params.age > 1)",
                   "size(members) > 1", 'status == "active"']:
        assert member_wise(source) is None, source


def test_member_wise_criteria_remembered_answer_what_a_full_evaluation_answers():
    compiled = compile_rule_set(**SOCPEN_LIKE)
    rng, day = random.Random(5), date(2026, 12, 1)
    households = [household(rng) for _ in range(400)]
    evaluator = compiled.evaluator(day=day)
    assert len(evaluator._wise) == 4 and not evaluator._members_to_cel

    first = [evaluator.evaluate(h) for h in households]
    again = [evaluator.evaluate(h) for h in households]  # every member's results now remembered
    fresh = [_fresh(compiled, h, day) for h in households]

    assert [p for p, _ in first] == [p for p, _ in again] == fresh
    assert len({tuple(p) for p in fresh}) > 6
    assert [evaluator.approves(h) for h in households] == [all(p) for p in fresh]
    assert sum(all(p) for p in fresh) > 5  # some households pass, so approves() is seen saying yes
    # The members were never given to CEL: the region contexts hold only the facts the others read.
    assert all("members" not in held for held in evaluator._held.values())
    # The values the explanation lists are those a full evaluation reads, remembered or not.
    for h, (passes, context) in zip(households, again):
        assert evaluator.explanation_json(context, passes, h.region_code) == json.dumps(
            compiled.explain(household_context(h, day=day, params=compiled.params_for(h.region_code),
                                               reads=compiled.reads), passes), separators=(",", ":"))


def test_a_member_wise_body_that_errs_for_a_member_is_answered_by_the_library_as_before():
    compiled = compile_rule_set(
        criteria=[{"code": "odd", "label": "odd",  # a string, not a bool, for members over 80
                   "expression": 'members.exists(m, m.age > 80 ? m.sex : m.age > 60)'},
                  {"code": "poor", "label": "poor", "expression": "pmt_score < 2.0"}],
        exclusions=[], parameters={}, region_parameters={})
    rng, day = random.Random(3), date(2026, 12, 1)
    evaluator = compiled.evaluator(day=day)
    outcomes = {"same": 0, "raised": 0}
    for h in [household(rng) for _ in range(300)]:
        try:
            expected = _fresh(compiled, h, day)
        except Exception as exc:  # the library's error for the whole rule set
            with pytest.raises(type(exc)):
                evaluator.evaluate(h)
            outcomes["raised"] += 1
            continue
        assert evaluator.evaluate(h)[0] == expected
        outcomes["same"] += 1
    assert outcomes["same"] > 0 and outcomes["raised"] > 0


def test_an_evaluator_is_kept_per_day_and_thread():
    import threading

    compiled = compile_rule_set(**SOCPEN_LIKE)
    day = date(2026, 12, 1)
    assert compiled.evaluator(day=day) is compiled.evaluator(day=day)
    assert compiled.evaluator(day=date(2026, 12, 2)) is not compiled.evaluator(day=day)
    other = []
    thread = threading.Thread(target=lambda: other.append(compiled.evaluator(day=day)))
    thread.start()
    thread.join()
    assert other[0] is not compiled.evaluator(day=day)


def test_a_member_value_that_cannot_be_remembered_is_still_evaluated():
    compiled = compile_rule_set(
        criteria=[{"code": "woman", "label": "woman", "expression": 'members.exists(m, m.sex == "female")'}],
        exclusions=[], parameters={}, region_parameters={})
    rng, day = random.Random(2), date(2026, 12, 1)
    households = [household(rng) for _ in range(20)]
    households[0].members[0]["sex"] = ["female"]  # not what the events carry, and not hashable
    evaluator = compiled.evaluator(day=day)
    for h in households:
        try:
            expected = _fresh(compiled, h, day)
        except Exception as exc:
            with pytest.raises(type(exc)):
                evaluator.evaluate(h)
        else:
            assert evaluator.evaluate(h)[0] == expected
