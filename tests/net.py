"""Helpers of the tests that run servers as subprocesses: a free port, and what a URL answers."""

import socket
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(url: str, timeout: float = 5) -> int:
    """The HTTP status a GET of `url` answers, 0 while nothing answers at all."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def wait_until_answering(url: str, process, log_path, timeout: float = 60) -> None:
    """Until `url` answers at all; fails with the tail of the server's log if it exits or never does."""
    import time

    import pytest

    deadline = time.monotonic() + timeout
    while not status_of(url, timeout=2):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server at {url} did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.3)


def stop_process(process, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`; reaped either way."""
    import signal
    import subprocess

    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
