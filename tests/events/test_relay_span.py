"""The relay's span: one per batch, a PRODUCER, linked to the span that published each event."""

from opentelemetry import trace

from dsrs.events import tracing
from dsrs.events.records import OutboxRecord
from dsrs.observability import configure_tracing


def rows_of(traceparents):
    """Records as the relay sends them, with a traceparent header where one is given."""
    return [OutboxRecord(id=n, topic="registry.household", key="k", value=b"{}",
                         headers=[("ce_id", str(n))] + ([("traceparent", t)] if t else []))
            for n, t in enumerate(traceparents, start=1)]


def traceparent(trace_id: int, span_id: int) -> str:
    return f"00-{trace_id:032x}-{span_id:016x}-01"


def test_a_batch_links_each_distinct_publisher_once_and_skips_what_is_no_traceparent():
    configure_tracing()
    first, second = traceparent(1, 2), traceparent(3, 4)
    rows = rows_of([first, second, first, None, "not-a-traceparent", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"])
    with tracing.relay_span(rows, "kafka") as span:
        assert span.kind == trace.SpanKind.PRODUCER
        assert span.attributes["messaging.batch.message_count"] == 6
        assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [(1, 2), (3, 4)]
        assert all(link.context.is_remote for link in span.links)


def test_a_batch_of_many_traces_keeps_the_sdks_link_limit():
    configure_tracing()
    with tracing.relay_span(rows_of([traceparent(n, n) for n in range(1, 1001)]), "kafka") as span:
        assert len(span.links) == 128
