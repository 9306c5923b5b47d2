"""`manage.py analytics_rebuild`: the rebuilt read model equals the live one, built while the live
consumer keeps applying new events, and a log that lost its first events is refused."""

import os
import uuid

import pytest
from django.core.management import CommandError, call_command

from analytics.rebuild import analytics_rebuild
from dsrs.events.models import OutboxEvent
from tests.analytics.test_read_model import deliver, everything
from tests.analytics.world import in_order, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def local(settings):
    settings.EVENTS_TRANSPORT = "local"


def test_the_rebuilt_read_model_equals_the_live_one(store, local):
    deliver(in_order(world()))
    live = everything(store)

    call_command("analytics_rebuild", "--batch-size", "17", verbosity=0)

    assert store.live_generation() != ""
    assert store.generations() == [store.live_generation()]  # the old generation is dropped
    assert everything(store) == live


def test_events_the_live_consumer_applies_during_a_rebuild_are_in_the_rebuilt_figures(store, local):
    stories = list(world().values())
    deliver(in_order(dict(enumerate(stories[:10]))))
    later = in_order(dict(enumerate(stories[10:])))
    halfway = iter([lambda: deliver(later[: len(later) // 2])])

    def live_consumer_meanwhile(_count):
        for step in halfway:  # once, after the first batch: new events are published and consumed
            step()

    analytics_rebuild(batch_size=20, progress=live_consumer_meanwhile)
    deliver(later[len(later) // 2:])  # and more after the switch
    rebuilt = everything(store)

    for generation in store.generations():
        store.drop_generation(generation)
    store.set_live_generation("")
    deliver([])  # nothing new: rebuild the expected figures by applying every event straight away
    from analytics.services import events_apply
    events_apply(events=in_order(dict(enumerate(stories))))
    assert rebuilt == everything(store)


def test_a_log_whose_first_events_were_pruned_is_refused(store, local):
    deliver(in_order(world()))
    OutboxEvent.objects.order_by("position").first().delete()

    with pytest.raises(CommandError, match="pruned"):
        call_command("analytics_rebuild", verbosity=0)
    assert store.live_generation() == ""


@pytest.mark.kafka
def test_a_rebuild_from_the_kafka_topics_equals_the_figures_of_the_events(store, settings):
    """On the real broker: topics are created keeping every event, and the rebuild reads them all."""
    from confluent_kafka.admin import ConfigResource

    from analytics.services import events_apply
    from dsrs.events.outbox import append
    from dsrs.events.relay import relay_once
    from dsrs.events.topics import topic_name
    from dsrs.events.transports import get_transport
    from django.db import transaction

    namespace = f"test-rebuild-{uuid.uuid4().hex[:8]}."
    settings.EVENTS_TRANSPORT, settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS = "kafka", os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    settings.EVENTS_TOPIC_PREFIX = settings.EVENTS_GROUP_PREFIX = namespace
    events = in_order(world())
    with transaction.atomic():
        for event in events:
            append(event)
    while relay_once():
        pass
    admin = get_transport().admin()
    try:
        resource = ConfigResource(ConfigResource.Type.TOPIC, topic_name("payment.payment"))
        config = admin.describe_configs([resource])[resource].result(timeout=15)
        assert config["retention.ms"].value == "-1"

        done = analytics_rebuild(batch_size=50)

        assert done["applied"] == len(events)
        rebuilt = everything(store)
        events_apply(events=events, generation="expected")
        assert store.dump("expected") == store.dump(done["generation"])
        assert rebuilt["summaries"][0]["households_registered"] == 19
    finally:
        topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
        for future in admin.delete_topics(topics).values():
            future.result(timeout=30)
