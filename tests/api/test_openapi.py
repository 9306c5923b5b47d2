import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def test_the_openapi_schema_is_valid_and_covers_every_endpoint(tmp_path):
    target = tmp_path / "schema.json"

    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))

    paths = json.loads(target.read_text())["paths"]
    assert {"/api/v1/households", "/api/v1/households/{household_id}", "/api/v1/households/lookup",
            "/api/v1/households/{household_id}/deactivate",
            "/api/v1/assessments", "/api/v1/enrolments", "/api/v1/eligibility/households/{household_id}",
            "/api/v1/payments", "/api/v1/analytics/summary", "/api/v1/auth/token",
            "/api/v1/auth/token/refresh", "/.well-known/jwks.json"} <= set(paths)
    created = paths["/api/v1/households"]["post"]["responses"]
    assert {"201", "400"} <= set(created)
    listed = paths["/api/v1/households"]["get"]
    assert {"cursor", "page_size", "ordering", "province_code", "municipality_code", "barangay_code", "search",
            "pmt_min", "pmt_max", "updated_since"} <= {p["name"] for p in listed["parameters"]}
    assert "delete" not in paths["/api/v1/households/{household_id}"]


@pytest.mark.django_db
def test_the_interactive_docs_load_nothing_from_other_hosts():
    page = APIClient().get("/api/v1/docs")

    assert page.status_code == 200
    assets = re.findall(rb'(?:src|href)="([^"]+)"', page.content)
    assert assets and all(a.startswith(b"/") for a in assets), assets


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    target = tmp_path_factory.mktemp("openapi") / "schema.json"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    return json.loads(target.read_text())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_error_an_operation_can_answer_is_described_in_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"400", "429"}
        if path.startswith("/api/v1/") and path not in ("/api/v1/", "/api/v1/auth/token", "/api/v1/auth/token/refresh"):
            expected |= {"401", "403"}
        if "{" in path:
            expected |= {"404", "405"}
        if method in ("post", "put", "patch"):
            expected |= {"413", "415"}
        if path == "/.well-known/jwks.json":
            expected -= {"429"}  # not throttled: gateways fetch it
        assert expected <= set(responses), (method, path, sorted(responses))
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == error, (method, path, code)


def test_the_token_endpoints_describe_their_refusals(schema):
    for path in ("/api/v1/auth/token", "/api/v1/auth/token/refresh"):
        assert {"200", "400", "401", "429"} <= set(schema["paths"][path]["post"]["responses"]), path


def test_the_request_schema_offers_only_json(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_masked_numbers_match_the_response_schema(schema):
    components = schema["components"]["schemas"]
    for component, field in [("HouseholdOutput", "phone_number"), ("HouseholdOutput", "payout_account"),
                             ("MemberOutput", "philsys_number")]:
        described = components[component]["properties"][field]
        assert "pattern" not in described and "maxLength" not in described, (component, field, described)
        assert described["type"] == "string" and described["nullable"] is True


def test_a_created_household_links_to_the_operations_on_it(schema):
    links = schema["paths"]["/api/v1/households"]["post"]["responses"]["201"]["links"]

    assert links["households_retrieve"] == {"operationId": "households_retrieve",
                                            "parameters": {"household_id": "$response.body#/id"}}
    assert {"households_replace", "households_update", "households_deactivate"} <= set(links)
    read = schema["paths"]["/api/v1/households/{household_id}"]["get"]["responses"]["200"]["links"]
    assert read["households_deactivate"]["parameters"] == {"household_id": "$request.path.household_id"}


def test_the_request_schema_offers_only_the_bodies_and_parameters_the_api_takes(schema):
    components = schema["components"]["schemas"]
    for refusing in ("HouseholdInputRequest", "PatchedHouseholdChangesRequest", "MemberInputRequest",
                     "HouseholdDeactivateRequest", "HouseholdLookupRequest"):
        assert components[refusing]["additionalProperties"] is False, refusing  # unknown fields answer 400
    lookup = components["HouseholdLookupRequest"]
    assert (lookup["minProperties"], lookup["maxProperties"]) == (1, 1)  # exactly one number
    deactivated = components[components["HouseholdDeactivateRequest"]["properties"]["status"]["allOf"][0]["$ref"]
                             .rsplit("/", 1)[1]]["enum"]
    assert "active" not in deactivated and "inactive" in deactivated
    for path in ("/api/v1/assessments",):  # payments are cursor-paginated (issue 9)
        page = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert page["page"]["minimum"] == 1 and page["page_size"] == {"type": "integer", "minimum": 1,
                                                                          "maximum": 500}
