"""The Celery worker and beat each answer their own probes: ready while they reach what they need.

Each test runs the real process (`celery -A dsrs worker` or `beat`) against a Redis server of its own,
started here and stopped by its PID, so taking the broker away touches no other test.
"""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from dsrs import celery_probes
from tests.net import free_port, status_of, stop_process
from tests.saga.conftest import REPO, Saga

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def answer_of(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def wait_for(url: str, status: int, process, log, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while status_of(url, timeout=10) != status:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{url} answered {status_of(url)}, not {status}:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)
    return answer_of(url)[1]


@pytest.fixture
def own_redis(tmp_path):
    port = free_port()
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=(tmp_path / "redis.log").open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
        assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "redis.log").read_text()
        time.sleep(0.1)
    yield server, f"redis://127.0.0.1:{port}/0"
    if server.poll() is None:
        server.kill()
        server.wait()


def start_celery(tmp_path, role: str, broker: str, **env):
    port = free_port()
    args = ["worker", "--pool=solo"] if role == "worker" else ["beat", "--schedule", str(tmp_path / "beat-schedule")]
    log = tmp_path / f"{role}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dsrs", *args, "--loglevel=INFO"], cwd=REPO,
        env=Saga("local", "").subprocess_env(CELERY_BROKER_URL=broker, CELERY_PROBE_PORT=str(port),
                                              OTEL_SDK_DISABLED="true", **env),
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}/healthz", log


@pytest.mark.parametrize("role, needs", [("worker", {"consuming", "broker", "database"}),
                                         ("beat", {"broker", "schedule"})])
def test_a_celery_process_is_ready_while_it_reaches_its_broker_and_live_without_it(tmp_path, own_redis, role, needs):
    redis, broker = own_redis
    process, probes, log = start_celery(tmp_path, role, broker)
    try:
        ready = wait_for(f"{probes}/ready", 200, process, log)
        assert ready == {"status": "ok", "checks": {check: "ok" for check in needs}}

        redis.kill()
        redis.wait()
        not_ready = wait_for(f"{probes}/ready", 503, process, log)
        assert not_ready["status"] == "unavailable"
        assert not_ready["checks"]["broker"] != "ok"
        assert {name for name, outcome in not_ready["checks"].items() if outcome != "ok"} == {"broker"}
        assert status_of(f"{probes}/live") == 200  # it waits for its broker; nothing to restart it for
    finally:
        stop_process(process)


def test_the_worker_is_not_ready_without_its_database(tmp_path, own_redis):
    _, broker = own_redis
    process, probes, log = start_celery(tmp_path, "worker", broker,
                                        DATABASE_URL="postgres://dsrs:dsrs@127.0.0.1:1/nowhere")
    try:
        deadline = time.monotonic() + 60
        while (answer := answer_of(f"{probes}/ready") if status_of(f"{probes}/ready") else None) is None \
                or answer[1]["checks"]["consuming"] != "ok":  # not ready before it consumes, in any case
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        status, not_ready = answer
        assert status == 503 and not_ready["checks"]["broker"] == "ok"
        assert "OperationalError" in not_ready["checks"]["database"]
    finally:
        stop_process(process)


def test_beat_is_live_only_while_its_scheduler_ticks(settings, monkeypatch):
    settings.CELERY_PROBE_STALL_SECONDS = 30
    monkeypatch.setitem(celery_probes._state, "last_tick", None)
    assert celery_probes.beat_liveness() == {"schedule": "not ticked yet"}
    monkeypatch.setitem(celery_probes._state, "last_tick", time.monotonic() - 5)
    assert celery_probes.beat_liveness() == {"schedule": "ok"}
    monkeypatch.setitem(celery_probes._state, "last_tick", time.monotonic() - 100)
    assert celery_probes.beat_liveness() == {"schedule": "no tick for 100 s"}
