"""The facts a rule may name: what the registry's household events tell eligibility, nothing else.

An expression sees the household's facts as top-level names, its members as `members` (a list of maps
with MEMBER_FACTS) and the rule set's parameters for the household's region as `params`. Ages are whole
years on the day of the assessment (see docs/eligibility.md, "Ages").
"""

from datetime import date

HOUSEHOLD_FACTS = {
    "status": "string: active, inactive, graduated, deceased_head or transferred",
    "region_code": "string: PSGC region code",
    "province_code": "string: PSGC province code ('' in NCR)",
    "municipality_code": "string: PSGC city or municipality code",
    "barangay_code": "string: PSGC barangay code",
    "household_size": "int: number of members",
    "monthly_income": "double: the members' monthly incomes added up (PHP)",
    "per_capita_income": "double: monthly income divided by household size (PHP)",
    "pmt_score": "double: proxy-means-test score, 0 to 1, lower is poorer",
    "members": "list of members, each a map of the member facts",
}
MEMBER_FACTS = {
    "age": "int: whole years on the day of the assessment",
    "sex": "string: female or male",
    "relationship": "string: head, spouse, child, child_in_law, grandchild, parent, sibling, other_relative, "
                    "non_relative",
    "has_disability": "bool",
    "is_pregnant": "bool",
    "attending_school": "bool",
    "monthly_income": "double: the member's monthly income (PHP)",
}
PARAMS = "params"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


HOUSEHOLD_VALUES = {
    "status": lambda f: f.status, "region_code": lambda f: f.region_code,
    "province_code": lambda f: f.province_code, "municipality_code": lambda f: f.municipality_code,
    "barangay_code": lambda f: f.barangay_code, "household_size": lambda f: f.household_size,
    "monthly_income": lambda f: float(f.monthly_income), "per_capita_income": lambda f: float(f.per_capita_income),
    "pmt_score": lambda f: float(f.pmt_score),
}
MEMBER_VALUES = {name: (lambda name: lambda m, day: m[name])(name) for name in MEMBER_FACTS}
MEMBER_VALUES["age"] = lambda m, day: member_age(m, day=day)
MEMBER_VALUES["monthly_income"] = lambda m, day: float(m["monthly_income"])


def household_context(facts, *, day: date, params: dict, reads: tuple[tuple, tuple] | None = None) -> dict:
    """The CEL variables of one household (a models.HouseholdFact) on `day`.

    `reads` (household facts, member facts) limits the context to what a rule set reads: converting
    values to CEL is most of an evaluation's cost.
    """
    household_facts, member_facts = reads or (tuple(HOUSEHOLD_VALUES), tuple(MEMBER_FACTS))
    context = {name: HOUSEHOLD_VALUES[name](facts) for name in household_facts}
    context["members"] = [{name: MEMBER_VALUES[name](m, day) for name in member_facts} for m in facts.members]
    context[PARAMS] = params
    return context


def member_age(member: dict, *, day: date) -> int:
    """Whole years on `day`.

    From a v3 event, the birth month (`YYYY-MM`) counted from its first day: an age is never late and at
    most one month early. From a v2 event, which gives only the age on the event's day (`age_on`), the
    years since then are added: a birthday between the event and `day` is counted only once a full year
    has passed, so the age may be one year low until the household's next event.
    """
    if member.get("birth_month"):
        year, month = map(int, member["birth_month"].split("-"))
        return age_on(date(year, month, 1), day)
    return member["age"] + max(0, age_on(date.fromisoformat(member["age_on"]), day))


PROBE_MEMBER = {"age": 30, "sex": "female", "relationship": "head", "has_disability": False, "is_pregnant": False,
                "attending_school": False, "monthly_income": 0.0}


def probe_context(params: dict) -> dict:
    """A household with every fact, on which a saved expression must evaluate to true or false."""
    return {"status": "active", "region_code": "0700000000", "province_code": "0702200000",
            "municipality_code": "0702217000", "barangay_code": "0702217001", "household_size": 2,
            "monthly_income": 0.0, "per_capita_income": 0.0, "pmt_score": 0.5,
            "members": [PROBE_MEMBER, PROBE_MEMBER | {"age": 8, "relationship": "child", "attending_school": True}],
            PARAMS: params}
