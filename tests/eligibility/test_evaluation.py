"""The fast evaluator (one CEL context per region, reused) answers exactly what a fresh evaluation does."""

import json
import random
from datetime import date
from decimal import Decimal
from uuid import uuid4

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
