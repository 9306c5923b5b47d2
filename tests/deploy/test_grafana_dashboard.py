"""The Grafana dashboard loads as is: valid JSON, unique panel ids, panels that do not overlap, and every
metric its queries name is one the project exports (operational and business KPIs alike)."""

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "dsrs-events.json"


def panels():
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        yield panel
        yield from panel.get("panels", [])


def exported() -> set[str]:
    names = set()
    for collector in list(REGISTRY._collector_to_names):
        describe = getattr(collector, "describe", None)
        for family in (describe() if describe else collector.collect()):
            names |= {family.name, f"{family.name}_total", f"{family.name}_bucket", f"{family.name}_count",
                      f"{family.name}_sum"}
    return names


def test_the_dashboard_loads_with_unique_ids_and_no_overlapping_panels():
    every = list(panels())
    ids = [p["id"] for p in every]
    assert len(ids) == len(set(ids))
    cells = set()
    for panel in every:
        box = panel["gridPos"]
        assert box["x"] + box["w"] <= 24
        covered = {(x, y) for x in range(box["x"], box["x"] + box["w"]) for y in range(box["y"], box["y"] + box["h"])}
        assert not covered & cells, panel["title"]
        cells |= covered


def test_every_metric_a_panel_queries_is_exported_including_the_business_kpis():
    import analytics.metrics  # noqa: F401  registered by the app, as in every process

    names = exported()
    queried = {name for panel in panels() for target in panel.get("targets", [])
               for name in re.findall(r"\b(dsrs_[a-z_]+)\b", target["expr"])}
    assert {"dsrs_analytics_households", "dsrs_analytics_payments"} <= queried
    assert queried <= names, queried - names
