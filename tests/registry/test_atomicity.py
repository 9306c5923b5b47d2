import pytest

from dsrs.audit.models import AuditRecord
from dsrs.events.models import OutboxEvent
from registry import events
from registry.models import Household, Member
from tests.factories import HouseholdPayloadFactory

pytestmark = pytest.mark.django_db(transaction=True)



def test_a_request_failing_after_its_event_was_written_leaves_neither_household_nor_event(api_client, monkeypatch):
    real_publish = events.publish_household_registered

    def publish_then_fail(household, members, *, today):
        real_publish(household, members, today=today)
        assert OutboxEvent.objects.count() == 1  # written, inside the request's transaction
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(events, "publish_household_registered", publish_then_fail)
    api_client.raise_request_exception = False

    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(), format="json")

    assert response.status_code == 500
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    assert Household.history.count() == 0 and Member.history.count() == 0
    assert OutboxEvent.objects.count() == 0
    assert AuditRecord.objects.count() == 0
