import json
import uuid

import pytest

from dsrs.events.models import DeadLetter, InboxEvent
from dsrs.events.runtime import ConsumerRuntime, TransientError
from tests.events.conftest import FakeSession, delivery_of
from tests.events.test_envelope_and_contracts import HOUSEHOLD, an_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def runtime(test_group, settings):
    settings.EVENTS_MAX_ATTEMPTS = 3
    settings.EVENTS_RETRY_BACKOFF_SECONDS = 0.001
    return ConsumerRuntime("test-group", session=FakeSession())


def test_an_event_delivered_twice_is_applied_once(runtime, test_group):
    _, calls = test_group
    event = an_event()

    runtime.process([delivery_of(event, offset=0), delivery_of(event, offset=1)])
    runtime.process([delivery_of(event, offset=0)])

    assert calls == [event.id]
    assert InboxEvent.objects.filter(consumer_group="test-group").count() == 1
    assert [d.offset for d in runtime.session.committed] == [0, 1, 0]
    assert (runtime.applied, runtime.duplicates) == (1, 2)


def test_a_handler_that_keeps_failing_is_dead_lettered_after_the_bounded_retries(runtime, test_group):
    handler, calls = test_group
    poison, healthy = an_event(), an_event()

    def fail_on_poison(event):
        if event.id == poison.id:
            raise ValueError("cannot assess")

    handler.behaviour = fail_on_poison
    runtime.process([delivery_of(poison, offset=7), delivery_of(healthy, offset=8)])

    letter = DeadLetter.objects.get()
    assert (letter.event_id, letter.attempts, letter.error_type, letter.offset) == (poison.id, 3, "ValueError", 7)
    assert "cannot assess" in letter.error
    assert InboxEvent.objects.filter(event_id=healthy.id).exists()
    assert not InboxEvent.objects.filter(event_id=poison.id).exists()
    (delivery, headers) = runtime.session.dead_letters[0]
    assert headers["dlq_attempts"] == "3" and headers["dlq_consumer_group"] == "test-group"
    assert headers["dlq_original_offset"] == "7" and headers["dlq_error_type"] == "ValueError"
    # The partition moves on, and each event's outcome is committed as soon as it is known.
    assert [d.offset for d in runtime.session.committed] == [7] + [7, 8] + [7, 8]


def test_an_unreadable_record_is_dead_lettered_at_once_without_calling_the_handler(runtime, test_group):
    _, calls = test_group

    runtime.process([delivery_of(offset=3, value=b"{broken")])

    letter = DeadLetter.objects.get()
    assert (letter.attempts, letter.error_type, letter.payload) == (1, "MalformedEvent", "{broken")
    assert calls == []


def test_an_event_breaking_its_contract_is_dead_lettered_at_once(runtime, test_group):
    _, calls = test_group

    runtime.process([delivery_of(an_event(data=HOUSEHOLD | {"pmt_score": 7}))])

    assert DeadLetter.objects.get().error_type == "ContractViolation"
    assert calls == []


def test_an_unavailable_dependency_stops_the_consumer_without_dead_letter_or_commit(runtime, test_group):
    handler, calls = test_group

    def store_down(event):
        raise TransientError("MongoDB unavailable")

    handler.behaviour = store_down
    with pytest.raises(TransientError):
        runtime.process([delivery_of(offset=5)])

    assert DeadLetter.objects.count() == 0 and InboxEvent.objects.count() == 0
    assert runtime.session.committed == []


def test_events_of_types_the_group_does_not_handle_are_passed_over(runtime, test_group):
    _, calls = test_group
    other = an_event(type="registry.household.updated", dataschema="urn:dsrs:events:registry.household.updated:v1")

    runtime.process([delivery_of(other)])

    assert calls == [] and InboxEvent.objects.count() == 0 and DeadLetter.objects.count() == 0
    assert len(runtime.session.committed) == 1


@pytest.fixture
def batch_group(local_transport, settings):
    from dsrs.events import registry

    settings.EVENTS_MAX_ATTEMPTS = 2
    settings.EVENTS_RETRY_BACKOFF_SECONDS = 0.001
    calls = []

    def handler(events):
        calls.append([e.id for e in events])
        if any(e.data["version"] == 13 for e in events):
            raise ValueError("version 13 is unlucky")

    registry.subscribe(group="batch-group", event_type="registry.household.registered", batch=True)(handler)
    yield calls
    registry._subscriptions.pop("batch-group", None)


def test_a_batch_handler_gets_the_batch_as_one_list_and_each_event_alone_after_a_failure(batch_group):
    runtime = ConsumerRuntime("batch-group", session=FakeSession())
    good = [an_event(data=HOUSEHOLD | {"version": v}) for v in (1, 2)]
    bad = an_event(data=HOUSEHOLD | {"version": 13})

    runtime.process([delivery_of(good[0], offset=0), delivery_of(good[1], offset=1)])
    runtime.process([delivery_of(bad, offset=2), delivery_of(good[0], offset=3)])

    assert batch_group[0] == [good[0].id, good[1].id]  # one call for the whole batch
    assert batch_group[1:] == [[bad.id], [bad.id], [bad.id]]  # the failed batch, then each attempt alone
    assert DeadLetter.objects.get().event_id == bad.id
    assert InboxEvent.objects.filter(consumer_group="batch-group").count() == 2


def test_an_event_dead_lettered_before_its_offset_was_committed_is_not_retried_again(runtime, test_group):
    handler, calls = test_group
    poison = an_event()

    def always_fail(event):
        raise ValueError("cannot assess")

    handler.behaviour = always_fail
    runtime.process([delivery_of(poison, offset=4)])
    calls.clear()
    runtime.process([delivery_of(poison, offset=4)])  # delivered again: the member died before committing

    assert calls == []
    assert DeadLetter.objects.get().attempts == 3
    assert len(runtime.session.dead_letters) == 2  # the dead-letter topic hears of it again
    assert runtime.session.dead_letters[1][1]["dlq_error_type"] == "ValueError"


def test_a_record_whose_id_is_no_uuid_is_dead_lettered_at_once(runtime, test_group):
    _, calls = test_group
    raw = an_event().to_dict() | {"id": "evt-" + "x" * 300}

    runtime.process([delivery_of(value=json.dumps(raw).encode(), offset=9)])

    letter = DeadLetter.objects.get()
    assert (letter.error_type, letter.attempts) == ("MalformedEvent", 1)
    assert calls == []


class QueuedSession(FakeSession):
    """A session that hands out the batches it is given, one a poll, noting whether each poll came
    while a batch's transaction was open (a read ahead)."""

    def __init__(self, *batches):
        super().__init__()
        self.batches = list(batches)
        self.polls_in_a_transaction: list[bool] = []

    def poll(self, max_messages, timeout):
        from django.db import connection

        self.polls_in_a_transaction.append(connection.in_atomic_block)
        return self.batches.pop(0) if self.batches else []


def reading_ahead(session):
    runtime = ConsumerRuntime("test-group", session=session)
    runtime.reads_ahead = True  # as on Kafka
    return runtime


def test_the_next_batch_is_read_while_the_inbox_is_written_and_applied_at_the_next_poll(runtime, test_group):
    _, calls = test_group
    first, second = [an_event(), an_event()], [an_event()]
    session = QueuedSession([delivery_of(e, offset=n) for n, e in enumerate(first)], [delivery_of(second[0], offset=2)])
    runtime = reading_ahead(session)

    assert runtime.poll_once() == 2
    assert calls == [e.id for e in first]
    assert session.polls_in_a_transaction == [False, True]  # the second batch came during the first's transaction
    assert [d.offset for d in session.committed] == [0, 1]  # read, not applied: not committed

    assert runtime.poll_once() == 1
    assert calls == [e.id for e in first + second]
    assert [d.offset for d in session.committed] == [0, 1, 2]
    assert InboxEvent.objects.filter(consumer_group="test-group").count() == 3


def test_a_batch_read_ahead_is_neither_applied_nor_committed_when_the_member_stops(runtime, test_group):
    _, calls = test_group
    first, ahead = an_event(), an_event()
    session = QueuedSession([delivery_of(first, offset=0)], [delivery_of(ahead, offset=1)])
    runtime = reading_ahead(session)

    runtime.poll_once()
    runtime.close()

    assert calls == [first.id]
    assert [d.offset for d in session.committed] == [0]  # the next member receives the batch again
    assert not InboxEvent.objects.filter(event_id=ahead.id).exists()


def test_an_unreadable_record_read_ahead_is_dead_lettered_in_its_own_turn(runtime, test_group):
    _, calls = test_group
    healthy = an_event()
    session = QueuedSession([delivery_of(healthy, offset=0)], [delivery_of(offset=1, value=b"{broken")])
    runtime = reading_ahead(session)

    runtime.poll_once()
    assert DeadLetter.objects.count() == 0 and session.dead_letters == []

    runtime.poll_once()
    assert DeadLetter.objects.get().payload == "{broken"
    assert [d.offset for d in session.committed] == [0, 1]
    assert calls == [healthy.id]


def test_a_dead_lettered_event_delivered_again_within_a_batch_is_left_out_of_its_one_by_one_pass(runtime, test_group):
    handler, calls = test_group
    poison, other = an_event(), an_event()

    def fail(event):
        raise ValueError("cannot assess")

    handler.behaviour = fail
    runtime.process([delivery_of(poison, offset=4)])
    handler.behaviour = lambda event: (_ for _ in ()).throw(ValueError("again")) if event.id == other.id else None
    calls.clear()
    runtime.process([delivery_of(poison, offset=4), delivery_of(other, offset=5)])

    assert poison.id not in calls  # neither in the batch nor in the one-by-one pass after it failed
    assert calls.count(other.id) == 1 + 3
    assert DeadLetter.objects.get(event_id=poison.id).attempts == 3


def test_an_event_whose_id_is_spelled_in_braces_is_applied_once_in_its_batch(runtime, test_group, caplog):
    _, calls = test_group
    caplog.set_level("INFO", logger="dsrs.events.runtime")
    event = an_event()
    braced = event.to_dict() | {"id": "{" + event.id.upper() + "}"}

    runtime.process([delivery_of(value=json.dumps(braced).encode(), offset=0)])
    runtime.process([delivery_of(value=json.dumps(braced).encode(), offset=1)])

    assert len(calls) == 1 and DeadLetter.objects.count() == 0
    assert list(InboxEvent.objects.values_list("event_id", flat=True)) == [uuid.UUID(event.id)]
    assert "applying one by one" not in caplog.text  # the batch's own statement took it
