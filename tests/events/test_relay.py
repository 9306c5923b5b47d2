from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dsrs.events import registry
from dsrs.events.models import ConsumerOffset, OutboxEvent
from dsrs.events.relay import prune_sent, relay_once
from tests.events.conftest import another_relay_sending, in_another_transaction

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_relay_sends_unsent_rows_in_order_and_marks_them_sent(published):
    rows = published(5)

    assert relay_once(batch_size=3) == 3
    assert relay_once(batch_size=3) == 2
    assert relay_once(batch_size=3) == 0

    sent = list(OutboxEvent.objects.order_by("id").values_list("id", "position"))
    assert [row_id for row_id, _ in sent] == [r.id for r in rows]
    positions = [p for _, p in sent]
    assert positions == sorted(positions) and len(set(positions)) == 5
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()


def test_sent_rows_are_pruned_only_once_old_and_read_by_every_group(published, settings):
    published(6)
    relay_once()
    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(days=2))
    settings.EVENTS_OUTBOX_RETENTION_SECONDS = 3600
    positions = sorted(OutboxEvent.objects.values_list("position", flat=True))

    assert prune_sent() == 0  # no group has read anything yet
    for group in registry.groups():
        ConsumerOffset.objects.create(consumer_group=group, position=positions[-1])
    ConsumerOffset.objects.filter(consumer_group=registry.groups()[0]).update(position=positions[3])

    assert prune_sent(batch_size=2) == 4  # up to the slowest group, in batches of two
    assert sorted(OutboxEvent.objects.values_list("position", flat=True)) == positions[4:]


@pytest.mark.postgres
def test_two_relays_never_claim_the_same_rows(published):
    assert connection.vendor == "postgresql", "SKIP LOCKED is PostgreSQL's; run with `make test`"
    rows = published(4)
    with in_another_transaction(
            lambda: list(OutboxEvent.objects.select_for_update(skip_locked=True).order_by("id")[:2])):
        assert relay_once() == 2
        sent = set(OutboxEvent.objects.filter(sent_at__isnull=False).values_list("id", flat=True))
        assert sent == {rows[2].id, rows[3].id}


@pytest.mark.postgres
def test_while_one_relay_sends_the_others_wait_their_turn(published):
    assert connection.vendor == "postgresql", "advisory locks are PostgreSQL's; run with `make test`"
    published(3)
    with another_relay_sending():
        assert relay_once() == 0  # not its turn: sending now could overtake the other relay's batch
    assert relay_once() == 3
