"""Request logs: one line per refused request, carrying its correlation id, without a traceback."""

import io
import logging
from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import user_with_role
from tests.factories import HouseholdFactory
from tests.registry.admin_pages import staff_client

pytestmark = pytest.mark.django_db

CENTRAL_LUZON = "0300000000"


@pytest.fixture
def logged():
    """What the configured console handler writes, one request at a time."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def during(request):
        stream.seek(0)
        stream.truncate()
        response = request()
        return response, stream.getvalue().splitlines()

    yield during
    handler.setStream(previous)


def assert_logged_once(response, lines, status: int, path: str) -> None:
    assert response.status_code == status, response.content
    correlation_id = response["X-Correlation-ID"]
    about_it = [line for line in lines if path in line and (str(status) in line or HTTPStatus(status).phrase in line)]
    assert len(about_it) == 1, lines
    assert all(f"[{correlation_id}]" in line for line in lines), lines
    assert not any("Traceback" in line for line in lines), lines


def test_every_api_refusal_is_logged_once_with_its_correlation_id_and_no_traceback(logged, local_transport):
    caseworker = APIClient()
    caseworker.force_authenticate(user_with_role("caseworker"))
    unknown = "/api/v1/households/00000000-0000-0000-0000-000000000000"
    elsewhere = HouseholdFactory(region_code="0700000000")

    assert_logged_once(*logged(lambda: APIClient().get("/api/v1/households")), 401, "/api/v1/households")
    assert_logged_once(*logged(lambda: caseworker.get(unknown)), 404, unknown)
    assert_logged_once(*logged(lambda: caseworker.get(f"/api/v1/households/{elsewhere.pk}")), 404,
                       f"/api/v1/households/{elsewhere.pk}")
    assert_logged_once(*logged(lambda: Client().get("/no/such/page")), 404, "/no/such/page")


def test_a_locked_out_login_is_logged_once_as_429(logged):
    bad = {"username": "nobody", "password": "not the password"}
    for _ in range(5):
        APIClient().post("/api/v1/auth/token", bad, format="json")

    response, lines = logged(lambda: APIClient().post("/api/v1/auth/token", bad, format="json"))

    assert_logged_once(response, lines, 429, "/api/v1/auth/token")


def test_a_refusal_in_the_admin_is_logged_once_without_a_traceback(logged, local_transport):
    client, _ = staff_client("caseworker", regions=[CENTRAL_LUZON])
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    past = f"/admin/registry/household/{household.pk}/history/{household.history.get().history_id}/"

    assert_logged_once(*logged(lambda: client.post(past, {"address": "elsewhere"})), 403, past)


def test_a_served_request_is_logged_with_its_correlation_id(logged):
    response, lines = logged(lambda: Client().get("/healthz/live", HTTP_X_CORRELATION_ID="abc-123"))

    assert response["X-Correlation-ID"] == "abc-123"
    assert [line for line in lines if "/healthz/live" in line] == [lines[0]] and "[abc-123]" in lines[0]


@pytest.mark.django_db(transaction=True)
def test_every_line_a_production_web_process_writes_is_json_with_a_correlation_id_4xx_included(tmp_path):
    """gunicorn with LOG_FORMAT=json: its own lines and DSRS's, each request's with the id it answered."""
    import json
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    from rest_framework_simplejwt.tokens import AccessToken

    from tests.net import free_port, wait_until_answering
    from tests.saga.conftest import REPO, Saga

    port = free_port()
    log = tmp_path / "web.log"
    env = Saga("local", "").subprocess_env(LOG_FORMAT="json", LOG_LEVEL="INFO", OTEL_SDK_DISABLED="true")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "dsrs.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", "1"], cwd=REPO, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    token = str(AccessToken.for_user(user_with_role("admin")))
    answered = {}
    try:
        wait_until_answering(f"{base}/healthz/live", process, log)
        for name, path, headers in [("ok", "/healthz/live", {}), ("401", "/api/v1/households", {}),
                                    ("400", "/api/v1/households?no_such_filter=1", {"Authorization": f"Bearer {token}"}),
                                    ("404", "/api/v1/no-such-thing", {"Authorization": f"Bearer {token}"})]:
            try:
                with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=10) as answer:
                    answered[name] = (answer.status, answer.headers["X-Correlation-ID"])
            except urllib.error.HTTPError as refused:
                answered[name] = (refused.code, refused.headers["X-Correlation-ID"])
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert [status for status, _ in answered.values()] == [200, 401, 400, 404]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
    assert all("correlation_id" in line for line in lines), lines
    assert any(line["name"] == "gunicorn.error" for line in lines), "gunicorn's own lines are not in the format"
    requests = [line for line in lines if line["name"] == "dsrs.request"]
    for status, correlation_id in answered.values():
        assert [line["status_code"] for line in requests if line["correlation_id"] == correlation_id] == [status]
    # Any other line with an id belongs to a request (the readiness wait's own GETs included).
    assert {line["correlation_id"] for line in lines} - {"-"} <= {line["correlation_id"] for line in requests}


def test_the_otel_variables_choose_the_exporters():
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    from dsrs.observability import exporters

    assert exporters({}) == ([], [])  # nothing named: nothing tries to reach a collector
    spans, readers = exporters({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert [type(s) for s in spans] == [OTLPSpanExporter] and len(readers) == 1
    for reader in readers:
        reader.shutdown()
    spans, readers = exporters({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
                                "OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "none"})
    assert [type(s) for s in spans] == [ConsoleSpanExporter] and readers == []
    with pytest.raises(ValueError, match="only http/protobuf"):
        exporters({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
    with pytest.raises(ValueError, match="'zipkin' is not one of"):
        exporters({"OTEL_TRACES_EXPORTER": "zipkin"})
