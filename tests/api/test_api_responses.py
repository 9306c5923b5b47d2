"""API answers are never cached and never an HTML page, whatever fails and even with DEBUG on."""

import pytest
from django.test import Client

from tests.api.failing_urls import PHONE
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def assert_not_stored(response):
    assert "no-store" in response["Cache-Control"]


def test_answers_with_households_carry_no_store(api_client):
    household = HouseholdFactory(phone_number=PHONE)

    for response in (api_client.get("/api/v1/households"), api_client.get(f"/api/v1/households/{household.id}"),
                     api_client.post("/api/v1/households/lookup", {"phone_number": PHONE}, format="json")):
        assert response.status_code == 200
        assert_not_stored(response)


def test_api_errors_carry_no_store_too(client):
    response = client.get("/api/v1/households")

    assert response.status_code == 401
    assert_not_stored(response)


@pytest.mark.urls("tests.api.failing_urls")
@pytest.mark.parametrize("debug", [True, False])
def test_a_failing_api_view_answers_the_json_error_shape_without_its_data(settings, staff_user, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)

    response = client.get("/api/v1/failing", HTTP_ACCEPT="text/html")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["status"] == 500 and response.json()["error"]["code"] == "internal_server_error"
    assert PHONE not in response.content.decode()
    assert response["X-Correlation-ID"]
    assert_not_stored(response)


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_answers_json_even_with_debug_on(settings, client, debug):
    settings.DEBUG = debug

    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_pages_outside_the_api_are_left_alone(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
