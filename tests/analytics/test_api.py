"""The analytics API: filters, small-cell suppression, region scope, the one error shape."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from analytics.services import events_apply
from identity.models import PartnerClient
from tests.analytics import events as ev
from tests.analytics.world import in_order, world

pytestmark = pytest.mark.django_db
ALICIA_BARANGAY = ev.PLACES[ev.ALICIA]["barangay_code"]


@pytest.fixture
def figures(settings):
    settings.ANALYTICS_MONGODB_URI = ""
    settings.ANALYTICS_MIN_CELL = 10
    events_apply(events=in_order(world()))


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def executive():
    """Staff who may read the figures but no household: sees only cells of 10 households or more."""
    user = get_user_model().objects.create_user(username="executive", password="x" * 20)
    group = Group.objects.create(name="executive")  # a national role: not one of the regional ones
    group.permissions.add(Permission.objects.get(content_type__app_label="analytics", codename="view_summary"))
    user.groups.add(group)
    return client_of(user)


def partner(scopes, regions) -> APIClient:
    account = get_user_model().objects.create_user(username=f"client-{len(scopes)}", password="x" * 20)
    PartnerClient.objects.create(name="DOH", account=account, scopes=scopes, region_codes=list(regions))
    return client_of(account)


def test_a_cell_under_the_threshold_is_withheld_and_a_caller_who_may_see_households_sees_it(
        figures, executive, api_client):
    alicia = {"municipality_code": ev.ALICIA}

    withheld = executive.get("/api/v1/analytics/summary", alicia).json()
    shown = api_client.get("/api/v1/analytics/summary", alicia).json()

    assert withheld["households_registered"] is None and shown["households_registered"] == 5
    assert withheld["coverage"] is None and shown["coverage"] == "0.5000"
    assert executive.get("/api/v1/analytics/summary", {"province_code": ev.BOHOL}).json()[
        "households_registered"] == 16  # 10 or more is shown to everyone
    assert executive.get("/api/v1/analytics/summary").json()["households_denied"] is None  # 7 in the nation
    assert api_client.get("/api/v1/analytics/summary").json()["households_denied"] == 7
    series = executive.get("/api/v1/analytics/timeseries", {"kpi": "households_registered", **alicia}).json()
    assert {point["count"] for point in series["points"]} == {None}
    assert {point["count"] for point in api_client.get(
        "/api/v1/analytics/timeseries", {"kpi": "households_registered", **alicia}).json()["points"]} == {1}
    rows = executive.get("/api/v1/analytics/breakdown", {"by": "region"}).json()["rows"]
    assert rows[0]["households_registered"] == 19 and rows[0]["households_denied"] is None


def test_a_regional_client_asks_for_its_region_and_sees_suppressed_figures_without_household_access(figures):
    analyst = partner(["analytics:read"], [ev.CENTRAL_VISAYAS])
    viewer = partner(["analytics:read", "registry:read"], [ev.CENTRAL_VISAYAS])

    assert analyst.get("/api/v1/analytics/summary").status_code == 403
    assert analyst.get("/api/v1/analytics/timeseries", {"kpi": "enrolled", "region_code": "1300000000"}
                       ).status_code == 403
    mine = {"region_code": ev.CENTRAL_VISAYAS, "barangay_code": ALICIA_BARANGAY}
    assert analyst.get("/api/v1/analytics/summary", mine).json()["households_registered"] is None
    assert viewer.get("/api/v1/analytics/summary", mine).json()["households_registered"] == 5


@pytest.mark.parametrize("path, query, field", [
    ("summary", {"date_from": "2026-11-05", "date_to": "2026-11-01"}, "date_to"),
    ("summary", {"date_from": "yesterday"}, "date_from"),
    ("summary", {"household_id": "x"}, "household_id"),
    ("timeseries", {"kpi": "households"}, "kpi"),
    ("timeseries", {"kpi": "enrolled", "interval": "year"}, "interval"),
    ("timeseries", {"kpi": "nothing"}, "kpi"),
    ("breakdown", {"by": "barangay"}, "by"),
])
def test_a_bad_filter_is_refused_in_the_one_error_shape_naming_it(api_client, path, query, field):
    response = api_client.get(f"/api/v1/analytics/{path}", query)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_the_time_series_by_week_and_a_date_range(figures, api_client):
    answer = api_client.get("/api/v1/analytics/timeseries", {"kpi": "amount_paid", "interval": "month"}).json()

    assert answer["interval"] == "month"
    assert [(p["period"], p["amount"], p["total_amount"]) for p in answer["points"]] == [
        ("2026-11-01", "3750.00", "3750.00"), ("2026-12-01", "6750.00", "10500.00")]
    week = api_client.get("/api/v1/analytics/summary", {"date_from": "2026-11-09", "date_to": "2026-11-15"}).json()
    assert week["households_registered"] == 5
