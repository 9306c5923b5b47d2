"""The processes a benchmark starts: free ports for their probes, and waiting until they are ready,
so that no run's clock counts their start-up (which a busy machine stretches by tens of seconds)."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/ready", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _groups_assigned(admin, group_ids: list[str]) -> bool:
    """Whether every group has settled with each member holding partitions."""
    for future in admin.describe_consumer_groups(group_ids, request_timeout=5).values():
        description = future.result()
        if description.state.name != "STABLE" or not description.members:
            return False
        if not all(m.assignment and m.assignment.topic_partitions for m in description.members):
            return False
    return True


def wait_until_ready(ports: list[int], *, kafka_admin=None, group_ids: list[str] = (), timeout: float = 300.0,
                     alive=lambda: True) -> float:
    """Wait until every process answers its readiness probe and, on Kafka, every consumer group has its
    partitions; answer the seconds it took. RuntimeError if `alive()` turns false or time runs out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not alive():
            raise RuntimeError("a process it started has exited")
        if all(_answers(port) for port in ports) and (kafka_admin is None or _groups_assigned(kafka_admin, group_ids)):
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(f"the processes were not ready after {timeout:.0f}s")
