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
        links=_links(_traceparent_of(row) for row in rows),
        attributes={"messaging.system": transport, "messaging.operation.type": "send",
                    "messaging.batch.message_count": len(rows)},
    ) as span:
        yield span


def _traceparent_of(record) -> str | None:
    """The traceparent of an outbox record as the relay sends it (its headers)."""
    for name, value in record.headers:
        if name == "traceparent":
            return value
    return None


@contextmanager
def consume_span(group: str, events):
    """A consumer group's span around handling a run of events (one, or a batch for one handler).

    Its parent is the first event's publishing span; a batch also holds events that other spans (often
    of other traces) published, so, as the messaging conventions have it for batch processing, the span
    links to each of those, and a trace that reaches this group in the middle of a batch still finds it.
    """
    first = events[0]
    with tracer.start_as_current_span(
        f"consume {first.type}" + (f" (+{len(events) - 1})" if len(events) > 1 else ""),
        context=context_from_traceparent(first.traceparent),
        links=_links((event.traceparent for event in events[1:]), besides=first.traceparent),
        attributes={"messaging.consumer.group.name": group, "messaging.message.id": first.id,
                    "messaging.batch.message_count": len(events)},
    ) as span:
        yield span


def _links(traceparents, besides: str | None = None) -> list[trace.Link]:
    """A link to each distinct publishing span (but `besides`, the parent), the first _MAX_LINKS; none
    while no SDK records spans (OTEL_SDK_DISABLED). Given when the span starts: cheaper than after."""
    from opentelemetry.sdk.trace import TracerProvider

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        return []
    links, seen = [], {besides}
    for traceparent in traceparents:
        if traceparent and traceparent not in seen:
            seen.add(traceparent)
            if (context := _span_context(traceparent)) is not None:
                links.append(trace.Link(context))
            if len(links) == _MAX_LINKS:
                break
    return links


def _span_context(traceparent: str) -> trace.SpanContext | None:
    """A W3C `traceparent` (version 00) as a remote span context: what the propagator does, without its
    regular expression and Context objects, as the relay reads up to _MAX_LINKS of them per batch."""
    try:
        version, trace_id, span_id, flags = traceparent.split("-")
        context = trace.SpanContext(trace_id=int(trace_id, 16), span_id=int(span_id, 16), is_remote=True,
                                    trace_flags=trace.TraceFlags(int(flags, 16)))
    except ValueError:
        return None
    return context if version == "00" and context.is_valid else None
