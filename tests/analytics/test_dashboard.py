"""The dashboard in a real headless Chromium (Debian's, driven by Playwright for Python): it logs in
to the admin, draws its charts from the analytics API, and a filter redraws them. Fails if a chart
is missing, blank, or shows other numbers than the API answers. Leaves a screenshot."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from analytics.services import events_apply
from tests.analytics import events as ev
from tests.analytics.world import in_order, world
from tests.conftest import user_with_role

CHROMIUM = "/usr/bin/chromium"
CHART_JS = Path(__file__).parents[2] / "analytics" / "static" / "analytics" / "vendor" / "chart.umd.js"
SCREENSHOTS = Path(os.environ.get("DSRS_SCREENSHOT_DIR", Path(__file__).parents[2] / ".infra" / "screenshots"))
CHARTS = ("chart-timeseries", "chart-funnel", "chart-regions", "chart-programs")


def answers(client, **filters) -> dict:
    def get(endpoint, **query):
        response = client.get(f"/api/v1/analytics/{endpoint}", {**filters, **query})
        assert response.status_code == 200, response.content
        return response.json()

    return {"summary": get("summary"), "timeseries": get("timeseries", kpi="households_registered", interval="week"),
            "regions": get("breakdown", by="region"), "programs": get("breakdown", by="program")}


def drawn(page) -> dict:
    """What each chart holds (labels and datasets' numbers) and how many of its pixels are painted."""
    return page.evaluate("""() => {
        const out = {};
        for (const [id, chart] of Object.entries(window.dsrsDashboard.charts)) {
            const canvas = chart.canvas, pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width,
                                                                                       canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
            out[id] = {labels: chart.data.labels, data: chart.data.datasets.map(d => d.data), painted};
        }
        return out;
    }""")


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_the_apis_figures_in_chromium_and_its_filters_redraw_them(live_server, settings):
    assert Path(CHROMIUM).exists(), "no Chromium: run scripts/browser (scripts/test does)"
    assert CHART_JS.exists(), "no Chart.js in the static files: run scripts/dashboard-assets (scripts/test does)"
    from playwright.sync_api import sync_playwright

    settings.ANALYTICS_MONGODB_URI = ""
    events_apply(events=in_order(world()))
    admin = user_with_role("admin", is_staff=True)
    client = APIClient()
    client.force_authenticate(admin)
    national, alicia = answers(client), answers(client, municipality_code=ev.ALICIA)
    assert national["summary"]["households_registered"] == 19 and alicia["summary"]["households_registered"] == 5

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{live_server.url}/admin/analytics/dashboard/")
        page.fill("#id_username", admin.username)
        page.fill("#id_password", "a long enough pass phrase")
        page.click("input[type=submit]")
        page.wait_for_function("window.dsrsDashboard && window.dsrsDashboard.renders >= 1", timeout=20000)
        first = drawn(page)
        tiles = page.inner_text("#dsrs-tiles")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "analytics-dashboard.png"), full_page=True)

        page.fill("input[name=municipality_code]", ev.ALICIA)
        page.click("#dsrs-filters button[type=submit]")
        page.wait_for_function("window.dsrsDashboard.renders >= 2", timeout=20000)
        filtered = drawn(page)
        filtered_tiles = page.inner_text("#dsrs-tiles")
        errors = page.inner_text("#dsrs-error")
        browser.close()

    assert errors == ""
    assert set(first) == set(CHARTS) and all(chart["painted"] > 500 for chart in first.values()), first
    series = national["timeseries"]["points"]
    assert first["chart-timeseries"]["labels"] == [p["period"] for p in series]
    assert first["chart-timeseries"]["data"] == [[p["count"] for p in series], [p["total"] for p in series]]
    assert first["chart-funnel"]["data"] == [list(national["summary"]["payment_funnel"].values())]
    assert first["chart-regions"]["labels"] == [ev.CENTRAL_VISAYAS]
    assert first["chart-regions"]["data"][0] == [national["regions"]["rows"][0]["households_registered"]] == [19]
    assert first["chart-programs"]["labels"] == ["4PS"]
    assert "19" in tiles and "Households registered" in tiles
    assert filtered["chart-funnel"]["data"] == [list(alicia["summary"]["payment_funnel"].values())]
    assert filtered["chart-timeseries"]["data"][1][-1] == alicia["timeseries"]["points"][-1]["total"] == 5
    assert filtered_tiles.split("\n")[0] == "5"
