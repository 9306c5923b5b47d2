import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from dsrs.events.models import OutboxEvent
from registry.models import Household, Member
from tests.factories import HouseholdFactory, MemberPayloadFactory, location_in
from tests.registry.admin_pages import barangay_elsewhere, form_data, staff_client

pytestmark = pytest.mark.django_db

CENTRAL_LUZON = "0300000000"
CENTRAL_VISAYAS = "0700000000"
CHANGELIST = "/admin/registry/household/"


def change_url(household) -> str:
    return f"{CHANGELIST}{household.pk}/change/"


def listed(page) -> set[str]:
    assert page.status_code == 200
    return {h.household_number for h in page.context["cl"].result_list}


def updated_events(household) -> int:
    return OutboxEvent.objects.filter(event_type="registry.household.updated", key=str(household.pk)).count()


@pytest.fixture
def caseworker(local_transport):
    return staff_client("caseworker", regions=[CENTRAL_LUZON])


def test_the_list_filters_by_province_municipality_and_barangay(caseworker):
    client, _ = caseworker
    home = location_in(CENTRAL_LUZON)
    here = HouseholdFactory(**home)
    other_province = HouseholdFactory(**barangay_elsewhere(home, level="province_code"))
    other_town = HouseholdFactory(**barangay_elsewhere(home, level="municipality_code"))
    other_barangay = HouseholdFactory(**barangay_elsewhere(home, level="barangay_code"))

    by_province = listed(client.get(CHANGELIST, {"province": home["province_code"]}))
    by_town = listed(client.get(CHANGELIST, {"municipality": home["municipality_code"]}))
    by_barangay = listed(client.get(CHANGELIST, {"barangay": home["barangay_code"]}))

    assert by_province == {here.household_number, other_town.household_number, other_barangay.household_number}
    assert by_town == {here.household_number, other_barangay.household_number}
    assert by_barangay == {here.household_number}
    assert other_province.household_number in listed(client.get(CHANGELIST))


def test_the_province_filter_offers_only_provinces_the_caller_has_households_in(caseworker):
    client, _ = caseworker
    home = location_in(CENTRAL_LUZON)
    HouseholdFactory(**home)
    HouseholdFactory(region_code=CENTRAL_VISAYAS)

    page = client.get(CHANGELIST)

    (province_filter,) = [f for f in page.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "province"]
    assert [code for code, _ in province_filter.lookup_choices] == [home["province_code"]]


def test_the_list_filters_by_pmt_range_and_status(caseworker):
    client, _ = caseworker
    poor = HouseholdFactory(region_code=CENTRAL_LUZON, poor=True)
    middle = HouseholdFactory(region_code=CENTRAL_LUZON)
    well_off = HouseholdFactory(region_code=CENTRAL_LUZON, well_off=True)
    Household.objects.filter(pk=middle.pk).update(status=Household.Status.GRADUATED)

    assert (poor.pmt_score, middle.pmt_score, well_off.pmt_score) == (Decimal("0.09"), Decimal("0.41"),
                                                                      Decimal("0.97"))
    assert listed(client.get(CHANGELIST, {"pmt": "lt0.3"})) == {poor.household_number}
    assert listed(client.get(CHANGELIST, {"pmt": "0.3-0.5"})) == {middle.household_number}
    assert listed(client.get(CHANGELIST, {"pmt": "0.5-0.7"})) == set()
    assert listed(client.get(CHANGELIST, {"pmt": "ge0.7"})) == {well_off.household_number}
    assert listed(client.get(CHANGELIST, {"status__exact": "graduated"})) == {middle.household_number}


def test_the_list_is_searched_by_any_members_name_and_by_household_number(caseworker):
    client, _ = caseworker
    found = HouseholdFactory(region_code=CENTRAL_LUZON, members=[
        MemberPayloadFactory(family_name="Santos"), MemberPayloadFactory(child=True, given_name="Wenceslao")])
    other = HouseholdFactory(region_code=CENTRAL_LUZON)

    assert listed(client.get(CHANGELIST, {"q": "wenceslao"})) == {found.household_number}
    assert listed(client.get(CHANGELIST, {"q": other.household_number})) == {other.household_number}


def test_the_change_page_shows_the_members_and_the_pmt_breakdown_with_its_model_version(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON, members=[
        MemberPayloadFactory(given_name="Rosalinda"), MemberPayloadFactory(child=True, given_name="Emmanuel")])

    page = client.get(change_url(household))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Rosalinda" in content and "Emmanuel" in content
    assert '<table class="pmt-breakdown">' in content
    assert "<td>roof_material</td><td>mixed</td><td>+0.0200</td>" in content
    assert "score 0.4100 (kept between 0 and 1) by PMT model v1" in content


def test_editing_a_household_and_a_member_goes_through_the_service(caseworker):
    client, user = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    head = household.members.get(relationship="head")
    data = form_data(client.get(change_url(household)))
    data.update({"roof_material": "strong", "change_reason": "new roof after the typhoon"})
    data[f"members-{0}-monthly_income"] = "6500.00"

    response = client.post(change_url(household), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    household.refresh_from_db()
    head.refresh_from_db()
    assert (household.version, household.roof_material, head.monthly_income) == (2, "strong", Decimal("6500.00"))
    assert household.pmt_score == Decimal("0.4400")  # strong roof 0.05 instead of mixed 0.02
    assert updated_events(household) == 1
    latest = household.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (user, "new roof after the typhoon")
    assert head.history.latest("history_date").history_user == user


def test_changing_only_the_address_is_saved_as_a_new_version(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    data = form_data(client.get(change_url(household)))
    data.update({"address": "Purok 7, near the chapel", "change_reason": "moved within the barangay"})

    client.post(change_url(household), data)

    household.refresh_from_db()
    assert (household.address, household.version, household.pmt_score) == ("Purok 7, near the chapel", 2,
                                                                           Decimal("0.4100"))
    assert updated_events(household) == 1


def test_a_member_added_and_one_removed_in_the_admin_are_saved_together(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    page = client.get(change_url(household))
    data = form_data(page)
    data["members-1-DELETE"] = "on"
    data.update({"members-TOTAL_FORMS": "3", "members-2-given_name": "Lorna", "members-2-family_name": "Cruz",
                 "members-2-sex": "female", "members-2-birth_date": "1950-02-01", "members-2-relationship": "parent",
                 "members-2-civil_status": "widowed", "members-2-monthly_income": "0.00",
                 "members-2-household": str(household.pk)})

    response = client.post(change_url(household), data)

    assert response.status_code == 302
    household.refresh_from_db()
    assert sorted(household.members.values_list("relationship", flat=True)) == ["head", "parent"]
    assert (household.version, household.household_size) == (2, 2)


def test_a_refused_edit_shows_the_services_reasons_on_the_fields_and_saves_nothing(caseworker):
    client, _ = caseworker
    HouseholdFactory(region_code=CENTRAL_LUZON, members=[MemberPayloadFactory(philsys_number="123456789012")])
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    data = form_data(client.get(change_url(household)))
    data.update({"roof_material": "strong", "members-1-philsys_number": "123456789012"})

    page = client.post(change_url(household), data)

    assert page.status_code == 200
    member_errors = page.context["inline_admin_formsets"][0].formset.forms[1].errors
    assert "already registered to a member of household" in member_errors["philsys_number"][0]
    household.refresh_from_db()
    assert (household.version, household.roof_material) == (1, "mixed")
    assert updated_events(household) == 0


def test_two_heads_are_refused_for_the_whole_member_list(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    data = form_data(client.get(change_url(household)))
    data["members-1-relationship"] = "head"

    page = client.post(change_url(household), data)

    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "Exactly one member is the head; 2 are."]
    assert Household.objects.get(pk=household.pk).version == 1


def test_a_household_is_registered_in_the_admin_with_its_head(caseworker):
    client, user = caseworker
    location = location_in(CENTRAL_LUZON)
    data = form_data(client.get(f"{CHANGELIST}add/"))
    data.update({**location, "address": "Purok 2", "roof_material": "light", "wall_material": "light",
                 "tenure": "owned", "water_source": "piped", "toilet_facility": "pit", "has_electricity": "on",
                 "assets": ["smartphone"], "change_reason": "walk-in registration"})
    data.update({"members-0-given_name": "Teresita", "members-0-family_name": "Ocampo", "members-0-sex": "female",
                 "members-0-birth_date": "1970-05-05", "members-0-relationship": "head",
                 "members-0-civil_status": "widowed", "members-0-monthly_income": "3000.00"})

    response = client.post(f"{CHANGELIST}add/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    household = Household.objects.get()
    assert (household.head_of_household_name, household.household_size, household.version) == ("Teresita Ocampo", 1, 1)
    assert household.history.get().history_change_reason == "walk-in registration"
    assert OutboxEvent.objects.filter(event_type="registry.household.registered", key=str(household.pk)).exists()


def test_deactivating_in_the_admin_keeps_the_reason_and_emits_an_event(caseworker):
    client, _ = caseworker
    household, untouched = HouseholdFactory(region_code=CENTRAL_LUZON), HouseholdFactory(region_code=CENTRAL_LUZON)

    response = client.post(CHANGELIST, {"action": "set_status", "_selected_action": [household.pk],
                                        "status": "inactive", "reason": "family moved abroad"}, follow=True)

    household.refresh_from_db()
    assert (household.status, household.status_reason, household.version) == ("inactive", "family moved abroad", 2)
    assert updated_events(household) == 1
    assert Household.objects.get(pk=untouched.pk).status == "active"
    assert "1 of 1 households set to inactive" in str(list(response.context["messages"])[0])


def test_deactivating_without_a_reason_changes_nothing(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)

    response = client.post(CHANGELIST, {"action": "set_status", "_selected_action": [household.pk],
                                        "status": "inactive", "reason": " "}, follow=True)

    assert Household.objects.get(pk=household.pk).status == "active"
    assert "say why" in str(list(response.context["messages"])[0])


def test_recomputing_in_the_admin_corrects_a_stale_score_as_a_new_version(caseworker):
    client, _ = caseworker
    stale, current = HouseholdFactory(region_code=CENTRAL_LUZON), HouseholdFactory(region_code=CENTRAL_LUZON)
    Household.objects.filter(pk=stale.pk).update(pmt_score=Decimal("0.9"))

    response = client.post(CHANGELIST, {"action": "recompute_pmt", "_selected_action": [stale.pk, current.pk]},
                           follow=True)

    stale.refresh_from_db()
    assert (stale.pmt_score, stale.version) == (Decimal("0.4100"), 2)
    assert updated_events(stale) == 1 and updated_events(current) == 0
    assert "PMT recomputed for 2 households; 1 scores changed." in str(list(response.context["messages"])[0])


def test_a_caseworker_neither_sees_nor_changes_a_household_of_another_region(caseworker):
    client, _ = caseworker
    elsewhere = HouseholdFactory(region_code=CENTRAL_VISAYAS)

    listing = client.get(CHANGELIST)
    page = client.get(change_url(elsewhere))
    history = client.get(f"{CHANGELIST}{elsewhere.pk}/history/")
    client.post(CHANGELIST, {"action": "set_status", "_selected_action": [elsewhere.pk], "status": "inactive",
                             "reason": "not mine"})

    assert elsewhere.household_number not in listed(listing)
    assert page.status_code == 302  # the admin's "does not exist" redirect
    assert history.status_code == 404
    assert Household.objects.get(pk=elsewhere.pk).status == "active"


def test_the_history_of_a_household_and_of_its_members_is_shown_with_author_and_reason(caseworker):
    client, user = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    head = household.members.get(relationship="head")
    data = form_data(client.get(change_url(household)))
    # The head's row of the members inline (the roster puts it first; found by id all the same).
    row = next(key.split("-")[1] for key, value in data.items() if key.endswith("-id") and str(getattr(value, "pk", value)) == str(head.pk))
    data.update({f"members-{row}-occupation": "fish vendor", f"members-{row}-monthly_income": "5200.00",
                 "change_reason": "income checked at the home visit"})
    client.post(change_url(household), data)

    change_page = client.get(change_url(household)).content.decode()
    household_history = client.get(f"{CHANGELIST}{household.pk}/history/").content.decode()
    member_history = client.get(f"/admin/registry/member/{head.pk}/history/").content.decode()

    assert f"/admin/registry/member/{head.pk}/history/" in change_page
    for page in (household_history, member_history):
        assert "income checked at the home visit" in page and user.username in page
    assert "fish vendor" in member_history


def test_the_history_hides_numbers_from_whoever_may_not_see_them(local_transport):
    admin, _ = staff_client("admin")
    household = HouseholdFactory(region_code=CENTRAL_LUZON, phone_number="09171112222")
    data = form_data(admin.get(change_url(household)))
    data.update({"phone_number": "09173334444", "roof_material": "strong"})
    assert admin.post(change_url(household), data).status_code == 302
    officer, _ = staff_client("program officer")

    shown_to_admin = admin.get(f"{CHANGELIST}{household.pk}/history/").content.decode()
    shown_to_officer = officer.get(f"{CHANGELIST}{household.pk}/history/").content.decode()

    assert "09173334444" in shown_to_admin
    assert "09173334444" not in shown_to_officer and "09171112222" not in shown_to_officer
    assert "(hidden)" in shown_to_officer


def test_a_past_version_cannot_be_restored_past_the_services(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON)
    version = household.history.get()

    response = client.post(f"{CHANGELIST}{household.pk}/history/{version.history_id}/", {"address": "elsewhere"})

    assert response.status_code == 403
    assert Household.objects.get(pk=household.pk).address == household.address


def test_members_philsys_numbers_stay_off_the_page_without_the_permission(local_transport):
    officer, user = staff_client("program officer")
    user.user_permissions.add(Permission.objects.get(codename="view_member"))
    household = HouseholdFactory(region_code=CENTRAL_LUZON,
                                 members=[MemberPayloadFactory(philsys_number="123456789012")])

    page = officer.get(change_url(household))

    assert page.status_code == 200
    assert b"Given name" in page.content  # the members are shown ...
    assert b"123456789012" not in page.content and b"philsys_number" not in page.content  # ... without the number
    assert Member.objects.get().philsys_number == "123456789012"


def test_a_members_page_is_read_only_and_in_the_callers_regions_only(caseworker):
    client, _ = caseworker
    here = HouseholdFactory(region_code=CENTRAL_LUZON).members.first()
    elsewhere = HouseholdFactory(region_code=CENTRAL_VISAYAS).members.first()

    page = client.get(f"/admin/registry/member/{here.pk}/change/")
    refused = client.post(f"/admin/registry/member/{here.pk}/change/", {"given_name": "Changed"})

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert refused.status_code == 403 and Member.objects.get(pk=here.pk).given_name == here.given_name
    assert client.get(f"/admin/registry/member/{elsewhere.pk}/history/").status_code == 404


def test_a_child_made_head_is_refused_on_its_row_and_an_emancipated_minor_head_is_saved(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON, members=[
        MemberPayloadFactory(), MemberPayloadFactory(child=True, relationship="sibling",
                                                     birth_date=f"{date.today().year - 16}-01-01")])
    data = form_data(client.get(change_url(household)))
    data.update({"members-0-relationship": "parent", "members-1-relationship": "head"})  # the head moved away

    refused = client.post(change_url(household), data)
    saved = client.post(change_url(household), {**data, "members-1-emancipated": "on"})

    errors = refused.context["inline_admin_formsets"][0].formset.forms[1].errors
    assert errors["birth_date"][0].startswith("The head is 16: a head is an adult (18 or more)")
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert Household.objects.get(pk=household.pk).members.get(relationship="head").emancipated is True


def test_every_history_link_on_the_change_page_answers_including_none_for_the_empty_member_row(caseworker):
    client, _ = caseworker
    household = HouseholdFactory(region_code=CENTRAL_LUZON, members=[MemberPayloadFactory(), MemberPayloadFactory(child=True)])

    page = client.get(change_url(household)).content.decode()

    links = set(re.findall(r'href="(/admin/registry/member/[^"]+/history/)"', page))
    assert links == {f"/admin/registry/member/{m.pk}/history/" for m in household.members.all()}
    assert all(client.get(link).status_code == 200 for link in links)
