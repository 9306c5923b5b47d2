"""PUT and PATCH of a household as REST clients use them: a body read with GET goes back as it came,
a member given by id changes only the fields sent, and each member is listed once."""

import pytest
from rest_framework.test import APIClient

from dsrs.events.models import OutboxEvent
from registry.models import Household, Member
from identity import services as identity_services
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

NCR = "1300000000"


def register(api_client, **fields) -> dict:
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(**fields), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def url(household: dict) -> str:
    return f"/api/v1/households/{household['id']}"


def test_a_put_of_the_body_a_get_answered_succeeds_and_changes_nothing(api_client):
    household = register(api_client, phone_number="09171234567", payout_account="ACCT123456",
                         members=[MemberPayloadFactory(philsys_number="123456789012"), MemberPayloadFactory(child=True)])
    body = api_client.get(url(household)).json()

    response = api_client.put(url(household), body, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == body
    assert OutboxEvent.objects.filter(event_type="registry.household.updated").count() == 0


def test_a_caller_who_sees_numbers_masked_can_put_back_what_they_read(api_client):
    household = register(api_client, region_code=NCR, phone_number="09171234567",
                         members=[MemberPayloadFactory(philsys_number="123456789012"), MemberPayloadFactory(child=True)])
    client, _ = identity_services.partner_client_create(name="DOH", scopes=["registry:read", "registry:write"],
                                                        region_codes=[NCR])
    partner = APIClient()
    partner.force_authenticate(client.account)
    body = partner.get(url(household)).json()
    assert body["phone_number"] == "*******4567" and body["members"][0]["philsys_number"] == "********9012"

    response = partner.put(url(household), {**body, "address": "Purok 9"}, format="json")

    assert response.status_code == 200, response.content
    stored = Household.objects.get(pk=household["id"])
    assert (stored.address, stored.phone_number, stored.version) == ("Purok 9", "09171234567", 2)
    assert stored.members.get(relationship="head").philsys_number == "123456789012"


@pytest.mark.parametrize("field, value", [("version", 7), ("household_size", 9), ("pmt_score", "0.0001"),
                                          ("region_name", "Somewhere"), ("status", "graduated")])
def test_a_read_only_field_different_from_the_stored_value_is_refused(api_client, field, value):
    household = register(api_client)
    body = api_client.get(url(household)).json()

    response = api_client.put(url(household), {**body, field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Household.objects.get(pk=household["id"]).version == 1


def test_a_members_full_name_is_taken_unchanged_and_refused_changed(api_client):
    household = register(api_client)
    body = api_client.get(url(household)).json()
    renamed = [{**body["members"][0], "full_name": "Someone Else"}, body["members"][1]]

    response = api_client.put(url(household), {**body, "members": renamed}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["members[0].full_name"]


def test_a_patch_of_a_member_by_id_changes_only_the_fields_sent(api_client):
    household = register(api_client)
    head, child = household["members"]

    response = api_client.patch(url(household), {"members": [{"id": head["id"], "monthly_income": "5500.00"},
                                                             {"id": child["id"]}]}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["household_size"], body["monthly_income"]) == (2, 2, "5500.00")
    assert body["members"][0] == {**head, "monthly_income": "5500.00"}
    assert body["members"][1] == child


def test_a_put_still_takes_each_member_whole(api_client):
    household = register(api_client)
    body = api_client.get(url(household)).json()
    head, child = body["members"]

    response = api_client.put(url(household), {**body, "members": [{"id": head["id"]}, child]}, format="json")

    assert response.status_code == 400
    assert {"members[0].given_name", "members[0].birth_date"} <= set(response.json()["error"]["fields"])


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("order", ["head twice", "child twice"])
def test_the_same_member_twice_is_refused_naming_the_path(api_client, method, order):
    household = register(api_client)
    body = api_client.get(url(household)).json()
    head, child = body["members"]
    members = [head, head, child] if order == "head twice" else [head, child, child]

    response = getattr(api_client, method)(url(household), {**body, "members": members}, format="json")

    assert response.status_code == 400, response.content
    twice = "members[1].id" if order == "head twice" else "members[2].id"
    assert response.json()["error"]["fields"][twice] == [
        f"The same member as members[{0 if order == 'head twice' else 1}]: list each member once."]
    stored = Household.objects.get(pk=household["id"])
    assert (stored.version, stored.household_size, Member.objects.filter(household=stored).count()) == (1, 2, 2)
