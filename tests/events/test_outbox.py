import pytest
from django.db import transaction

from dsrs.events import publish
from dsrs.events.contracts import ContractViolation
from dsrs.events.models import OutboxEvent
from dsrs.events.outbox import OutboxError
from dsrs.observability import bind_correlation_id, reset_correlation_id
from tests.events.test_envelope_and_contracts import HOUSEHOLD

pytestmark = pytest.mark.django_db(transaction=True)


def test_publishing_outside_a_transaction_is_refused():
    with pytest.raises(OutboxError, match="inside transaction.atomic"):
        publish("registry.household.registered", subject="h1", data=HOUSEHOLD)
    assert OutboxEvent.objects.count() == 0


def test_an_event_breaking_its_contract_is_never_written():
    with pytest.raises(ContractViolation), transaction.atomic():
        publish("registry.household.registered", subject="h1", data=HOUSEHOLD | {"version": 0})
    assert OutboxEvent.objects.count() == 0


def test_a_published_event_is_keyed_by_its_aggregate_and_carries_the_correlation_id(settings):
    settings.EVENTS_TOPIC_PREFIX = "staging."
    token = bind_correlation_id("req-42")
    try:
        with transaction.atomic():
            event = publish("registry.household.registered", subject=HOUSEHOLD["household_id"], data=HOUSEHOLD)
    finally:
        reset_correlation_id(token)

    row = OutboxEvent.objects.get()
    assert (row.topic, row.key, str(row.event_id)) == ("staging.registry.household", HOUSEHOLD["household_id"], event.id)
    assert row.envelope["correlationid"] == "req-42" and row.sent_at is None


def test_a_rolled_back_transaction_takes_its_events_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("registry.household.registered", subject="h1", data=HOUSEHOLD)
        raise RuntimeError("the caller's change failed")
    assert OutboxEvent.objects.count() == 0


def test_publish_all_writes_the_rows_publish_writes(settings):
    from dsrs.events.outbox import buffered, publish_all

    settings.EVENTS_TOPIC_PREFIX = "staging."
    token = bind_correlation_id("req-7")
    try:
        with transaction.atomic():
            publish("registry.household.registered", subject="h1", data=HOUSEHOLD)
            with buffered():
                publish_all([("registry.household.registered", "h1", HOUSEHOLD, 1)])
    finally:
        reset_correlation_id(token)

    one, many = OutboxEvent.objects.order_by("id")
    assert (many.topic, many.key, many.event_type) == (one.topic, one.key, one.event_type)
    assert list(many.envelope) == list(one.envelope)  # the same attributes, in the same order
    assert {k: v for k, v in many.envelope.items() if k not in ("id", "time")} == {
        k: v for k, v in one.envelope.items() if k not in ("id", "time")}
    assert str(many.event_id) == many.envelope["id"] != one.envelope["id"]
    assert bytes(many.value) == bytes(one.value)
    assert bytes(many.headers).replace(many.envelope["id"].encode(), b"").replace(
        many.envelope["time"].encode(), b"") == bytes(one.headers).replace(one.envelope["id"].encode(), b"").replace(
        one.envelope["time"].encode(), b"")


def test_publish_all_checks_each_contract_and_the_transaction():
    from dsrs.events.outbox import publish_all

    with pytest.raises(OutboxError, match="inside transaction.atomic"):
        publish_all([("registry.household.registered", "h1", HOUSEHOLD, 1)])
    with pytest.raises(ContractViolation), transaction.atomic():
        publish_all([("registry.household.registered", "h1", HOUSEHOLD, 1),
                      ("registry.household.registered", "h1", HOUSEHOLD | {"version": 0}, 1)])
    assert OutboxEvent.objects.count() == 0


@pytest.mark.parametrize("many", [False, True])
def test_an_event_is_stored_as_its_record_alone_and_read_back_whole(many):
    from dsrs.events.outbox import publish_many

    with transaction.atomic():
        if many:
            publish_many("registry.household.registered", items=[("h1", HOUSEHOLD)])
        else:
            publish("registry.household.registered", subject="h1", data=HOUSEHOLD)

    row = OutboxEvent.objects.get()
    assert row.stored_envelope is None and row.value and row.headers
    assert row.envelope["data"] == HOUSEHOLD and row.envelope["id"] == str(row.event_id)
    assert row.envelope["subject"] == "h1" and row.envelope["type"] == "registry.household.registered"


def test_a_row_that_stores_only_its_envelope_travels_whole(local_transport):
    """A row written by an older version (or whose headers could not hold the event) keeps its
    envelope: the relay sends a record made from it and a consumer of the local log reads it back."""
    from dsrs.events.envelope import Event
    from dsrs.events.relay import relay_once
    from dsrs.events.transports.local import LocalConsumerSession, LocalTransport

    event = Event(type="registry.household.registered", subject="h1", data=HOUSEHOLD, source="dsrs",
                  dataschema="urn:dsrs:events:registry.household.registered:v1", correlationid="req-9")
    OutboxEvent.objects.create(event_id=event.id, topic="registry.household", key="h1", event_type=event.type,
                               stored_envelope=event.to_dict())

    assert relay_once() == 1
    (delivery,) = LocalConsumerSession("g", ["registry.household"]).poll(10, 0)
    assert LocalTransport().decode(delivery) == event
    assert OutboxEvent.objects.get().envelope == event.to_dict()
