"""W3C trace context for events, so a trace follows a household across the relay and consumers."""

from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("dsrs.events")


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None):
    return _propagator.extract({"traceparent": traceparent}) if traceparent else None


# The SDK keeps at most this many links on a span (OTEL_SPAN_LINK_COUNT_LIMIT, 128 by default).
_MAX_LINKS = 128


@contextmanager
def relay_span(rows, transport: str):
    """The relay's span around sending one batch of outbox rows.

    A batch holds events of many traces, so (as OpenTelemetry's messaging conventions have it for batch
    sends) it is a PRODUCER span of its own, linked to the span that published each event; the event
    keeps its publisher's `traceparent`, so each consumer's span is a child of the request (or consumer)
    that published it and the relay is one link away.
    """
    with tracer.start_as_current_span(
        f"relay {len(rows)} events", kind=trace.SpanKind.PRODUCER,
        attributes={"messaging.system": transport, "messaging.operation.type": "send",
                    "messaging.batch.message_count": len(rows)},
    ) as span:
        if span.is_recording():
            seen: set[str] = set()
            for row in rows:
                traceparent = row.envelope.get("traceparent")
                if traceparent and traceparent not in seen:
                    seen.add(traceparent)
                    span.add_link(trace.get_current_span(context_from_traceparent(traceparent)).get_span_context(),
                                  {"messaging.message.id": str(row.event_id)})
                    if len(seen) == _MAX_LINKS:
                        break
        yield span
