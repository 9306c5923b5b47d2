"""Correlation ids that follow a request or an event through logs and the events it causes."""

import contextvars
import logging
import re
import time
import uuid

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("dsrs_correlation_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CORRELATION_HEADER = "X-Correlation-ID"


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def bind_correlation_id(value: str | None) -> contextvars.Token:
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token) -> None:
    _correlation_id.reset(token)


request_logger = logging.getLogger("dsrs.request")

# The two log formats (LOG_FORMAT): every line carries `correlation_id` (the request's or event's, "-"
# outside both). Django's LOGGING and gunicorn's own (gunicorn.conf.py) both use these.
LOG_FORMATTERS = {
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
    },
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
}


class CorrelationIdMiddleware:
    """Takes the caller's correlation id when it is well formed, makes one otherwise, and echoes it.

    It also writes the one log line of every request (method, path without its query string, status,
    time), while the id is still bound: INFO, WARNING for a 4xx, ERROR for a 5xx. Django's own lines
    about 4xx responses, logged after the middleware has returned and so without the id, are dropped
    (`RequestRefusalFilter`); a 5xx keeps Django's error line too, with its traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(CORRELATION_HEADER, "")
        correlation_id = offered if _VALID_ID.match(offered) else str(uuid.uuid4())
        token = bind_correlation_id(correlation_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[CORRELATION_HEADER] = correlation_id
            _log_request(request, response, (time.monotonic() - started) * 1000)
        finally:
            reset_correlation_id(token)
        return response


def _log_request(request, response, milliseconds: float) -> None:
    status = response.status_code
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
    # The path only: a query string could hold what must never reach a log.
    path = request.path.encode("unicode_escape").decode("ascii")
    request_logger.log(level, "%s %s %d %.1fms", request.method, path, status, milliseconds,
                       extra={"method": request.method, "path": path, "status_code": status,
                              "duration_ms": round(milliseconds, 1)})


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = get_correlation_id() or "-"
        return True


class RequestRefusalFilter(logging.Filter):
    """On Django's request loggers: a 4xx is an expected refusal, already on the request's own line.

    Its `django.request` line (which Django writes once the middleware has returned, so without the
    correlation id, and with a traceback for a PermissionDenied) is dropped; `django.server`'s lines
    (runserver's access log) are all dropped, the request line replaces them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server":
            return False
        return not 400 <= getattr(record, "status_code", 500) < 500


def configure_tracing() -> None:
    """Install the OpenTelemetry tracer (and meter) provider and instrument Django, once per process.

    Spans get real ids, so each event carries the `traceparent` of the request or consumer span that
    published it and a trace follows a household across the relay and every consumer group. Where they
    go is the standard `OTEL_*` environment (`exporters()`); `OTEL_SDK_DISABLED=true` turns it all off.
    """
    import os

    from opentelemetry import metrics, trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    span_exporters, metric_readers = exporters(os.environ)
    resource = _resource(os.environ)
    provider = TracerProvider(resource=resource)
    for exporter in span_exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    if metric_readers:
        from opentelemetry.sdk.metrics import MeterProvider

        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=metric_readers))
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    _wsgi_attributes_of_any_path()
    DjangoInstrumentor().instrument()


def _resource(environ):
    """`OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` as the SDK reads them; `dsrs` when neither names the service."""
    from opentelemetry.sdk.resources import Resource

    named = environ.get("OTEL_SERVICE_NAME") or "service.name=" in environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    return Resource.create({} if named else {"service.name": "dsrs"})


def _exporter_names(environ, kind: str) -> list[str]:
    """`OTEL_<KIND>_EXPORTER` (a comma-separated list); unset, `otlp` as soon as an OTLP endpoint is named."""
    value = environ.get(f"OTEL_{kind}_EXPORTER")
    if value is None:
        endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(f"OTEL_EXPORTER_OTLP_{kind}_ENDPOINT")
        return ["otlp"] if endpoint else []
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    return [] if names == ["none"] else names


def exporters(environ) -> tuple[list, list]:
    """The span exporters and metric readers the `OTEL_*` variables ask for.

    OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER   `otlp`, `console`, `none`, or a list; unset: `otlp` when an
        OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or its per-signal form), nothing otherwise
    OTEL_EXPORTER_OTLP_PROTOCOL (and _TRACES_/_METRICS_)   `http/protobuf`, the one installed
    Everything else (endpoints, headers, certificate, compression, timeout, OTEL_BSP_*, OTEL_METRIC_EXPORT_*,
    OTEL_TRACES_SAMPLER) the exporters and the SDK read themselves, as the specification names them.
    """
    spans, readers = [], []
    for kind in ("TRACES", "METRICS"):
        for name in _exporter_names(environ, kind):
            if name == "otlp":
                protocol = (environ.get(f"OTEL_EXPORTER_OTLP_{kind}_PROTOCOL")
                            or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
                if protocol != "http/protobuf":
                    raise ValueError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: only http/protobuf is installed "
                                     "(OTLP over HTTP, port 4318 on a collector)")
                if kind == "TRACES":
                    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

                    spans.append(OTLPSpanExporter())
                else:
                    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
                    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

                    readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
            elif name == "console":
                if kind == "TRACES":
                    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

                    spans.append(ConsoleSpanExporter())
                else:
                    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader

                    readers.append(PeriodicExportingMetricReader(ConsoleMetricExporter()))
            else:
                raise ValueError(f"OTEL_{kind}_EXPORTER: {name!r} is not one of otlp, console, none")
    return spans, readers


def _wsgi_attributes_of_any_path() -> None:
    """Work around opentelemetry-instrumentation-django 0.66b2 (the newest; upstream issue
    open-telemetry/opentelemetry-python-contrib#3237, open): its middleware reads the request's attributes from
    Django's `request.META`, whose PATH_INFO Django has already decoded from UTF-8, and `wsgiref.request_uri`
    then encodes it as Latin-1 again, so any path with a character outside Latin-1 (`/%E2%82%AC`) ended in a
    500 before the URL was even resolved. The wrapper hands it PATH_INFO in WSGI's own form (the UTF-8 bytes
    as Latin-1 characters), which is what the span's `http.url` means anyway."""
    from opentelemetry.instrumentation.django.middleware import otel_middleware

    collect = otel_middleware.wsgi_collect_request_attributes
    if getattr(collect, "dsrs_any_path", False):
        return

    def collect_request_attributes(environ, *args, **kwargs):
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:
                path.encode("latin-1")
            except UnicodeEncodeError:
                environ = {**environ, "PATH_INFO": path.encode("utf-8", "surrogateescape").decode("latin-1")}
        return collect(environ, *args, **kwargs)

    collect_request_attributes.dsrs_any_path = True
    otel_middleware.wsgi_collect_request_attributes = collect_request_attributes
