"""The embedded default, supervised: the web server and its helpers, each restarted if it dies.

The web server (admin + API) is the point of the whole thing: it is started, and "DSRS is up" is
printed only once it answers /healthz/live. The helpers (Celery worker, Celery beat, the event
consumers) are restarted with a backoff whenever one exits, however it exits; a helper never takes
the web server down. If the web server itself exits, everything stops with its exit code. Ctrl-C
(SIGINT) or SIGTERM stops everything. Run through scripts/run-embedded (PORT, default 8000).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 120.0
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0  # a helper that ran this long is restarted at once again


def say(message: str) -> None:
    print(f"run-embedded: {message}", flush=True)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = 1.0
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        # A session of its own: Ctrl-C reaches the supervisor only, which stops the children in order.
        self.process = subprocess.Popen(self.argv, cwd=ROOT, start_new_session=True)
        self.started_at, self.restart_at = time.monotonic(), None
        say(f"{self.name} started (pid {self.process.pid})")

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)

    def wait_or_kill(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)
            self.process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _describe(code: int) -> str:
    return f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver binds
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz/live", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    if port_in_use(port):
        print(f"run-embedded: port {port} on {HOST} is already in use; stop what serves it or choose "
              f"another with PORT=<port>", file=sys.stderr)
        return 1
    bin_dir = ROOT / ".venv" / "bin"
    python, celery = str(bin_dir / "python"), str(bin_dir / "celery")
    web = Child("web server", [python, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"])
    helpers = [
        Child("Celery worker", [celery, "-A", "dsrs", "worker", "--pool=solo", "--loglevel=WARNING"]),
        Child("Celery beat", [celery, "-A", "dsrs", "beat", "--loglevel=WARNING"]),
        Child("event consumers", [python, "manage.py", "run_consumers"]),
    ]
    # One payment cycle for the demo households once their enrolments have reached payment (issue 9).
    demo = Child("demo payment cycle", [python, "manage.py", "payment_demo", "--wait", "300"])
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)

    code = 0
    try:
        for child in (*helpers, web):
            child.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not stopping and not answers(port):
            if web.exited() is not None:
                say(f"the web server {_describe(web.exited())} before it answered")
                return web.exited() or 1
            if time.monotonic() > deadline:
                say(f"the web server did not answer on port {port} within {STARTUP_TIMEOUT:.0f}s")
                return 1
            time.sleep(0.2)
        if not stopping:
            say(f"DSRS is up: admin http://{HOST}:{port}/admin/ (admin / admin), API http://{HOST}:{port}/api/v1/")
            if os.environ.get("DSRS_DEMO_CYCLE", "1") != "0":
                demo.start()
        while not stopping:
            if web.exited() is not None:
                say(f"the web server {_describe(web.exited())}; stopping everything")
                code = web.exited() or 1
                break
            now = time.monotonic()
            for child in helpers:
                exit_code = child.exited()
                if exit_code is not None and child.restart_at is None:
                    if now - child.started_at >= STABLE_AFTER:
                        child.backoff = 1.0
                    child.restart_at = now + child.backoff
                    say(f"the {child.name} {_describe(exit_code)}; restarting it in {child.backoff:.0f}s "
                        f"(the web server keeps serving)")
                    child.backoff = min(child.backoff * 2, MAX_BACKOFF)
                elif child.restart_at is not None and now >= child.restart_at:
                    child.restarts += 1
                    child.start()
            time.sleep(0.2)
    finally:
        for child in (web, *helpers, demo):
            child.terminate()
        deadline = time.monotonic() + 15
        for child in (web, *helpers, demo):
            child.wait_or_kill(deadline)
    return code


if __name__ == "__main__":
    sys.exit(main())
