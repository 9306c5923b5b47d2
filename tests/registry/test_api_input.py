"""What the households API takes: strict JSON types, the registry's rules of age and civil status,
and inputs bounded so that everything derived from them is stored and read back."""

from datetime import date
from decimal import Decimal

import pytest

from dsrs.events.models import OutboxEvent
from registry.models import Household
from registry.validation import MAX_MEMBERS, MAX_MONTHLY_INCOME
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

HIGHEST = f"{MAX_MONTHLY_INCOME:.2f}"


def aged(years: int) -> str:
    """The birth date of someone `years` old today (a birthday some months ago)."""
    today = date.today()
    return date(today.year - years - (today.month <= 6), 6 if today.month > 6 else 12, 1).isoformat()


def post(api_client, payload):
    return api_client.post("/api/v1/households", payload, format="json")


def refused(response) -> dict:
    assert response.status_code == 400, response.content
    assert Household.objects.count() == 0 and OutboxEvent.objects.count() == 0
    return response.json()["error"]["fields"]


@pytest.mark.parametrize("members", [2, MAX_MEMBERS], ids=["two members", "the most members"])
def test_members_at_the_highest_income_are_stored_announced_and_read_back(api_client, members):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(monthly_income=HIGHEST)] + [
        MemberPayloadFactory(child=True, monthly_income=HIGHEST) for _ in range(members - 1)])

    created = post(api_client, payload)

    assert created.status_code == 201, created.content
    total = MAX_MONTHLY_INCOME * members
    assert created.json()["monthly_income"] == f"{total:.2f}"
    listed = api_client.get("/api/v1/households")
    assert listed.status_code == 200 and [h["monthly_income"] for h in listed.json()["results"]] == [f"{total:.2f}"]
    household = Household.objects.get()
    assert (household.monthly_income, household.history.get().monthly_income) == (total, total)
    assert OutboxEvent.objects.get().envelope["data"]["monthly_income"] == f"{total:.2f}"


@pytest.mark.parametrize("income", ["9999999999.99", f"{MAX_MONTHLY_INCOME + Decimal('0.01'):.2f}"])
def test_an_income_above_the_highest_is_refused_and_nothing_is_kept(api_client, income):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(monthly_income=income),
                                               MemberPayloadFactory(child=True, monthly_income=income)])

    fields = refused(post(api_client, payload))

    assert set(fields) == {"members[0].monthly_income", "members[1].monthly_income"}
    assert api_client.get("/api/v1/households").status_code == 200


@pytest.mark.parametrize("income", ["-0", "-0.00", "-0e3"])
def test_a_negative_zero_income_is_refused_not_a_server_error(api_client, income):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(monthly_income=income)])

    assert list(refused(post(api_client, payload))) == ["members[0].monthly_income"]


def test_a_reason_as_long_as_the_api_takes_is_kept_whole_in_the_history(api_client):
    reason = "r" * 200
    household = post(api_client, HouseholdPayloadFactory(change_reason=reason)).json()

    changed = api_client.patch(f"/api/v1/households/{household['id']}", {"address": "Purok 2",
                                                                         "change_reason": reason}, format="json")
    deactivated = api_client.post(f"/api/v1/households/{household['id']}/deactivate",
                                  {"status": "inactive", "reason": reason}, format="json")

    assert (changed.status_code, deactivated.status_code) == (200, 200)
    stored = Household.objects.get(pk=household["id"])
    assert list(stored.history.values_list("history_change_reason", flat=True)) == [reason] * 3


@pytest.mark.parametrize("field, value", [("has_electricity", "yes"), ("has_electricity", 1),
                                          ("has_electricity", "true"), ("region_code", 1300000000),
                                          ("address", 12), ("roof_material", 1), ("assets", [1])])
def test_a_households_booleans_and_strings_are_taken_as_their_json_type_only(api_client, field, value):
    payload = {**HouseholdPayloadFactory(region_code="1300000000"), field: value}

    fields = refused(post(api_client, payload))

    assert [name.split("[")[0] for name in fields] == [field]


@pytest.mark.parametrize("field, value", [("attending_school", "yes"), ("has_disability", 0),
                                          ("emancipated", "false"), ("given_name", 5), ("sex", True),
                                          ("philsys_number", 123456789012), ("id", 5)])
def test_a_members_booleans_strings_and_ids_are_taken_as_their_json_type_only(api_client, field, value):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(**{field: value})])

    fields = refused(post(api_client, payload))

    assert list(fields) == [f"members[0].{field}"]


def test_a_three_year_old_head_and_a_married_two_year_old_are_refused(api_client):
    payload = HouseholdPayloadFactory(members=[
        MemberPayloadFactory(birth_date=aged(3), civil_status="single"),
        MemberPayloadFactory(child=True, birth_date=aged(2), civil_status="married")])

    fields = refused(post(api_client, payload))

    assert set(fields) == {"members[0].birth_date", "members[1].civil_status"}
    assert fields["members[0].birth_date"][0].startswith("The head is 3: a head is an adult (18 or more)")


def test_an_emancipated_minor_heads_a_household_of_orphaned_siblings(api_client):
    payload = HouseholdPayloadFactory(members=[
        MemberPayloadFactory(birth_date=aged(16), civil_status="single", emancipated=True, occupation="vendor"),
        MemberPayloadFactory(child=True, relationship="sibling", birth_date=aged(10))])

    created = post(api_client, payload)

    assert created.status_code == 201, created.content
    assert [m["emancipated"] for m in created.json()["members"]] == [True, False]
