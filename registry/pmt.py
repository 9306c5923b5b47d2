"""The proxy-means test: a household's facts in, a score between 0 and 1 (lower is poorer) out.

Plain data and arithmetic, so that a score can be explained line by line: every indicator that gave
points is one line of the breakdown shown to caseworkers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import Asset, RoofMaterial, Tenure, ToiletFacility, WallMaterial, WaterSource, age_on

# Indicators scored per option (the household's answer) ...
CATEGORIES = {
    "roof_material": tuple(RoofMaterial.values),
    "wall_material": tuple(WallMaterial.values),
    "tenure": tuple(Tenure.values),
    "water_source": tuple(WaterSource.values),
    "toilet_facility": tuple(ToiletFacility.values),
    "has_electricity": ["yes", "no"],
    "asset": tuple(Asset.values),  # one line per asset owned
}
# ... and per unit (a count of members).
COUNTS = {
    "household_size": "members in the household",
    "children_under_15": "members younger than 15",
    "seniors_60_plus": "members aged 60 or more",
    "members_with_disability": "members with a disability",
    "earning_members": "members with an income",
}
INDICATORS = sorted([*CATEGORIES, *COUNTS])
_QUANTUM = Decimal("0.0001")


def household_facts(*, household: dict, members: list[dict], today: date) -> dict[str, object]:
    """The indicators' values for a household given as plain fields and its members' fields."""
    ages = [age_on(m["birth_date"], today) for m in members]
    return {
        "region_code": household["region_code"],
        "roof_material": household["roof_material"],
        "wall_material": household["wall_material"],
        "tenure": household["tenure"],
        "water_source": household["water_source"],
        "toilet_facility": household["toilet_facility"],
        "has_electricity": "yes" if household["has_electricity"] else "no",
        "asset": sorted(set(household.get("assets") or [])),
        "household_size": len(members),
        "children_under_15": sum(age < 15 for age in ages),
        "seniors_60_plus": sum(age >= 60 for age in ages),
        "members_with_disability": sum(bool(m.get("has_disability")) for m in members),
        "earning_members": sum((m.get("monthly_income") or 0) > 0 for m in members),
    }


@dataclass(frozen=True)
class Line:
    indicator: str
    value: object
    points: Decimal


@dataclass(frozen=True)
class Scoring:
    version: int
    score: Decimal
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ScoringModel:
    version: int
    intercept: Decimal
    weights: dict[tuple[str, str, str], Decimal]  # (indicator, option, region_code or '') -> points

    def _weight(self, indicator: str, option: str, region_code: str) -> Decimal:
        regional = self.weights.get((indicator, option, region_code))
        return regional if regional is not None else self.weights.get((indicator, option, ""), Decimal(0))

    def score(self, facts: dict) -> Scoring:
        region = facts["region_code"]
        lines = []
        for indicator in CATEGORIES:
            answers = facts[indicator] if isinstance(facts[indicator], list) else [facts[indicator]]
            lines += [Line(indicator, answer, self._weight(indicator, answer, region)) for answer in answers]
        for indicator in COUNTS:
            count = facts[indicator]
            lines.append(Line(indicator, count, self._weight(indicator, "", region) * count))
        total = self.intercept + sum(line.points for line in lines)
        score = min(max(total, Decimal(0)), Decimal(1)).quantize(_QUANTUM)
        return Scoring(version=self.version, score=score, lines=tuple(lines))


def weight_errors(indicator: str, option: str) -> str | None:
    """Why a weight's indicator or option is not one the scoring knows, or None."""
    if indicator in COUNTS:
        return None if not option else f"{indicator} is a count: its weight is per unit and takes no option."
    if indicator not in CATEGORIES:
        return f"'{indicator}' is not an indicator; the indicators are {', '.join(INDICATORS)}."
    if option not in CATEGORIES[indicator]:
        return f"'{option}' is not an option of {indicator}; the options are {', '.join(CATEGORIES[indicator])}."
    return None
