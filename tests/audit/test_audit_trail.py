import pytest
from django.contrib.auth import get_user_model

from dsrs.audit.models import AuditRecord
from registry.models import PERSONAL_FIELDS
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db


def test_reading_a_household_records_who_read_which_fields_from_where(api_client, staff_user):
    household = HouseholdFactory()

    response = api_client.get(f"/api/v1/households/{household.id}", HTTP_X_FORWARDED_FOR="203.0.113.7",
                              HTTP_USER_AGENT="partner-system/1.0")

    record = AuditRecord.objects.get()
    assert record.actor == f"user:{staff_user.pk}:{staff_user.username}"
    assert (record.action, record.object_type, record.object_ids) == ("read", "registry.household", [str(household.id)])
    assert record.fields == sorted(PERSONAL_FIELDS)
    # No proxy is trusted (TRUSTED_PROXY_COUNT=0): the socket's address, never what the client wrote.
    assert (record.ip_address, record.user_agent, record.channel) == ("127.0.0.1", "partner-system/1.0", "api")
    assert record.correlation_id == response["X-Correlation-ID"]


def test_listing_households_records_every_household_shown(api_client):
    households = HouseholdFactory.create_batch(3)

    api_client.get("/api/v1/households")

    record = AuditRecord.objects.get()
    assert record.action == "list"
    assert sorted(record.object_ids) == sorted(str(h.id) for h in households)
    assert record.fields == sorted(PERSONAL_FIELDS)


def test_writes_record_the_fields_they_touched_but_never_their_values(api_client):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(given_name="Rosario", family_name="Dimaculangan")])
    created = api_client.post("/api/v1/households", payload, format="json").json()
    api_client.patch(f"/api/v1/households/{created['id']}", {"address": "Purok 7, Brgy. Malinis"}, format="json")
    api_client.post(f"/api/v1/households/{created['id']}/deactivate", {"status": "inactive", "reason": "moved"},
                    format="json")

    create, update, deactivate = AuditRecord.objects.order_by("id")
    assert create.action == "create" and {"address", "members"} <= set(create.fields)
    assert (update.action, update.fields) == ("update", ["address"])
    assert (deactivate.action, deactivate.fields) == ("update", ["status", "status_reason"])
    stored = str(list(AuditRecord.objects.values()))
    assert "Rosario" not in stored and "Malinis" not in stored


def test_a_refused_request_leaves_no_audit_record(api_client):
    household = HouseholdFactory()

    api_client.post("/api/v1/households", {"household_size": 0}, format="json")
    api_client.patch(f"/api/v1/households/{household.id}", {"region_code": "0700000000"}, format="json")  # no place
    api_client.post(f"/api/v1/households/{household.id}/deactivate", {"status": "inactive"}, format="json")

    assert AuditRecord.objects.count() == 0


def test_nobody_can_change_or_delete_an_audit_record(api_client):
    api_client.get(f"/api/v1/households/{HouseholdFactory().id}")
    record = AuditRecord.objects.get()

    record.actor = "someone-else"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.update(actor="someone-else")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get().actor.startswith("user:")


def test_opening_a_household_in_the_admin_is_recorded_and_the_trail_is_read_only_there(client):
    admin_user = get_user_model().objects.create_superuser(username="supervisor", password="a long enough phrase")
    client.force_login(admin_user)
    household = HouseholdFactory()

    page = client.get(f"/admin/registry/household/{household.id}/change/")

    assert page.status_code == 200
    record = AuditRecord.objects.get()
    assert (record.channel, record.action, record.actor) == ("admin", "read", f"user:{admin_user.pk}:supervisor")
    trail = client.get(f"/admin/audit/auditrecord/{record.id}/change/")
    assert trail.status_code == 200 and b"Save" not in trail.content and b"Delete" not in trail.content
    assert client.post(f"/admin/audit/auditrecord/{record.id}/delete/").status_code == 403
