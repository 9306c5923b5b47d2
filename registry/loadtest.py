"""The API under a partner agency's load (issue 12): the request mix, its targets and its report.

`manage.py bench_api` starts the server and drives vegeta (github.com/tsenart/vegeta, a maintained
HTTP load tool; `scripts/bench-tools` builds it) with the targets written here: every registration
and every change is a new, generated one, so nothing a run sends has been sent before.
"""

from __future__ import annotations

import base64
import csv
import json
import random
import re
import statistics
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .demo import Households

# The mix of a partner agency's and a caseworker's day, by weight: mostly reads, a registration in
# seven requests, a change in ten.
MIX = {"detail": 35, "page": 12, "register": 15, "lookup": 10, "patch": 10, "assessments": 18}
KINDS = ["detail", "page", "register", "lookup", "patch", "assessments"]
# The README's example body (no PhilSys number): what the baseline POST row sends, every time.
README_BODY = {
    "address": "Purok 3, Sitio Malinao", "region_code": "0700000000", "province_code": "0701200000",
    "municipality_code": "0701201000", "barangay_code": "0701201001", "roof_material": "light",
    "wall_material": "light", "tenure": "informal", "water_source": "shared_tap", "toilet_facility": "shared",
    "has_electricity": True, "assets": ["smartphone"],
    "members": [
        {"given_name": "Rosa", "family_name": "Dela Cruz", "sex": "female", "birth_date": "1986-04-12",
         "relationship": "head", "civil_status": "widowed", "occupation": "vendor", "monthly_income": "4000.00"},
        {"given_name": "Ben", "family_name": "Dela Cruz", "sex": "male", "birth_date": "2016-08-03",
         "relationship": "child", "civil_status": "single", "attending_school": True},
    ],
}


@dataclass
class Sample:
    """What the targets read and change: seeded households, their phone numbers, pages to follow."""

    household_ids: list[str]
    phone_numbers: list[str]
    page_paths: list[str]


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def registration_body(demo: Households) -> dict:
    household, members = demo.next()
    body = {k: _plain(v) for k, v in household.items() if v != ""}
    body["members"] = [{k: _plain(v) for k, v in m.items() if v != ""} for m in members]
    return body


class Targets:
    """An endless stream of vegeta JSON targets of the mix (or of one kind), reproducible by seed."""

    def __init__(self, base: str, token: str, sample: Sample, *, seed: int, kinds: dict[str, int] | None = None,
                 same_body: bool = False):
        self.base, self.sample, self.same_body = base, sample, same_body
        self.header = {"Authorization": [f"Bearer {token}"], "Content-Type": ["application/json"]}
        self.rng = random.Random(seed)
        self.demo = Households(seed + 1)
        mix = kinds or MIX
        self.kinds, self.weights = list(mix), list(mix.values())
        self.patched = 0

    def _target(self, method: str, path: str, body: dict | None = None) -> str:
        target = {"method": method, "url": self.base + path, "header": self.header}
        if body is not None:
            target["body"] = base64.b64encode(json.dumps(body).encode()).decode()
        return json.dumps(target)

    def next(self) -> str:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        rng, sample = self.rng, self.sample
        if kind == "detail":
            return self._target("GET", f"/api/v1/households/{rng.choice(sample.household_ids)}")
        if kind == "page":
            return self._target("GET", rng.choice(sample.page_paths))
        if kind == "register":
            return self._target("POST", "/api/v1/households",
                                README_BODY if self.same_body else registration_body(self.demo))
        if kind == "lookup":
            return self._target("POST", "/api/v1/households/lookup", {"phone_number": rng.choice(sample.phone_numbers)})
        if kind == "patch":
            # Each change to another household, round the sample: no two in a row wait on one row lock.
            self.patched += 1
            household_id = sample.household_ids[self.patched % len(sample.household_ids)]
            return self._target("PATCH", f"/api/v1/households/{household_id}",
                                {"address": f"Purok {self.patched}, Sitio Bench", "change_reason": "bench"})
        return self._target("GET", f"/api/v1/assessments?household_id={rng.choice(sample.household_ids)}")

    def write(self, path: Path, count: int) -> None:
        with path.open("w") as out:
            for _ in range(count):
                out.write(self.next() + "\n")


_KIND_OF = [
    ("GET", re.compile(r"/api/v1/households/[0-9a-f-]{36}$"), "detail"),
    ("GET", re.compile(r"/api/v1/households(\?|$)"), "page"),
    ("POST", re.compile(r"/api/v1/households/lookup$"), "lookup"),
    ("POST", re.compile(r"/api/v1/households$"), "register"),
    ("PATCH", re.compile(r"/api/v1/households/[0-9a-f-]{36}$"), "patch"),
    ("GET", re.compile(r"/api/v1/assessments"), "assessments"),
]


def kind_of(method: str, url: str) -> str:
    path = url.split("//", 1)[-1].partition("/")[2]
    path = "/" + path
    for verb, pattern, kind in _KIND_OF:
        if verb == method and pattern.search(path.split("?")[0] if kind != "page" else path):
            return kind
    return f"{method} other"


@dataclass
class Row:
    kind: str
    count: int
    rate: float
    p50: float
    p95: float
    p99: float
    failed: dict[str, int]


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarize(results_csv) -> tuple[list[Row], float]:
    """Per kind (and all together): requests, requests/s over the run, latency percentiles in ms, failures by code."""
    latencies: dict[str, list[float]] = {}
    failed: dict[str, dict[str, int]] = {}
    first = last = None
    csv.field_size_limit(sys.maxsize)  # the answers' bodies are a column
    for row in csv.reader(results_csv):
        if len(row) < 11:
            continue
        started, code, latency = int(row[0]), row[1], int(row[2]) / 1e6
        ended = started + int(row[2])
        first = started if first is None else min(first, started)
        last = ended if last is None else max(last, ended)
        kind = kind_of(row[9], row[10])
        latencies.setdefault(kind, []).append(latency)
        if not code.startswith("2"):
            failed.setdefault(kind, {}).setdefault(code if code != "0" else (row[5][:40] or "0"), 0)
            failed[kind][code if code != "0" else (row[5][:40] or "0")] += 1
    seconds = max((last - first) / 1e9, 1e-9) if first is not None else 1.0
    rows = []
    every = []
    for kind in [*KINDS, *sorted(set(latencies) - set(KINDS))]:
        if kind not in latencies:
            continue
        ordered = sorted(latencies[kind])
        every.extend(ordered)
        rows.append(Row(kind, len(ordered), len(ordered) / seconds, _percentile(ordered, .5),
                        _percentile(ordered, .95), _percentile(ordered, .99), failed.get(kind, {})))
    every.sort()
    all_failed: dict[str, int] = {}
    for by_code in failed.values():
        for code, n in by_code.items():
            all_failed[code] = all_failed.get(code, 0) + n
    rows.append(Row("all", len(every), len(every) / seconds, _percentile(every, .5), _percentile(every, .95),
                    _percentile(every, .99), all_failed))
    return rows, seconds


def table(rows: list[Row]) -> str:
    lines = ["| request | count | req/s | p50 ms | p95 ms | p99 ms | not 2xx |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        failed = ", ".join(f"{code}: {n}" for code, n in sorted(r.failed.items())) or "0"
        lines.append(f"| {r.kind} | {r.count} | {r.rate:.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {failed} |")
    return "\n".join(lines)


def median(values):
    return statistics.median(values) if values else float("nan")
