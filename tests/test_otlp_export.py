"""A household's trace, exported over OTLP by the real processes, reaches a real OTLP receiver whole.

The receiver is a small OTLP/HTTP endpoint in this test: it speaks the protocol a collector speaks on port
4318 (POST /v1/traces and /v1/metrics, protobuf bodies, optionally gzip) and decodes every request with
the protocol's own definitions (opentelemetry-proto), so the processes cannot tell it from a collector.
The OpenTelemetry Collector itself (a Go build of several hundred modules) is too heavy for the suite's
machines; what it would add (batching, forwarding) is not what is under test here.

gunicorn (the web), `relay_outbox --follow` and `run_consumers` run as subprocesses configured only by the
standard OTEL_* variables, on this test's database, the real broker and the MongoDB-wire server.
"""

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from rest_framework_simplejwt.tokens import AccessToken

from dsrs.events import registry
from tests.api.test_schemathesis import database_url
from tests.conftest import user_with_role
from tests.factories import HouseholdPayloadFactory
from tests.net import free_port, wait_until_answering
from tests.saga.conftest import REPO

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _attributes(pairs) -> dict:
    values = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        values[pair.key] = getattr(pair.value, kind) if kind else None
    return values


class OtlpReceiver:
    """OTLP/HTTP on 127.0.0.1: keeps every span (with its service) and every metric name it is sent."""

    def __init__(self):
        self.spans: list[dict] = []
        self.metrics: dict[str, set[str]] = defaultdict(set)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    receiver.take_spans(body)
                    answer = ExportTraceServiceResponse()
                elif self.path == "/v1/metrics":
                    receiver.take_metrics(body)
                    answer = ExportMetricsServiceResponse()
                else:
                    self.send_error(404)
                    return
                payload = answer.SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take_spans(self, body: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            service = _attributes(resource_spans.resource.attributes).get("service.name")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    with self.lock:
                        self.spans.append({
                            "service": service, "name": span.name, "kind": span.kind,
                            "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                            "parent_id": span.parent_span_id.hex(), "attributes": _attributes(span.attributes),
                            "links": [(link.trace_id.hex(), link.span_id.hex()) for link in span.links],
                        })

    def take_metrics(self, body: bytes) -> None:
        request = ExportMetricsServiceRequest()
        request.ParseFromString(body)
        for resource_metrics in request.resource_metrics:
            service = _attributes(resource_metrics.resource.attributes).get("service.name")
            for scope_metrics in resource_metrics.scope_metrics:
                with self.lock:
                    self.metrics[service] |= {metric.name for metric in scope_metrics.metrics}

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.spans)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def processes(tmp_path, receiver):
    """The web, the relay and the consumers, each its own process exporting to the receiver."""
    namespace = f"otlp{uuid.uuid4().hex[:8]}."
    port = free_port()
    common = dict(
        os.environ, DATABASE_URL=database_url(), EVENTS_TRANSPORT="kafka", KAFKA_TOPIC_PARTITIONS="3",
        EVENTS_TOPIC_PREFIX=namespace, EVENTS_GROUP_PREFIX=namespace,
        MONGODB_DB=f"otlp_{namespace.strip('.')}", LOG_LEVEL="WARNING",
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,  # nothing else: exporters follow from the endpoint
        OTEL_BSP_SCHEDULE_DELAY="200", OTEL_METRIC_EXPORT_INTERVAL="1000",
    )
    commands = {
        "dsrs-web": [sys.executable, "-m", "gunicorn", "dsrs.wsgi:application", "--bind", f"127.0.0.1:{port}",
                     "--workers", "1"],
        "dsrs-relay": [sys.executable, "manage.py", "relay_outbox", "--follow"],
        "dsrs-consumers": [sys.executable, "manage.py", "run_consumers"],
    }
    running, logs = {}, {}
    try:
        for service, command in commands.items():
            logs[service] = tmp_path / f"{service}.log"
            running[service] = subprocess.Popen(command, cwd=REPO, env=common | {"OTEL_SERVICE_NAME": service},
                                                stdout=logs[service].open("w"), stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{base}/healthz/live", running["dsrs-web"], logs["dsrs-web"])
        yield base, running, logs, namespace
    finally:
        for process in running.values():
            process.send_signal(signal.SIGTERM)
        for process in running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"], **settings.EVENTS_KAFKA_SECURITY})
        topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
        for future in (admin.delete_topics(topics).values() if topics else []):
            future.result(timeout=30)


def _post_household(base: str) -> None:
    import json

    user = user_with_role("admin")
    request = urllib.request.Request(
        f"{base}/api/v1/households", method="POST", data=json.dumps(HouseholdPayloadFactory(poor=True)).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {AccessToken.for_user(user)}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201


def _ancestors(span: dict, by_id: dict) -> set[str]:
    ancestors = set()
    while span["parent_id"] and span["parent_id"] in by_id:
        ancestors.add(span["parent_id"])
        span = by_id[span["parent_id"]]
    return ancestors


def _payments_span_of_the_enrolment(in_trace: list[dict]) -> dict | None:
    """Payment's consumer span that handled eligibility's enrolment of the household: the child of
    eligibility's consumer span, or a batch that links to it."""
    by_id = {s["span_id"]: s for s in in_trace}
    eligibility = {s["span_id"] for s in in_trace if s["service"] == "dsrs-consumers"
                   and s["attributes"].get("messaging.consumer.group.name") == "eligibility"}
    for span in in_trace:
        if span["service"] == "dsrs-consumers" and span["attributes"].get("messaging.consumer.group.name") == "payment":
            if eligibility & (_ancestors(span, by_id) | {span_id for _, span_id in span["links"]}):
                return span
    return None


def test_a_households_trace_crosses_the_request_the_relay_and_every_consumer_at_an_otlp_receiver(
        receiver, processes):
    base, running, logs, namespace = processes
    _post_household(base)
    groups = set(registry.groups())

    def the_trace():
        spans = receiver.snapshot()
        roots = [s for s in spans if s["service"] == "dsrs-web" and s["kind"] == 2  # SERVER
                 and s["attributes"].get("http.method") == "POST" and not s["parent_id"]]
        if not roots:
            return None
        request = roots[0]
        in_trace = [s for s in spans if s["trace_id"] == request["trace_id"]]
        consumed = {s["attributes"].get("messaging.consumer.group.name") for s in in_trace
                    if s["service"] == "dsrs-consumers"}
        relays = [s for s in spans if s["service"] == "dsrs-relay"
                  and any(trace_id == request["trace_id"] for trace_id, _ in s["links"])]
        enrolment_reached_payment = _payments_span_of_the_enrolment(in_trace) is not None
        if groups <= consumed and relays and enrolment_reached_payment:
            return request, in_trace, relays
        return None

    deadline = time.monotonic() + 120
    while (found := the_trace()) is None:
        for service, process in running.items():
            assert process.poll() is None, f"{service} exited:\n" + logs[service].read_text()[-3000:]
        assert time.monotonic() < deadline, (
            f"no whole trace at the receiver in 120 s; spans: {[(s['service'], s['name']) for s in receiver.snapshot()]}")
        time.sleep(0.5)
    request, in_trace, relays = found

    # One tree: every span of the trace hangs, through its parents, from the request's server span.
    by_id = {s["span_id"]: s for s in in_trace}
    for span in in_trace:
        ancestor = span
        while ancestor["parent_id"]:
            assert ancestor["parent_id"] in by_id, f"{span['service']} {span['name']} has a parent the receiver never got"
            ancestor = by_id[ancestor["parent_id"]]
        assert ancestor is request, f"{span['service']} {span['name']} is not under the request"
    # Each consumer group's span, and payment's consumer of the enrolment under eligibility's consumer span.
    consumer_spans = {s["attributes"]["messaging.consumer.group.name"]: s for s in in_trace
                      if s["service"] == "dsrs-consumers"}
    assert set(consumer_spans) >= groups
    eligibility = consumer_spans["eligibility"]
    assert eligibility["name"] == "consume registry.household.registered"
    # payment reads the household too; the enrolment, published by eligibility's consumer, comes in a span
    # of its own under eligibility's, or (when payment's consumer joined late) batched after the household,
    # and then the batch's span links to eligibility's.
    payment = _payments_span_of_the_enrolment(in_trace)
    if payment["attributes"]["messaging.batch.message_count"] == 1:
        assert payment["name"].startswith("consume eligibility.enrolment."), payment["name"]
        assert eligibility["span_id"] in _ancestors(payment, by_id)
    else:
        assert (request["trace_id"], eligibility["span_id"]) in payment["links"], payment
    # The relay: a PRODUCER span linked to the span that published the household's first event.
    assert all(relay["kind"] == 4 for relay in relays)  # PRODUCER
    published_by = {span_id for trace_id, span_id in relays[0]["links"] if trace_id == request["trace_id"]}
    assert published_by <= set(by_id), "the relay links to a span that is not in the household's trace"
    # Metrics too: the web's request durations reach the same receiver.
    deadline = time.monotonic() + 15
    while not any(name.startswith("http.server") for name in receiver.metrics.get("dsrs-web", ())):
        assert time.monotonic() < deadline, f"no http.server metric from the web: {dict(receiver.metrics)}"
        time.sleep(0.5)
