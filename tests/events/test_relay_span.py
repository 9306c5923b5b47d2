"""The relay's span and the consumer's: each links to the spans that published the events of its batch."""

from opentelemetry import trace

from dsrs.events import tracing
from dsrs.events.envelope import Event
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


def event_of(n: int, traceparent_value: str | None):
    return Event(type="registry.household.registered", subject=f"h{n}", data={}, source="/registry",
                 dataschema="urn:dsrs:events:registry.household.registered:v1", traceparent=traceparent_value)


def test_a_consumed_batch_hangs_from_its_first_event_and_links_the_other_publishers():
    configure_tracing()
    first, second = traceparent(1, 2), traceparent(1, 5)  # e.g. the request, then a consumer in its trace
    events = [event_of(1, first), event_of(2, second), event_of(3, first), event_of(4, None)]
    with tracing.consume_span("payment", events) as span:
        assert span.name == "consume registry.household.registered (+3)"
        assert (span.parent.trace_id, span.parent.span_id) == (1, 2)
        assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [(1, 5)]
        assert span.attributes["messaging.consumer.group.name"] == "payment"
        assert span.attributes["messaging.batch.message_count"] == 4


def test_a_single_event_is_its_publishers_child_without_links():
    configure_tracing()
    with tracing.consume_span("eligibility", [event_of(1, traceparent(7, 8))]) as span:
        assert span.name == "consume registry.household.registered"
        assert (span.parent.trace_id, span.parent.span_id) == (7, 8)
        assert list(span.links) == []
