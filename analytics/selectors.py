"""Reads of the read model: the summary, a time series, a breakdown by place or program."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from .dimensions import level_of_filters
from .figures import KPIS, MEASURES, Summary
from .stores import Query, get_store

PLACE_FILTERS = ("region_code", "province_code", "municipality_code", "barangay_code")


def _query(*, region_code=None, province_code=None, municipality_code=None, barangay_code=None, program_code=None,
           cycle=None, date_from: date | None = None, date_to: date | None = None, measures=()) -> Query:
    codes = {field: value for field, value in (("region_code", region_code), ("province_code", province_code),
                                                ("municipality_code", municipality_code),
                                                ("barangay_code", barangay_code)) if value}
    return Query(level=level_of_filters(codes), codes=codes, program_code=program_code or "", cycle=cycle or "",
                 day_from=date_from.isoformat() if date_from else "", day_to=date_to.isoformat() if date_to else "",
                 measures=tuple(measures))


def summary_get(*, min_cell: int = 0, **filters) -> Summary:
    """The figures of the cells that match every filter given (they combine with AND); one left out
    (None or '') does not narrow. Program and cycle filters leave the figures that have none (the
    households; all but the payments) as they are. Days are the days of each aggregate's latest
    change (its first, for households registered and payments created)."""
    totals = {measure: sums for (measure,), sums in get_store().group(_query(**filters)).items()}
    return Summary(totals, min_cell=min_cell)


def _bucket(day: str, interval: str) -> str:
    moment = date.fromisoformat(day)
    if interval == "week":
        return (moment - timedelta(days=moment.weekday())).isoformat()  # the Monday
    if interval == "month":
        return moment.replace(day=1).isoformat()
    return day


def timeseries_get(*, kpi: str, interval: str = "day", min_cell: int = 0, **filters) -> list[dict]:
    """One point per day, week (starting Monday) or month with a change in it: the KPI's figure of
    that period (the aggregates whose counted change fell in it) and the running total."""
    measures, is_money = KPIS[kpi]
    rows = get_store().group(_query(**filters, measures=measures), by=("day",))
    periods: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (day, _measure), (count, amount) in rows.items():
        period = periods[_bucket(day, interval)]
        period[0] += count
        period[1] += amount
    earlier = [0, 0]
    if filters.get("date_from"):
        before = {k: v for k, v in filters.items() if k != "date_from"}
        before["date_to"] = filters["date_from"] - timedelta(days=1)
        for count, amount in get_store().group(_query(**before, measures=measures)).values():
            earlier[0] += count
            earlier[1] += amount
    points, running = [], earlier
    for period in sorted(periods):
        count, amount = periods[period]
        if not count and not amount:
            continue  # changes that cancelled out (a cell emptied again): nothing happened in the period
        running = [running[0] + count, running[1] + amount]
        shown = not (0 < count < min_cell) and not (0 < running[0] < min_cell)
        points.append({"period": period, "count": count if shown else None, "total": running[0] if shown else None,
                       **({"amount": amount if shown else None, "total_amount": running[1] if shown else None}
                          if is_money else {})})
    return points


def breakdown_get(*, by: str, min_cell: int = 0, **filters) -> list[dict]:
    """The summary's figures for each region (`by="region"`) or program (`by="program"`) that has any,
    within the filters; figures without a program (households) are left out of a breakdown by program."""
    query = _query(**filters)
    if by == "region":
        query = Query(**{**query.__dict__, "level": query.level if query.codes else "region"})
    field = "region_code" if by == "region" else "program_code"
    groups: dict[str, dict] = defaultdict(dict)
    for (value, measure), sums in get_store().group(query, by=(field,)).items():
        if value and any(sums):
            groups[value][measure] = sums
    return [{by: value, **Summary(totals, min_cell=min_cell).as_dict()} for value, totals in sorted(groups.items())]
