"""Servers stop while caseworkers keep registering households; nothing is lost or doubled."""

import os
import subprocess

import pytest

from analytics.selectors import summary_get
from dsrs.events.models import DeadLetter, OutboxEvent
from dsrs.events.relay import RelayIncomplete, relay_once
from dsrs.events.runtime import TransientError
from payment.models import Payment
from tests.saga.conftest import REPO
from tests.saga.test_saga import all_paid, register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.kafka]


def infra(action: str, service: str = "kafka") -> None:
    subprocess.run([str(REPO / "scripts" / "infra"), action, service], check=True, timeout=180,
                   env=dict(os.environ))


@pytest.mark.parametrize("saga", ["kafka"], indirect=True)
def test_events_written_while_the_broker_is_down_all_arrive_once_it_is_back(saga, partner_client):
    register(partner_client, 3, poor=True)
    saga.start_consumers()
    saga.run_until(all_paid(3))

    infra("down")
    try:
        during_outage = register(partner_client, 5, poor=True)  # the API does not need the broker
        with pytest.raises(RelayIncomplete):
            relay_once()
        assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 5
    finally:
        infra("up")

    saga.run_until(all_paid(8), timeout=180)
    saga.settle(seconds=3)

    assert sorted(str(h) for h in Payment.objects.filter(household_id__in=during_outage)
                  .values_list("household_id", flat=True)) == sorted(during_outage)
    assert Payment.objects.count() == 8
    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.payments_completed) == (8, 8, 8)


@pytest.mark.parametrize("saga", ["kafka"], indirect=True)
def test_an_unreachable_read_model_stops_analytics_and_loses_nothing_once_it_is_back(saga, partner_client):
    register(partner_client, 2, poor=True)
    saga.start_consumers()
    saga.run_until(all_paid(2))

    infra("down", "mongo")
    try:
        register(partner_client, 3, poor=True)
        saga.run_until(lambda: Payment.objects.filter(status="completed").count() == 5,
                       groups=["eligibility", "payment"])
        saga.relay()
        with pytest.raises(TransientError):
            saga.run_until(lambda: False, groups=["analytics"], complete_payments=False, timeout=60)
        assert DeadLetter.objects.count() == 0  # an outage is not the events' fault
    finally:
        infra("up", "mongo")

    # As `run_consumers` does after an infrastructure error: a fresh consumer, from the committed offsets.
    saga.runtimes.pop("analytics").close()
    saga.start_consumers(["analytics"])
    saga.run_until(all_paid(5), timeout=120)
    saga.settle()

    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.payments_scheduled, summary.payments_completed) == (5, 5, 5, 5)
    assert DeadLetter.objects.count() == 0
