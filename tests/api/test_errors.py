"""One error contract for the whole API: every refusal in the error shape, never a 500, never an echo."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from dsrs.observability import configure_tracing
from registry.validation import MAX_MEMBERS
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

PHILSYS, PHONE = "123456789012", "09171234567"
DEEP = "[" * 1000 + "]" * 1000


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status, body
    return body["error"]


# --- item 3: no error message repeats a personal number, whatever the content type


@pytest.mark.parametrize("content_type, body", [
    # a JSON body sent as a form: the whole body becomes one field name, which was echoed as an unknown field
    ("application/x-www-form-urlencoded", json.dumps({"philsys_number": PHILSYS, "phone_number": PHONE})),
    ("text/plain", json.dumps({"philsys_number": PHILSYS})),
    ("multipart/form-data; boundary=b",
     f'--b\r\nContent-Disposition: form-data; name="philsys_number"\r\n\r\n{PHILSYS}\r\n--b--\r\n'),
    ("", json.dumps({"philsys_number": PHILSYS})),
])
@pytest.mark.parametrize("url", ["/api/v1/households", "/api/v1/households/lookup"])
def test_a_body_that_is_not_json_is_refused_without_repeating_it(api_client, url, content_type, body):
    response = api_client.generic("POST", url, body, content_type=content_type)

    error = error_of(response, 415)
    assert error["code"] == "unsupported_media_type"
    assert PHILSYS not in response.content.decode() and PHONE not in response.content.decode()
    assert "application/json" in error["message"]


def test_no_error_message_repeats_a_personal_number_the_request_sent(api_client):
    # a number the request sent, repeated elsewhere as a field name: no message of the answer repeats it
    body = HouseholdPayloadFactory(phone_number=PHONE,
                                   members=[MemberPayloadFactory(philsys_number=PHILSYS), {PHILSYS: PHONE}])

    response = api_client.post("/api/v1/households", body, format="json")

    error = error_of(response, 400)
    assert PHILSYS not in response.content.decode() and PHONE not in response.content.decode()
    assert "members[1].[redacted]" in error["fields"]


# --- item 9: bodies too deep, too large or too long are refused before they are processed


@pytest.mark.parametrize("url", ["/api/v1/households", "/api/v1/households/lookup", "/api/v1/auth/token",
                                 "/api/v1/auth/token/refresh"])
def test_a_body_nested_a_thousand_levels_deep_is_refused_with_400(api_client, url):
    response = api_client.generic("POST", url, DEEP, content_type="application/json")

    error = error_of(response, 400)
    assert error["code"] == "parse_error" and "nested deeper than" in error["message"]


def test_a_body_nested_beyond_the_limit_but_within_pythons_recursion_is_refused_too(api_client):
    response = api_client.generic("POST", "/api/v1/households/lookup", "[" * 40 + "]" * 40,
                                  content_type="application/json")

    assert error_of(response, 400)["code"] == "parse_error"


def test_a_deeply_nested_body_is_refused_on_the_token_endpoint_without_authentication():
    response = APIClient().generic("POST", "/api/v1/auth/token", DEEP, content_type="application/json")

    assert error_of(response, 400)["code"] == "parse_error"


def test_a_body_over_the_size_limit_answers_413_in_the_error_shape(api_client, settings):
    settings.API_MAX_BODY_BYTES = 10_000
    body = HouseholdPayloadFactory(address="x" * 20_000)

    response = api_client.post("/api/v1/households", body, format="json")

    error = error_of(response, 413)
    assert error["code"] == "too_large" and "10000 bytes" in error["message"]


def test_a_body_without_content_length_is_still_cut_at_the_limit(settings):
    from io import BytesIO

    from dsrs.parsers import JSONParser, RequestTooLarge

    settings.API_MAX_BODY_BYTES = 100
    with pytest.raises(RequestTooLarge):
        JSONParser().parse(BytesIO(json.dumps({"address": "x" * 200}).encode()), parser_context={})


def test_an_over_long_member_list_is_refused_before_any_member_is_checked(api_client):
    members = [{"given_name": "x"}] * (MAX_MEMBERS * 100)

    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(members=members), format="json")

    error = error_of(response, 400)
    assert error["fields"] == {"members": [f"Ensure this field has no more than {MAX_MEMBERS} elements."]}


def test_nan_is_not_a_number_the_api_takes(api_client):
    response = api_client.generic("POST", "/api/v1/households/lookup", '{"phone_number": NaN}',
                                  content_type="application/json")

    assert error_of(response, 400)["code"] == "parse_error"


# --- item 10: a path outside Latin-1 is a 404, not a 500 from OpenTelemetry's middleware


@pytest.mark.parametrize("path", ["/%E2%82%AC", "/api/v1/%E2%82%AC", "/api/v1/households/%E2%82%AC",
                                  "/admin/%F0%9F%98%84"])
def test_a_path_with_a_character_outside_latin_1_answers_404(path):
    configure_tracing()  # the OpenTelemetry instrumentation every server process runs

    response = APIClient().get(path)

    assert response.status_code in (404, 302), response.content  # the admin sends an anonymous caller to log in
    if path.startswith("/api/"):
        error_of(response, 404)


# --- item 12: the error shape everywhere


@pytest.mark.parametrize("path", [
    "/api/v1/households/not-a-uuid",
    "/api/v1/households/",
    f"/api/v1/households/{uuid.uuid4()}/",
    "/api/v1/no-such-thing",
])
def test_an_unknown_api_url_answers_404_in_the_error_shape(api_client, path):
    error = error_of(api_client.get(path), 404)

    assert error["code"] == "not_found"


def test_paths_outside_the_api_keep_djangos_404_page(api_client):
    response = api_client.get("/no-such-page")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("page", ["x", "0", "-1", "99"])
def test_a_page_number_that_is_no_page_answers_400_naming_it(api_client, page):
    error = error_of(api_client.get(f"/api/v1/assessments?page={page}"), 400)

    assert list(error["fields"]) == ["page"]


def test_a_bad_cursor_answers_400_naming_it(api_client):
    error = error_of(api_client.get("/api/v1/households?cursor=garbage"), 400)

    assert list(error["fields"]) == ["cursor"]


def test_an_invalid_refresh_token_answers_401_with_a_plain_message():
    error = error_of(APIClient().post("/api/v1/auth/token/refresh", {"refresh": "not-a-token"}, format="json"), 401)

    assert error["code"] == "token_not_valid"
    assert error["message"] == "Token is invalid"


def test_wrong_credentials_answer_401_and_a_missing_field_400_in_the_error_shape():
    get_user_model().objects.create_user(username="caseworker", password="a long enough pass phrase")
    client = APIClient()

    wrong = error_of(client.post("/api/v1/auth/token", {"username": "caseworker", "password": "nope"},
                                 format="json"), 401)
    missing = error_of(client.post("/api/v1/auth/token", {"username": "caseworker"}, format="json"), 400)

    assert wrong["code"] == "no_active_account"
    assert list(missing["fields"]) == ["password"]


def test_the_api_root_answers_an_index_of_the_api():
    response = APIClient().get("/api/v1/")

    assert response.status_code == 200
    index = response.json()
    assert index["schema"] == "/api/v1/schema" and index["docs"] == "/api/v1/docs"
    assert {"household-list": "/api/v1/households", "assessment-list": "/api/v1/assessments",
            "token-obtain": "/api/v1/auth/token"}.items() <= index["resources"].items()
