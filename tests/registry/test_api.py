import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from dsrs.events.models import OutboxEvent
from registry.models import Household
from tests.factories import HouseholdFactory, HouseholdPayloadFactory

pytestmark = pytest.mark.django_db


def test_registering_a_household_stores_it_and_writes_its_event(api_client):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(region_code="1300000000"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["household_number"].startswith("HH-") and body["version"] == 1
    assert body["region_name"] == "National Capital Region (NCR)"
    (event,) = OutboxEvent.objects.all()
    assert (event.event_type, event.key) == ("registry.household.registered", body["id"])
    assert event.envelope["data"]["household_id"] == body["id"]
    assert "head_of_household_name" not in event.envelope["data"]  # events carry no names


def test_bad_input_is_refused_with_every_offending_field_named(api_client):
    response = api_client.post("/api/v1/households", {
        "head_of_household_name": "", "region_code": "1399999999", "household_size": 0,
        "monthly_income": "-1", "pmt_score": "1.5", "nickname": "x",
    }, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"head_of_household_name", "address", "region_code", "household_size",
                                    "monthly_income", "pmt_score"}
    assert "not a PSGC region code" in error["fields"]["region_code"][0]
    assert Household.objects.count() == 0 and OutboxEvent.objects.count() == 0


def test_unknown_fields_are_named_rather_than_silently_dropped(api_client):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(nickname="Bong"), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"nickname": ["Unknown field."]}


def test_a_body_that_is_not_json_gets_a_clear_400(api_client):
    response = api_client.post("/api/v1/households", "{oops", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_household_ids_answer_404(api_client):
    missing = uuid.uuid4()
    for method in ("get", "put", "patch"):
        response = getattr(api_client, method)(f"/api/v1/households/{missing}", {}, format="json")
        assert response.status_code == 404
        assert response.json()["error"] == {"status": 404, "code": "not_found",
                                            "message": f"No household with id {missing}."}


def test_an_update_bumps_the_version_and_emits_the_new_state(api_client):
    household = api_client.post("/api/v1/households", HouseholdPayloadFactory(household_size=3), format="json").json()

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"household_size": 7}, format="json")

    assert response.status_code == 200 and response.json()["version"] == 2
    updated = OutboxEvent.objects.get(event_type="registry.household.updated")
    assert updated.envelope["data"]["household_size"] == 7 and updated.envelope["data"]["version"] == 2


def test_an_update_that_changes_nothing_emits_nothing(api_client):
    household = api_client.post("/api/v1/households", HouseholdPayloadFactory(household_size=3), format="json").json()

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"household_size": 3}, format="json")

    assert response.status_code == 200 and response.json()["version"] == 1
    assert OutboxEvent.objects.filter(event_type="registry.household.updated").count() == 0


def test_the_list_is_paginated_and_filtered_by_region(api_client):
    HouseholdFactory.create_batch(3, region_code="1300000000")
    HouseholdFactory.create_batch(2, region_code="0700000000")

    response = api_client.get("/api/v1/households", {"region_code": "0700000000", "page_size": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]


def test_the_api_refuses_anonymous_callers():
    response = APIClient().get("/api/v1/households")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_list_filters_by_pmt_range_and_update_time_and_orders_as_asked(api_client):
    low, mid, high = (HouseholdFactory(pmt_score=Decimal(v)) for v in ("0.1000", "0.4000", "0.9000"))

    in_range = api_client.get("/api/v1/households", {"pmt_min": "0.2", "pmt_max": "0.95", "ordering": "-pmt_score"})
    since = api_client.get("/api/v1/households", {"updated_since": mid.updated_at.isoformat()})

    assert [h["id"] for h in in_range.json()["results"]] == [str(high.id), str(mid.id)]
    assert {h["id"] for h in since.json()["results"]} == {str(mid.id), str(high.id)}


def test_bad_list_filters_are_named_in_a_400(api_client):
    response = api_client.get("/api/v1/households", {"pmt_min": "0.9", "pmt_max": "0.1", "ordering": "name",
                                                      "updated_since": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"ordering", "updated_since"}
