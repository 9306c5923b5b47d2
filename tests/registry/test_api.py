import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from dsrs.events.models import OutboxEvent
from registry.models import Household, Member
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory, location_in

pytestmark = pytest.mark.django_db

NCR, VII = "1300000000", "0700000000"


def register(api_client, **fields):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(**fields), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def as_sent(member: dict) -> dict:
    """A member of an answer as a request sends it back."""
    keep = set(MemberPayloadFactory()) | {"id", "suffix", "philsys_number"}
    return {name: value for name, value in member.items() if name in keep and value is not None}


def test_registering_a_household_stores_it_with_its_members_and_writes_its_event(api_client):
    body = register(api_client, region_code=NCR, members=[
        MemberPayloadFactory(given_name="Rosa", monthly_income="6000.00"),
        MemberPayloadFactory(given_name="Ben", child=True), MemberPayloadFactory(given_name="Ana", child=True)])

    assert body["household_number"].startswith("HH-") and body["version"] == 1
    assert body["region_name"] == "National Capital Region (NCR)"
    assert body["municipality_name"] and body["barangay_name"]
    assert [m["given_name"] for m in body["members"]][0] == "Rosa"  # the head first
    assert (body["household_size"], body["monthly_income"], body["per_capita_income"]) == (3, "6000.00", "2000.00")
    assert Decimal("0") < Decimal(body["pmt_score"]) < Decimal("1") and body["pmt_model_version"] == 1
    assert Member.objects.filter(household_id=body["id"]).count() == 3
    (event,) = OutboxEvent.objects.all()
    assert (event.event_type, event.key) == ("registry.household.registered", body["id"])
    assert event.envelope["data"]["household_size"] == 3
    assert "head_of_household_name" not in event.envelope["data"]  # events carry no names


@pytest.mark.parametrize("field, value, reason", [
    ("household_size", 3, "Derived from the members"),
    ("monthly_income", "1000.00", "Derived from the members"),
    ("pmt_score", "0.1000", "Computed by the PMT model"),
    ("pmt_model_version", 7, "Computed by the PMT model"),
])
def test_derived_values_cannot_be_sent(api_client, field, value, reason):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(**{field: value}), format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert response.json()["error"]["fields"][field][0].startswith(reason)
    assert Household.objects.count() == 0


def test_bad_input_is_refused_with_every_offending_field_named_by_its_path(api_client):
    payload = HouseholdPayloadFactory(roof_material="gold", members=[
        MemberPayloadFactory(), MemberPayloadFactory(child=True, birth_date="2016-13-40", nickname="Bong")])
    del payload["address"]

    response = api_client.post("/api/v1/households", payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"address", "roof_material", "members[1].birth_date", "members[1].nickname"}
    assert error["fields"]["members[1].nickname"] == ["Unknown field."]
    assert "members[1].birth_date" in error["message"]
    assert Household.objects.count() == 0 and OutboxEvent.objects.count() == 0


def test_the_services_rules_come_back_with_the_same_shape_and_paths(api_client):
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(), MemberPayloadFactory(relationship="head",
                                                                                            is_pregnant=True,
                                                                                            sex="male")])

    response = api_client.post("/api/v1/households", payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert error["fields"] == {"members": ["Exactly one member is the head; 2 are."],
                               "members[1].is_pregnant": ["Only a female member can be pregnant."]}


def test_unknown_fields_are_named_rather_than_silently_dropped(api_client):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(nickname="Bong"), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"nickname": ["Unknown field."]}


def test_a_barangay_of_another_municipality_is_refused_naming_the_municipality(api_client):
    ncr, vii = location_in(NCR), location_in(VII)
    payload = HouseholdPayloadFactory(region_code=VII, province_code=vii["province_code"],
                                      municipality_code=vii["municipality_code"], barangay_code=ncr["barangay_code"])

    response = api_client.post("/api/v1/households", {**payload, "region_code": VII}, format="json")

    fields = response.json()["error"]["fields"]
    assert response.status_code == 400 and "municipality_code" in fields
    assert f"is in city or municipality {ncr['municipality_code']}" in fields["municipality_code"][0]


def test_a_philsys_number_registered_already_is_refused_naming_the_household_that_has_it(api_client):
    first = register(api_client, members=[MemberPayloadFactory(philsys_number="123456789012")])

    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(
        members=[MemberPayloadFactory(), MemberPayloadFactory(child=True, philsys_number="123456789012")]),
        format="json")

    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["members[1].philsys_number"]
    assert first["household_number"] in message and "123456789012" not in message
    assert Household.objects.count() == 1


def test_a_new_households_members_have_no_id(api_client):
    response = api_client.post("/api/v1/households", HouseholdPayloadFactory(
        members=[MemberPayloadFactory(id=str(uuid.uuid4()))]), format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["members[0].id"]


def test_a_body_that_is_not_json_gets_a_clear_400(api_client):
    response = api_client.post("/api/v1/households", "{oops", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_household_ids_answer_404(api_client):
    missing = uuid.uuid4()
    requests = [("get", ""), ("put", ""), ("patch", ""), ("post", "/deactivate")]
    for method, suffix in requests:
        response = getattr(api_client, method)(f"/api/v1/households/{missing}{suffix}", {}, format="json")
        assert response.status_code == 404
        assert response.json()["error"] == {"status": 404, "code": "not_found",
                                            "message": f"No household with id {missing}."}


def test_there_is_no_delete(api_client):
    household = HouseholdFactory()

    assert api_client.delete(f"/api/v1/households/{household.id}").status_code == 405
    assert Household.objects.filter(pk=household.id).exists()


def test_replacing_the_members_rescores_the_household_and_bumps_its_version(api_client):
    household = register(api_client)
    head, child = household["members"]
    new_members = [{**as_sent(head), "monthly_income": "3000.00"}, MemberPayloadFactory(child=True),
                   MemberPayloadFactory(child=True, birth_date="2019-05-05")]  # the first child moved out
    payload = {**{k: v for k, v in HouseholdPayloadFactory().items() if k != "members"},
               "region_code": household["region_code"], **location_in(household["region_code"]),
               "members": new_members, "change_reason": "census visit"}

    response = api_client.put(f"/api/v1/households/{household['id']}", payload, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["household_size"], body["monthly_income"]) == (2, 3, "3000.00")
    assert body["pmt_score"] != household["pmt_score"]
    assert head["id"] in {m["id"] for m in body["members"]} and child["id"] not in {m["id"] for m in body["members"]}
    updated = OutboxEvent.objects.get(event_type="registry.household.updated")
    assert updated.envelope["data"]["household_size"] == 3 and updated.envelope["data"]["version"] == 2


def test_a_patch_changes_only_what_it_sends(api_client):
    household = register(api_client, phone_number="09171234567")

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"has_electricity": False}, format="json")

    body = response.json()
    assert response.status_code == 200 and body["version"] == 2 and body["has_electricity"] is False
    assert body["pmt_score"] != household["pmt_score"]  # an answer the PMT model scores
    assert body["phone_number"] == household["phone_number"] and len(body["members"]) == 2


def test_a_patch_of_an_answer_the_score_ignores_is_kept_too(api_client):
    household = register(api_client)

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"address": "Purok 7, Brgy. Malinis",
                                                                          "phone_number": "+639171234567"},
                                format="json")

    assert response.status_code == 200 and response.json()["version"] == 2
    stored = Household.objects.get(pk=household["id"])
    assert (stored.address, stored.phone_number, stored.pmt_score) == (
        "Purok 7, Brgy. Malinis", "09171234567", Decimal(household["pmt_score"]))


def test_a_patch_with_members_replaces_the_list_and_a_new_member_is_given_whole(api_client):
    household = register(api_client)
    head = household["members"][0]

    new_partial = api_client.patch(f"/api/v1/households/{household['id']}",
                                   {"members": [{"id": head["id"]}, {"given_name": "Ana"}]}, format="json")
    only_head = api_client.patch(f"/api/v1/households/{household['id']}", {"members": [{"id": head["id"]}]},
                                 format="json")

    assert new_partial.status_code == 400
    assert {"members[1].family_name", "members[1].birth_date"} <= set(new_partial.json()["error"]["fields"])
    assert only_head.status_code == 200 and only_head.json()["household_size"] == 1


def test_a_member_id_of_another_household_is_refused(api_client):
    household, other = register(api_client), register(api_client)
    stranger = as_sent(other["members"][0])

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"members": [stranger]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"members[0].id": ["Not a member of this household."]}


def test_an_update_that_changes_nothing_emits_nothing(api_client):
    household = register(api_client)

    response = api_client.patch(f"/api/v1/households/{household['id']}", {"tenure": household["tenure"]},
                                format="json")

    assert response.status_code == 200 and response.json()["version"] == 1
    assert OutboxEvent.objects.filter(event_type="registry.household.updated").count() == 0


def test_deactivating_keeps_the_household_with_its_reason(api_client):
    household = HouseholdFactory()

    response = api_client.post(f"/api/v1/households/{household.id}/deactivate",
                               {"status": "transferred", "reason": "moved to Cebu"}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["status_reason"], body["version"]) == ("transferred", "moved to Cebu", 2)
    assert OutboxEvent.objects.get(event_type="registry.household.updated").envelope["data"]["status"] == "transferred"


def test_deactivation_needs_a_reason_and_a_status_other_than_active(api_client):
    household = HouseholdFactory()

    no_reason = api_client.post(f"/api/v1/households/{household.id}/deactivate", {"status": "inactive"},
                                format="json")
    active = api_client.post(f"/api/v1/households/{household.id}/deactivate",
                             {"status": "active", "reason": "x", "note": "y"}, format="json")

    assert no_reason.status_code == 400 and set(no_reason.json()["error"]["fields"]) == {"reason"}
    assert active.status_code == 400 and set(active.json()["error"]["fields"]) == {"status", "note"}
    household.refresh_from_db()
    assert household.status == "active" and household.version == 1


def test_the_status_is_not_changed_by_an_update(api_client):
    household = HouseholdFactory()

    response = api_client.patch(f"/api/v1/households/{household.id}", {"status": "graduated"}, format="json")

    assert response.status_code == 400
    assert "/deactivate" in response.json()["error"]["fields"]["status"][0]


def ids(response):
    assert response.status_code == 200, response.content
    return {h["id"] for h in response.json()["results"]}


def test_the_list_filters_by_each_level_of_place(api_client):
    ncr, vii = HouseholdFactory(region_code=NCR), HouseholdFactory(region_code=VII)
    place = location_in(VII)

    for level in ("region_code", "province_code", "municipality_code", "barangay_code"):
        if place[level]:
            assert ids(api_client.get("/api/v1/households", {level: place[level]})) == {str(vii.id)}, level
    assert ids(api_client.get("/api/v1/households", {"region_code": NCR})) == {str(ncr.id)}


def test_the_list_filters_by_status(api_client):
    active, graduated = HouseholdFactory(), HouseholdFactory()
    api_client.post(f"/api/v1/households/{graduated.id}/deactivate", {"status": "graduated", "reason": "job"},
                    format="json")

    assert ids(api_client.get("/api/v1/households", {"status": "graduated"})) == {str(graduated.id)}
    assert ids(api_client.get("/api/v1/households", {"status": "active"})) == {str(active.id)}


def test_the_list_is_searched_by_household_number_or_any_members_name(api_client):
    found = HouseholdFactory(members=[MemberPayloadFactory(given_name="Teodora", family_name="Magbanua"),
                                      MemberPayloadFactory(child=True, given_name="Crisanto", family_name="Dela Cruz")])
    other = HouseholdFactory(members=[MemberPayloadFactory(given_name="Ana", family_name="Santos")])

    assert ids(api_client.get("/api/v1/households", {"search": "crisant"})) == {str(found.id)}
    assert ids(api_client.get("/api/v1/households", {"search": "magbanua"})) == {str(found.id)}
    assert ids(api_client.get("/api/v1/households", {"search": other.household_number.lower()})) == {str(other.id)}


def test_the_list_filters_by_pmt_range_and_update_time_and_orders_as_asked(api_client):
    low = HouseholdFactory(well_off=True)
    mid = HouseholdFactory()
    high = HouseholdFactory(poor=True)
    poorest, middle, richest = sorted([low, mid, high], key=lambda h: h.pmt_score)

    in_range = api_client.get("/api/v1/households", {"pmt_min": str(middle.pmt_score),
                                                     "pmt_max": str(richest.pmt_score), "ordering": "-pmt_score"})
    since = api_client.get("/api/v1/households", {"updated_since": mid.updated_at.isoformat()})

    assert [h["id"] for h in in_range.json()["results"]] == [str(richest.id), str(middle.id)]
    assert ids(since) == {str(mid.id), str(high.id)}


def test_bad_list_filters_are_named_in_a_400(api_client):
    response = api_client.get("/api/v1/households", {"pmt_min": "0.9", "pmt_max": "0.1", "ordering": "name",
                                                      "updated_since": "yesterday", "municipality_code": "1399999999",
                                                      "page_size": "100000", "cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"ordering", "updated_since", "municipality_code", "page_size"}
    assert api_client.get("/api/v1/households", {"cursor": "not-a-cursor"}).json()["error"]["fields"] == {
        "cursor": ["Not a cursor this API gave out: follow `next` or `previous` as they are."]}


@pytest.mark.parametrize("ordering", ["-pmt_score", "household_number", "-created_at"])
def test_cursor_pages_walk_every_household_once_in_the_chosen_order(api_client, ordering):
    HouseholdFactory.create_batch(4)  # the same answers: the same score, ordered by id among themselves
    HouseholdFactory.create_batch(2, poor=True)
    HouseholdFactory(well_off=True)

    seen, url, params = [], "/api/v1/households", {"ordering": ordering, "page_size": 2}
    while url:
        body = api_client.get(url, params).json()
        seen += body["results"]
        url, params = body["next"], None

    assert len(seen) == 7 == len({h["id"] for h in seen})
    field = ordering.lstrip("-")
    values = [h[field] if field != "pmt_score" else Decimal(h[field]) for h in seen]
    assert values == sorted(values, reverse=ordering.startswith("-"))


def test_a_cursor_leads_back_to_the_previous_page(api_client):
    HouseholdFactory.create_batch(5)
    first = api_client.get("/api/v1/households", {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    back = api_client.get(second["previous"]).json()

    assert [h["id"] for h in back["results"]] == [h["id"] for h in first["results"]]
    assert back["previous"] is None and first["previous"] is None


def test_the_api_refuses_anonymous_callers():
    response = APIClient().get("/api/v1/households")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
