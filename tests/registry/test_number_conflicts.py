"""A PhilSys number registered in a household the caller may not see: the caller learns only that it
is registered; the attempt is audited and queued for a reviewer who may see both households."""

import pytest
from rest_framework.test import APIClient

from dsrs.audit.models import AuditRecord
from registry import services
from registry.models import Household, NumberConflict
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory, as_registration
from tests.identity.test_access_matrix import partner, staff
from tests.registry.admin_pages import staff_client

pytestmark = pytest.mark.django_db

NCR, VII = "1300000000", "0700000000"
PHILSYS = "123456789012"


@pytest.fixture
def held_in_vii():
    """A household of Central Visayas whose head has the number."""
    household = HouseholdFactory(region_code=VII, members=[MemberPayloadFactory(philsys_number=PHILSYS)])
    return household, household.members.get()


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload_with_number(region_code=NCR):
    return HouseholdPayloadFactory(region_code=region_code, members=[
        MemberPayloadFactory(given_name="Rosa", family_name="Reyes", philsys_number=PHILSYS),
        MemberPayloadFactory(child=True)])


def test_a_caller_of_another_region_learns_only_that_the_number_is_registered(held_in_vii):
    household, holder = held_in_vii
    ncr_client = partner(["registry:read", "registry:write"], [NCR])

    response = client_of(ncr_client).post("/api/v1/households", payload_with_number(), format="json")

    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["members[0].philsys_number"]
    assert message.startswith("This PhilSys number is already registered")
    assert household.household_number not in response.content.decode()
    assert str(holder.id) not in response.content.decode()
    assert Household.objects.count() == 1


def test_the_refused_attempt_is_audited_and_queued_for_review(held_in_vii):
    _, holder = held_in_vii
    ncr_client = partner(["registry:read", "registry:write"], [NCR])

    response = client_of(ncr_client).post("/api/v1/households", payload_with_number(), format="json")

    conflict = NumberConflict.objects.get()
    assert (conflict.holder, conflict.attempted_region_code, conflict.attempted_name) == (holder, NCR, "Rosa Reyes")
    assert (conflict.attempted_by, conflict.channel, conflict.status) == (f"client:{ncr_client.username}", "api",
                                                                          "pending")
    assert conflict.correlation_id == response["X-Correlation-ID"]
    audit = AuditRecord.objects.get(object_type="registry.member")
    assert (audit.object_ids, audit.fields, audit.actor) == ([str(holder.id)], ["philsys_number"],
                                                             f"client:{ncr_client.username}")


def test_a_change_that_gives_another_regions_number_is_answered_the_same(held_in_vii):
    household, _ = held_in_vii
    caseworker = staff("caseworker", [NCR])
    own = HouseholdFactory(region_code=NCR)
    members = client_of(caseworker).get(f"/api/v1/households/{own.id}").json()["members"]
    members[0]["philsys_number"] = PHILSYS
    sent = [{k: v for k, v in m.items() if k not in {"full_name"} and v is not None} for m in members]

    response = client_of(caseworker).patch(f"/api/v1/households/{own.id}", {"members": sent}, format="json")

    assert response.status_code == 400
    assert household.household_number not in response.content.decode()
    assert NumberConflict.objects.get().attempted_household_number == own.household_number


def test_a_caller_who_may_see_the_household_is_told_which_it_is(held_in_vii, staff_user):
    household, holder = held_in_vii

    response = client_of(staff_user).post("/api/v1/households", payload_with_number(), format="json")

    (message,) = response.json()["error"]["fields"]["members[0].philsys_number"]
    assert household.household_number in message and str(holder.id) in message


def test_a_bulk_registration_names_only_households_of_the_callers_regions(held_in_vii):
    household, _ = held_in_vii
    entry = dict(zip(("household", "members"), as_registration(payload_with_number())))

    registration = services.households_register_many(entries=[entry], skip_invalid=True, regions=frozenset({NCR}))

    (message,) = registration.rejected[0]["members[0].philsys_number"]
    assert household.household_number not in message
    assert [c.holder.household_id for c in registration.conflicts] == [household.id]


def test_only_a_reviewer_who_may_see_both_regions_sees_the_entry(held_in_vii):
    client_of(partner(["registry:read", "registry:write"], [NCR])).post("/api/v1/households", payload_with_number(),
                                                                         format="json")
    url = "/admin/registry/numberconflict/"
    both, _ = staff_client("supervisor", regions=[NCR, VII])
    one, _ = staff_client("supervisor", regions=[NCR])
    caseworker, _ = staff_client("caseworker", regions=[NCR, VII])

    assert list(both.get(url).context["cl"].result_list) == list(NumberConflict.objects.all())
    assert list(one.get(url).context["cl"].result_list) == []
    assert caseworker.get(url).status_code == 403
