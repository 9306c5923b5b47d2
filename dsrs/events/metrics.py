"""Prometheus metrics of the event flow, served on /metrics with django-prometheus's."""

from django.db.models import Count, Min
from django.utils import timezone
import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.core import GaugeMetricFamily

RELAYED = Counter("dsrs_outbox_relayed_total", "Outbox events the broker accepted", ["transport"])
RELAY_BATCH_SECONDS = Histogram("dsrs_relay_batch_seconds", "Time to relay one outbox batch", ["transport"])
APPLIED = Counter("dsrs_events_applied_total", "Events applied by a consumer group", ["group"])
DUPLICATES = Counter("dsrs_events_duplicates_total", "Redelivered events skipped by the inbox", ["group"])
DEAD_LETTERED = Counter("dsrs_events_dead_lettered_total", "Events sent to the dead-letter path", ["group", "topic"])
BATCH_SECONDS = Histogram("dsrs_consumer_batch_seconds", "Time to apply one consumed batch", ["group"])
LAG = Gauge("dsrs_consumer_lag", "Records the group has received no commit for yet", ["group"])
READY = Gauge("dsrs_consumer_ready", "1 while the group reaches its broker and database, 0 while it waits for them",
              ["group"])
BATCH_SIZE = Histogram("dsrs_consumer_batch_size", "Records in one consumed batch", ["group"],
                       buckets=(1, 10, 50, 100, 250, 500, 1000, 2500))


def observe_relay(transport: str, sent: int, seconds: float) -> None:
    RELAYED.labels(transport).inc(sent)
    RELAY_BATCH_SECONDS.labels(transport).observe(seconds)


def observe_batch(group: str, size: int, seconds: float) -> None:
    BATCH_SECONDS.labels(group).observe(seconds)
    BATCH_SIZE.labels(group).observe(size)


def count_applied(group: str, applied: int, duplicates: int) -> None:
    APPLIED.labels(group).inc(applied)
    if duplicates:
        DUPLICATES.labels(group).inc(duplicates)


def count_dead_letter(group: str, topic: str) -> None:
    DEAD_LETTERED.labels(group, topic).inc()


def set_lag(group: str, lag: int) -> None:
    LAG.labels(group).set(lag)


_readiness: dict[str, bool] = {}


def set_ready(group: str, ready: bool) -> None:
    """Whether a consumer group of this process can consume now (its readiness probe and gauge)."""
    _readiness[group] = ready
    READY.labels(group).set(1 if ready else 0)


RELAY_READY = Gauge("dsrs_relay_ready", "1 while the relay reaches its database and the broker, 0 while it waits for them")


def set_relay_ready(ready: bool) -> None:
    """Whether this relay can send now: its readiness probe (shown as the `relay` entry) and gauge."""
    _readiness["relay"] = ready
    RELAY_READY.set(1 if ready else 0)


def _health_app(metrics_app, *, ready, live, key: str):
    """`/healthz/live` and `/healthz/ready` (503 while any of their checks fails), else the metrics.

    `ready` and `live` give each check's outcome by name: True or "ok" when it passes. A process is not
    ready before its first check reports (a relay or group still starting has none yet), only live.
    """

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in ("/healthz/live", "/healthz/ready"):
            return metrics_app(environ, start_response)
        checks = (live if path == "/healthz/live" else ready)()
        healthy = (bool(checks) or path == "/healthz/live") and all(
            outcome is True or outcome == "ok" for outcome in checks.values())
        body = json.dumps({"status": "ok" if healthy else "unavailable", key: checks}).encode()
        start_response("200 OK" if healthy else "503 Service Unavailable",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                        ("Cache-Control", "no-store")])
        return [body]

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # probes and scrapes every few seconds: not worth a log line
        pass


def serve(port: int | None, addr: str) -> None:
    """Serve this process's metrics (relay, consumers) and its probes, if a port is given: ready while
    every group of the process (or the relay) is, live while it answers."""
    if port:
        _serve(port, addr, _health_app(make_wsgi_app(REGISTRY), ready=lambda: dict(_readiness), live=dict,
                                       key="groups"))


def serve_probes(port: int, addr: str, *, ready, live):
    """Serve the metrics and probes whose checks `ready` and `live` give (the Celery processes')."""
    return _serve(port, addr, _health_app(make_wsgi_app(REGISTRY), ready=ready, live=live, key="checks"))


def _serve(port: int, addr: str, app):
    server = make_server(addr, port, app, ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


class OutboxCollector:
    """Backlog figures read from the database at scrape time, so every process reports the same."""

    def describe(self):
        yield GaugeMetricFamily("dsrs_outbox_backlog", "Outbox events not yet relayed")
        yield GaugeMetricFamily("dsrs_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox event")
        yield GaugeMetricFamily("dsrs_dead_letters_pending", "Dead letters awaiting replay", labels=["topic"])

    def collect(self):
        from django.db import DatabaseError, close_old_connections

        # In the relay and consumer processes this runs on the metrics server's own thread, which no
        # request cycle tidies: drop a connection the database has closed before querying.
        close_old_connections()
        try:
            yield from self._collect()
        except DatabaseError:
            return  # the readiness probe reports the database; a scrape must not fail on it

    def _collect(self):
        from .models import DeadLetter, OutboxEvent

        unsent = OutboxEvent.objects.filter(sent_at__isnull=True).aggregate(n=Count("id"), oldest=Min("created_at"))
        backlog = GaugeMetricFamily("dsrs_outbox_backlog", "Outbox events not yet relayed")
        backlog.add_metric([], unsent["n"])
        yield backlog
        age = GaugeMetricFamily("dsrs_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox event")
        age.add_metric([], (timezone.now() - unsent["oldest"]).total_seconds() if unsent["oldest"] else 0)
        yield age
        pending = GaugeMetricFamily("dsrs_dead_letters_pending", "Dead letters awaiting replay", labels=["topic"])
        for row in DeadLetter.objects.filter(status=DeadLetter.Status.PENDING).values("topic").annotate(n=Count("id")):
            pending.add_metric([row["topic"]], row["n"])
        yield pending


_registered = False


def register_collectors() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(OutboxCollector())
        _registered = True
