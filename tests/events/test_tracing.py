import pytest

from dsrs.events.models import OutboxEvent
from dsrs.events.relay import relay_once
from dsrs.events.runtime import ConsumerRuntime
from dsrs.observability import configure_tracing
from tests.factories import HouseholdPayloadFactory

pytestmark = pytest.mark.django_db(transaction=True)



def trace_id(traceparent: str) -> str:
    return traceparent.split("-")[1]


def test_a_trace_follows_a_household_from_the_request_into_the_events_it_causes(api_client, local_transport):
    configure_tracing()

    api_client.post("/api/v1/households", HouseholdPayloadFactory(poor=True), format="json")
    relay_once()
    runtime = ConsumerRuntime("eligibility")
    runtime.drain(idle_polls=1, timeout=0)

    registered = OutboxEvent.objects.get(event_type="registry.household.registered").envelope
    assessed = OutboxEvent.objects.get(event_type="eligibility.assessment.approved").envelope
    assert registered["traceparent"] and assessed["traceparent"]
    assert trace_id(assessed["traceparent"]) == trace_id(registered["traceparent"])
    assert assessed["traceparent"] != registered["traceparent"]  # a span of its own, in the same trace
    assert assessed["correlationid"] == registered["correlationid"]
