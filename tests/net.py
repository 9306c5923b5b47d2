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
