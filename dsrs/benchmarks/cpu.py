"""CPU time per process kind and per server during a benchmark (issue 14, item 4).

Read from /proc (Linux): a process's user and system time, its threads included, plus those of its
current children and of the children it has reaped, so a server's short-lived workers (PostgreSQL's
backends) count too. The servers' pids are read as `scripts/infra status` reads them, from `.infra/`.
The servers are shared: their figures include whatever else used them meanwhile.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

_TICKS = os.sysconf("SC_CLK_TCK")
SERVERS = {  # name -> pidfile under the infra directory (first line: the pid)
    "PostgreSQL": "pg/data/postmaster.pid",
    "Kafka": "kafka/kafka.pid",
    "MongoDB-wire server": "mongo/mongo.pid",
}


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from the state on (the name may hold spaces)


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pid: int, *, with_children: bool = True) -> float:
    """User plus system seconds of `pid` (all threads), and of its descendants, living and reaped."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: children it has waited for
        return ticks / _TICKS + sum(cpu_seconds(child) for child in _children(pid))
    return ticks / _TICKS


def infra_dir() -> Path:
    return Path(os.environ.get("DSRS_INFRA_DIR") or Path(settings.BASE_DIR) / ".infra")


def server_pids() -> dict[str, int]:
    pids = {}
    for name, pidfile in SERVERS.items():
        try:
            pid = int("".join(c for c in (infra_dir() / pidfile).read_text().splitlines()[0] if c.isdigit()))
        except (OSError, IndexError, ValueError):
            continue
        if _stat(pid) is not None:
            pids[name] = pid
    return pids


class CpuMeter:
    """Start, stop, report: CPU milliseconds per unit (household) of each process and server."""

    def __init__(self, processes: dict[str, int], *, this_process: str | None = None):
        self.processes = dict(processes)
        self.this_process = this_process
        self.servers = server_pids()
        self.started: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now = {name: cpu_seconds(pid) for name, pid in {**self.processes, **self.servers}.items()}
        if self.this_process:
            times = os.times()
            now[self.this_process] = times.user + times.system
        return now

    def start(self) -> None:
        self.started = self._now()

    def stop(self) -> None:
        """Call while the processes still run (before they are terminated)."""
        now = self._now()
        self.used = {name: now[name] - self.started.get(name, 0.0) for name in now}

    def report(self, units: int, write, *, unit: str = "household") -> None:
        if not self.used:
            return
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        write(f"CPU ms per {unit} (load average {load}; servers are shared, so theirs include other work):")
        total = 0.0
        for name, seconds in self.used.items():
            if name in self.servers:
                continue
            total += seconds
            write(f"  {name:<34} {1000 * seconds / units:8.2f}")
        write(f"  {'all DSRS processes':<34} {1000 * total / units:8.2f}")
        for name in self.servers:
            write(f"  {name + ' (server)':<34} {1000 * self.used[name] / units:8.2f}")


def saga_processes(commands: list[list[str]], processes) -> dict[str, int]:
    """Names for bench_saga's worker processes, from their `manage.py` command lines."""
    names = {}
    for command, process in zip(commands, processes):
        name = {"relay_outbox": "relay"}.get(command[1], command[1])
        if "--group" in command:
            name = f"consumer {command[command.index('--group') + 1]}"
        names[name] = process.pid
    return names
