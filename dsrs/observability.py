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
    """Install the OpenTelemetry tracer provider and instrument Django, once per process.

    Spans get real ids, so each event carries the `traceparent` of the request or consumer span
    that published it and a trace follows a household across the relay and every consumer group.
    `OTEL_TRACES_EXPORTER=console` prints finished spans; `OTEL_SDK_DISABLED=true` turns it all off.
    """
    import os

    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "dsrs")}))
    if os.environ.get("OTEL_TRACES_EXPORTER") == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    _wsgi_attributes_of_any_path()
    DjangoInstrumentor().instrument()


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
