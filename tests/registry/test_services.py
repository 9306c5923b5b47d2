"""Registering and changing households with their members through the registry's services."""

from datetime import date
from decimal import Decimal

import pytest

from dsrs.events.models import OutboxEvent
from registry import services
from registry.models import Household, Member
from registry.validation import HouseholdInvalid
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory, as_registration

pytestmark = pytest.mark.django_db


def _members(household):
    return [{"id": m.id, **{f: getattr(m, f) for f in ("given_name", "middle_name", "family_name", "suffix", "sex",
                                                        "birth_date", "relationship", "civil_status", "has_disability",
                                                        "is_pregnant", "attending_school", "occupation",
                                                        "monthly_income", "philsys_number")}}
            for m in household.members.all()]  # the roster: the head first


def test_size_income_and_head_are_derived_from_the_members():
    household = HouseholdFactory(members=[MemberPayloadFactory(given_name="Rosa", family_name="Ramos",
                                                               monthly_income="5000.00"),
                                          MemberPayloadFactory(earner=True, monthly_income="2500.50"),
                                          MemberPayloadFactory(child=True)])
    assert (household.household_size, household.monthly_income, household.per_capita_income) == (
        3, Decimal("7500.50"), Decimal("2500.17"))
    assert household.head_of_household_name == "Rosa Ramos"


def test_the_registered_event_carries_the_facts_eligibility_needs_and_no_personal_data():
    household = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="123456789012", given_name="Rosa"),
                                          MemberPayloadFactory(child=True, has_disability=True)])
    data = OutboxEvent.objects.get(key=str(household.id)).envelope["data"]
    assert data["pmt_model_version"] == 1 and data["barangay_code"] == household.barangay_code
    assert [(m["relationship"], m["sex"], m["has_disability"]) for m in data["members"]] == [
        ("head", "female", False), ("child", "male", True)]
    assert data["members"][0]["age"] == household.members.get(relationship="head").age_on(date.today())
    assert "Rosa" not in str(data) and "123456789012" not in str(data) and "birth_date" not in str(data)


def test_a_members_list_adds_updates_and_removes_members_and_each_change_is_kept():
    household = HouseholdFactory()
    head, child = _members(household)
    newborn = {**MemberPayloadFactory(child=True), "birth_date": date.today(), "monthly_income": Decimal(0)}
    changed = services.household_update(household=household, members=[{**head, "monthly_income": Decimal("6000")},
                                                                       newborn], reason="home visit")
    assert changed.version == 2 and changed.household_size == 2 and changed.monthly_income == Decimal("6000.00")
    assert not Member.objects.filter(pk=child["id"]).exists()
    history = Member.history.filter(history_change_reason="home visit")
    assert sorted(history.values_list("history_type", flat=True)) == ["+", "-", "~"]


def test_a_change_to_nothing_is_not_a_new_version():
    household = HouseholdFactory()
    same = services.household_update(household=household, changes={"tenure": household.tenure},
                                     members=_members(household))
    assert same.version == 1
    assert OutboxEvent.objects.filter(event_type="registry.household.updated").count() == 0


def test_a_member_of_another_household_cannot_be_updated_through_this_one():
    household, other = HouseholdFactory(), HouseholdFactory()
    with pytest.raises(HouseholdInvalid) as refused:
        services.household_update(household=household, members=_members(other))
    assert refused.value.message_dict["members[0].id"] == ["Not a member of this household."]


def test_every_broken_rule_is_reported_with_its_path():
    payload = HouseholdPayloadFactory(roof_material="thatch", assets=["jetski"], members=[
        MemberPayloadFactory(sex="male", is_pregnant=True), MemberPayloadFactory(relationship="head",
                                                                                birth_date="2999-01-01")])
    household, members = as_registration(payload)
    with pytest.raises(HouseholdInvalid) as refused:
        services.household_register(household=household, members=members)
    assert set(refused.value.message_dict) == {"roof_material", "assets", "members", "members[0].is_pregnant",
                                               "members[1].birth_date"}
    assert "2 are" in refused.value.message_dict["members"][0]
    assert not Household.objects.exists() and not OutboxEvent.objects.exists()


def test_a_status_change_needs_a_reason_and_is_announced():
    household = HouseholdFactory()
    with pytest.raises(HouseholdInvalid, match="Say why"):
        services.household_set_status(household=household, status="graduated", reason=" ")
    graduated = services.household_set_status(household=household, status="graduated", reason="income above line")
    assert (graduated.status, graduated.status_reason, graduated.version) == ("graduated", "income above line", 2)
    event = OutboxEvent.objects.get(event_type="registry.household.updated")
    assert event.envelope["data"]["status"] == "graduated"


def test_a_change_of_a_household_field_alone_is_saved_and_announced():
    household = HouseholdFactory()
    moved = services.household_update(household=household, changes={"address": "Purok 9"}, reason="new house")
    assert (Household.objects.get(pk=household.pk).address, moved.version) == ("Purok 9", 2)
    assert OutboxEvent.objects.filter(event_type="registry.household.updated").count() == 1
