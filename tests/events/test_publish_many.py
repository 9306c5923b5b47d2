"""`publish_many()` writes, event for event, the rows `publish()` would write (bar each event's own id and time)."""

import json
import uuid

import pytest
from django.db import transaction

from dsrs.events import publish, tracing
from dsrs.events.contracts import ContractViolation
from dsrs.events.models import OutboxEvent
from dsrs.events.outbox import OutboxError, buffered, publish_many
from dsrs.events.records import headers_of, split_headers
from dsrs.observability import bind_correlation_id, reset_correlation_id
from tests.events.test_envelope_and_contracts import HOUSEHOLD

pytestmark = pytest.mark.django_db(transaction=True)
TYPE = "registry.household.registered"


def _households(count):
    return [(h, HOUSEHOLD | {"household_id": h, "household_number": f"HH-{n}"})
            for n, h in enumerate((str(uuid.uuid4()) for _ in range(count)), start=1)]


def _rows():
    return [(r.event_id, r.topic, r.key, r.event_type, r.envelope, r.value, r.headers)
            for r in OutboxEvent.objects.order_by("id")]


def _without_id_and_time(row):
    event_id, topic, key, event_type, envelope, value, headers = row
    envelope = {k: v for k, v in envelope.items() if k not in ("id", "time")}
    headers = [(name, text) for name, text in split_headers(bytes(headers)) if name not in ("ce_id", "ce_time")]
    return topic, key, event_type, envelope, bytes(value), headers


@pytest.mark.parametrize("correlation, traceparent", [(None, None), ("req-7", None),
                                                      ("req-8", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])
@pytest.mark.parametrize("inside_buffer", [False, True])
def test_publish_many_writes_what_publish_writes_for_each_event(settings, monkeypatch, correlation, traceparent,
                                                                inside_buffer):
    settings.EVENTS_TOPIC_PREFIX = "t."
    monkeypatch.setattr(tracing, "current_traceparent", lambda: traceparent)
    items = _households(3) + [("", HOUSEHOLD)]  # an empty subject has no ce_subject header
    token = bind_correlation_id(correlation)
    try:
        with transaction.atomic():
            for subject, data in items:
                publish(TYPE, subject=subject, data=data)
        one_by_one = _rows()
        OutboxEvent.objects.all().delete()
        with transaction.atomic():
            if inside_buffer:
                with buffered():
                    assert publish_many(TYPE, items=items) == len(items)
            else:
                assert publish_many(TYPE, items=items) == len(items)
        together = _rows()
    finally:
        reset_correlation_id(token)

    assert [_without_id_and_time(r) for r in together] == [_without_id_and_time(r) for r in one_by_one]
    assert all(r[4].get("traceparent") == traceparent and r[4].get("correlationid") == correlation for r in together)
    for event_id, *_, envelope, value, headers in together:
        assert str(event_id) == envelope["id"] and uuid.UUID(envelope["id"]).version == 4
        assert split_headers(bytes(headers)) == headers_of(envelope)
        assert json.loads(bytes(value)) == envelope["data"]
    assert len({r[0] for r in together}) == len(items)


def test_publish_many_checks_every_event_against_its_contract_and_writes_none_if_one_breaks_it():
    items = _households(2) + [("h", HOUSEHOLD | {"version": 0})]
    with pytest.raises(ContractViolation, match="version"), transaction.atomic():
        publish_many(TYPE, items=items)
    assert OutboxEvent.objects.count() == 0


def test_publish_many_outside_a_transaction_is_refused():
    with pytest.raises(OutboxError, match="inside transaction.atomic"):
        publish_many(TYPE, items=_households(1))
    assert OutboxEvent.objects.count() == 0
