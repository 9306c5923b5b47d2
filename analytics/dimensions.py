"""The dimensions every figure is cut by: place (five PSGC levels), program, cycle and day.

A cell of the read model is one combination: a place at one level (the nation, a region, a province,
a city or municipality, a barangay), a program, a payment cycle, a day (Asia/Manila) and a measure.
A fact is counted in the cell of each level of its place, so a query at any level reads only the
cells of that level.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

LEVELS_BELOW_REGION = ("province_code", "municipality_code", "barangay_code")
CODE_FIELDS = ("region_code", *LEVELS_BELOW_REGION)
LEVELS = ("national", "region", "province", "municipality", "barangay")
LEVEL_OF_FIELD = dict(zip(CODE_FIELDS, LEVELS[1:]))


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day_of(moment: str | datetime | date) -> str:
    """The agency's calendar day (settings.TIME_ZONE, Asia/Manila) of an event time, as YYYY-MM-DD."""
    if isinstance(moment, str):
        if len(moment) == 10:
            return moment
        moment = datetime.fromisoformat(moment)
    if isinstance(moment, datetime):
        return moment.astimezone(_zone(settings.TIME_ZONE)).date().isoformat()
    return moment.isoformat()


def place_of(data: dict) -> dict[str, str]:
    """The four PSGC codes of an event's data; a v1 event names only the region."""
    return {field: data.get(field) or "" for field in CODE_FIELDS}


def levels_of(place: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """The levels a place is counted at, each with the codes down to it: the nation always, then each
    level as long as its code is known (NCR names no province; v1 events name only the region)."""
    levels = [("national", {})]
    codes: dict[str, str] = {}
    for field, level in LEVEL_OF_FIELD.items():
        if not place.get(field):
            if field == "province_code" and place.get("municipality_code"):
                continue  # a city of NCR: no province, still a municipality
            break
        codes = codes | {field: place[field]}
        levels.append((level, codes))
    return levels


def level_of_filters(filters: dict[str, str]) -> str:
    """The level of cells a query reads: the finest place it names."""
    level = "national"
    for field, name in LEVEL_OF_FIELD.items():
        if filters.get(field):
            level = name
    return level
