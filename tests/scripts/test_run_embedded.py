"""scripts/run-embedded, run for real: a helper killed with SIGKILL comes back and the web keeps serving."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.net import free_port, status_of

REPO = Path(__file__).resolve().parents[2]
SCRIPT = str(REPO / "scripts" / "run-embedded")
SERVERS = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "REDIS_URL", "CELERY_BROKER_URL", "DSRS_PROFILE")


def answers(port: int) -> bool:
    return status_of(f"http://127.0.0.1:{port}/healthz/live", timeout=2) == 200


@pytest.fixture
def embedded(tmp_path):
    """The environment of an embedded DSRS of its own: a migrated SQLite database and Celery folder in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in SERVERS}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", CELERY_STATE_DIR=str(tmp_path / "celery"),
               EVENTS_TRANSPORT="local", LOG_LEVEL="WARNING", PORT=str(free_port()))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True, timeout=180)
    return env


def manage_shell(env, code: str) -> str:
    return subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=REPO, env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()


class Output:
    def __init__(self, path: Path):
        self.path = path

    def lines(self) -> list[str]:
        return self.path.read_text(errors="replace").splitlines()

    def wait_for(self, pattern: str, timeout: float, *, after: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines()[after:]:
                if match := re.search(pattern, line):
                    return match
            time.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r} in {timeout}s:\n" + "\n".join(self.lines()[-40:]))


def test_a_killed_worker_comes_back_while_the_web_keeps_serving(embedded, tmp_path):
    port = int(embedded["PORT"])
    output = Output(tmp_path / "run-embedded.log")
    with open(output.path, "w") as log:
        supervisor = subprocess.Popen([SCRIPT], cwd=REPO, env=embedded, stdout=log, stderr=subprocess.STDOUT)
    try:
        output.wait_for(r"DSRS is up", 120)
        assert answers(port)  # "up" is said once the server answers, not before
        worker = int(output.wait_for(r"Celery worker started \(pid (\d+)\)", 5)[1])

        seen = len(output.lines())
        os.kill(worker, signal.SIGKILL)
        output.wait_for(r"Celery worker was killed by SIGKILL; restarting it", 10, after=seen)
        assert answers(port)
        restarted = int(output.wait_for(r"Celery worker started \(pid (\d+)\)", 10, after=seen)[1])
        assert restarted != worker and supervisor.poll() is None

        # The new worker does the old one's job: beat's relay reaches the events of a new registration.
        subprocess.run([sys.executable, "manage.py", "seed_households", "--count", "1"], cwd=REPO, env=embedded,
                       check=True, capture_output=True, timeout=60)
        unsent = "from dsrs.events.models import OutboxEvent as O; print(O.objects.filter(sent_at=None).count())"
        deadline = time.monotonic() + 60
        while manage_shell(embedded, unsent) != "0":
            assert time.monotonic() < deadline, "the restarted worker relays nothing"
            time.sleep(1)
        assert answers(port) and supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(60)
    assert code == 0
    assert not answers(port)


def test_a_port_in_use_is_a_one_line_error(embedded):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(embedded["PORT"])))
        taken.listen()
        result = subprocess.run([SCRIPT], cwd=REPO, env=embedded, capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"run-embedded: port {embedded['PORT']} on 127.0.0.1 is already in use; stop what serves it or choose "
        "another with PORT=<port>"]
