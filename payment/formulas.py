"""Entitlement formulas evaluated on a household's members (pure functions, integer centavos only)."""

from datetime import date


def age_on(member: dict, on: date, observed_on: date) -> int:
    """Whole years on `on`: from the first of the birth month where it was published (the day never is,
    so never late and at most a month early), else the published age carried forward by whole years."""
    birth_month = member.get("birth_month")
    if birth_month:
        year, month = birth_month.split("-")
        return on.year - int(year) - (1 if on.month < int(month) else 0)
    return int(member["age"]) + max(0, on.year - observed_on.year - ((on.month, on.day) < (observed_on.month, observed_on.day)))


_FLAGS = ("attending_school", "is_pregnant", "has_disability")


def qualifies(component: dict, member: dict, age: int) -> bool:
    if component["relationships"] and member["relationship"] not in component["relationships"]:
        return False
    if component["min_age"] is not None and age < component["min_age"]:
        return False
    if component["max_age"] is not None and age > component["max_age"]:
        return False
    for flag in _FLAGS:
        wanted = component[flag]
        if wanted is not None and bool(member.get(flag)) != wanted:
            return False
    return True


def evaluate(formula: dict, *, members: list[dict], on: date, observed_on: date, months: int) -> tuple[int, dict]:
    """The amount of one cycle in centavos and how it was reached.

    Per month: the base, plus each component's amount times its qualifying members (at most its
    `max_members`), the whole capped at the household cap; then times the cycle's months. Integers
    throughout, so no rounding happens here (payment/money.py states the one rule).
    """
    ages = [age_on(m, on, observed_on) for m in members]
    parts, monthly = [], formula["base_centavos"]
    for component in formula["components"]:
        qualifying = sum(1 for m, age in zip(members, ages) if qualifies(component, m, age))
        paid = qualifying if component["max_members"] is None else min(qualifying, component["max_members"])
        amount = paid * component["amount_centavos"]
        monthly += amount
        parts.append({"code": component["code"], "qualifying": qualifying, "paid_members": paid,
                      "centavos": amount})
    cap = formula["household_cap_centavos"]
    capped = cap is not None and monthly > cap
    per_month = min(monthly, cap) if capped else monthly
    breakdown = {"formula_version": formula["version"], "base_centavos": formula["base_centavos"],
                 "components": parts, "before_cap_centavos": monthly, "cap_applied": capped,
                 "per_month_centavos": per_month, "months": months, "on": on.isoformat()}
    return per_month * months, breakdown
