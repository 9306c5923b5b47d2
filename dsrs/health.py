"""Liveness and readiness of the web process.

Each process kind answers for what it needs itself:
- the web (`/healthz/ready` here): its database, and its cache (throttling and the login lockout count in
  it; Redis in production). Not Kafka (the outbox is in the database, the relay sends it) and not MongoDB
  (only the summary reads it, and that one endpoint answers 503 on its own while it is away): a web pod
  taken out of the Service for either would stop every other request for nothing.
- the relay and each consumer group: `/healthz/ready` on their `--metrics-port` (dsrs.events.metrics):
  a group is ready while it reaches its broker and its stores, the relay while it reaches its database
  and the broker.
- the Celery worker and beat: `/healthz/ready` on `CELERY_PROBE_PORT` (dsrs.celery_probes).
`/healthz/dependencies` reports everything the web knows of (database, cache, broker, the stores apps
register) for a person or a dashboard; it always answers 200 and gates nothing.
"""

import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dsrs.events.transports import get_transport

_checks = {}


def register_check(name: str, probe) -> None:
    """Let an app report a dependency of its own (e.g. its store) in `/healthz/dependencies`."""
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


def _cache():
    cache.get("dsrs:readiness-probe")  # the Redis cache raises while Redis is out of reach


def _web_needs(results):
    _check("database", _database, results)
    _check("cache", _cache, results)


@require_GET
@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def ready(request):
    results = {}
    _web_needs(results)
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results},
                        status=200 if healthy else 503)


@require_GET
@never_cache
def dependencies(request):
    results = {}
    _web_needs(results)
    _check("event_transport", lambda: get_transport().check(timeout=3), results)
    for name, probe in _checks.items():
        _check(name, probe, results)
    healthy = all(r["status"] == "ok" for r in results.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": results})
