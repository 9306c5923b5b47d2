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
