"""Liveness and readiness probes."""

import time

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dsrs.events.transports import get_transport

_checks = {}


def register_check(name: str, probe) -> None:
    """Let an app add a dependency of its own (e.g. its store) to the readiness probe."""
    _checks[name] = probe


def _check(name, probe, results):
    started = time.monotonic()
    try:
        probe()
        results[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    except Exception as exc:  # a probe reports every failure, whatever it is
        results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@require_GET
@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def ready(request):
    results = {}
    _check("database", _database, results)
    _check("event_transport", lambda: get_transport().check(timeout=3), results)
    for name, probe in _checks.items():
        _check(name, probe, results)
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results},
                        status=200 if healthy else 503)
