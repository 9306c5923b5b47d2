"""Each process kind is ready on what it needs: the web on its database and cache only."""

import json
import subprocess
import sys
import time

import pytest
from django.test import Client

from dsrs import health
from tests.net import free_port, status_of
from tests.saga.conftest import REPO, Saga

pytestmark = pytest.mark.django_db


def unreachable():
    raise ConnectionError("nobody there")


def test_the_web_is_ready_without_its_broker_and_its_read_model(settings, monkeypatch):
    settings.EVENTS_TRANSPORT = "kafka"
    settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:1"
    monkeypatch.setitem(health._checks, "analytics_store", unreachable)
    answer = Client().get("/healthz/ready")
    assert answer.status_code == 200, answer.content
    assert set(answer.json()["checks"]) == {"database", "cache"}
    # ... and says what is missing where a person looks, without taking the pod out of its Service.
    report = Client().get("/healthz/dependencies")
    assert report.status_code == 200
    checks = report.json()["checks"]
    assert report.json()["status"] == "degraded"
    assert checks["analytics_store"]["status"] == "error" and checks["event_transport"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


@pytest.mark.parametrize("needed", ["_database", "_cache"])
def test_the_web_is_not_ready_without_its_database_or_its_cache(monkeypatch, needed):
    monkeypatch.setattr(health, needed, unreachable)
    answer = Client().get("/healthz/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"][needed.strip("_")]["status"] == "error"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("transport, broker, status", [("local", "", 200), ("kafka", "127.0.0.1:1", 503)])
def test_the_relay_is_ready_only_while_it_reaches_its_broker(settings, tmp_path, transport, broker, status):
    port = free_port()
    env = Saga("local", "").subprocess_env(EVENTS_TRANSPORT=transport, KAFKA_BOOTSTRAP_SERVERS=broker or "127.0.0.1:1",
                                           KAFKA_SECURITY_PROTOCOL="PLAINTEXT", OTEL_SDK_DISABLED="true")
    process = subprocess.Popen([sys.executable, "manage.py", "relay_outbox", "--follow", "--metrics-port", str(port)],
                               cwd=REPO, env=env, stdout=(tmp_path / "relay.log").open("w"), stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/healthz/ready"
        deadline = time.monotonic() + 40
        log = tmp_path / "relay.log"
        # Not ready until it has reached the broker; with no broker, ready never, after trying it.
        while status_of(url) != status or (status == 503 and "relay failed" not in log.read_text()):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the relay's probe answered {status_of(url)}, not {status}"
            time.sleep(0.5)
        assert status_of(f"http://127.0.0.1:{port}/healthz/live") == 200
        import urllib.request

        if status == 200:
            assert json.load(urllib.request.urlopen(url, timeout=5))["groups"] == {"relay": True}
        else:
            assert status_of(url) == 503
    finally:
        process.terminate()
        process.wait(timeout=30)
