"""Liveness and readiness of the Celery worker and of beat, each on its own probe port.

The relay and the consumers answer their probes on their `--metrics-port`; a Celery process serves none,
and `celery inspect ping` as a probe would start a Python process (and a broker round trip to every
worker) each period. So, when `CELERY_PROBE_PORT` is set, the worker (once it consumes) and beat (once
it starts) serve, on that port, `/healthz/live`, `/healthz/ready` and their Prometheus metrics:

- the worker is ready while it consumes and reaches its broker and its database (its tasks write
  there: the relay, payment completion); it is live while it answers;
- beat is ready while it reaches its broker and its scheduler ticks; it is live while the scheduler has
  ticked within `CELERY_PROBE_STALL_SECONDS`, so a beat whose loop hangs is restarted.

Each check runs when the probe asks, with its own short timeout, so an answer is never older than one
probe period. Beat needs no database (its schedule is a local file), so its probe asks for none.
"""

import logging
import time

from celery import signals
from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

_CHECK_TIMEOUT_SECONDS = 3
_state = {"consuming": False, "last_tick": None}
_served: dict[str, object] = {}


class ProbedScheduler(PersistentScheduler):
    """beat's default scheduler, noting when it last ticked for beat's liveness."""

    def tick(self, *args, **kwargs):
        _state["last_tick"] = time.monotonic()
        return super().tick(*args, **kwargs)


def _broker(app) -> None:
    with app.connection_for_write(connect_timeout=_CHECK_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=_CHECK_TIMEOUT_SECONDS)


def _database() -> None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # the probe server runs each request on a thread of its own


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # a probe reports every failure, whatever it is
        return f"{type(exc).__name__}: {exc}"[:300]


def worker_checks(app) -> dict[str, str]:
    return {"consuming": "ok" if _state["consuming"] else "not consuming",
            "broker": _check(lambda: _broker(app)), "database": _check(_database)}


def beat_checks(app) -> dict[str, str]:
    return {"broker": _check(lambda: _broker(app)), "schedule": _schedule_check()}


def beat_liveness() -> dict[str, str]:
    return {"schedule": _schedule_check()}


def _schedule_check() -> str:
    from django.conf import settings

    last_tick = _state["last_tick"]
    if last_tick is None:
        return "not ticked yet"
    stalled = time.monotonic() - last_tick
    return "ok" if stalled <= settings.CELERY_PROBE_STALL_SECONDS else f"no tick for {stalled:.0f} s"


def serve(role: str, *, ready, live=dict) -> None:
    """Serve this process's probes on CELERY_PROBE_PORT (once per process; not at all if unset)."""
    from django.conf import settings

    from dsrs.events import metrics

    if not settings.CELERY_PROBE_PORT or role in _served:
        return
    try:
        _served[role] = metrics.serve_probes(settings.CELERY_PROBE_PORT, settings.CELERY_PROBE_ADDR,
                                             ready=ready, live=live)
    except OSError as exc:  # e.g. `worker -B`: the worker already serves the port in this pod
        logger.warning("celery %s serves no probes on port %s: %s", role, settings.CELERY_PROBE_PORT, exc)


@signals.worker_init.connect
def _worker_starts(sender, **kwargs):
    app = sender.app
    serve("worker", ready=lambda: worker_checks(app))  # live from the start, ready once it consumes


@signals.worker_ready.connect
def _worker_consumes(**kwargs):
    _state["consuming"] = True


@signals.worker_shutting_down.connect
def _worker_stops(**kwargs):
    _state["consuming"] = False


@signals.beat_init.connect
def _beat_starts(sender, **kwargs):
    app = sender.app
    serve("beat", ready=lambda: beat_checks(app), live=beat_liveness)
