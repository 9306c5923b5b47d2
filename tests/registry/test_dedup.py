"""Deduplication: the same PhilSys number twice is refused, naming the record that has it; a
probable duplicate (alike names, same birth date, same barangay) is queued for review, never merged."""

import pytest

from registry import services
from registry.models import DuplicateCandidate, Household
from registry.validation import HouseholdInvalid
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory, as_registration

pytestmark = pytest.mark.django_db


def _register(payload):
    household, members = as_registration(payload)
    return services.household_register(household=household, members=members)


def test_a_philsys_number_registered_already_is_refused_naming_the_household_that_has_it():
    first = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="123456789012")])
    household, members = as_registration(HouseholdPayloadFactory(members=[
        MemberPayloadFactory(philsys_number="123456789012")]))
    with pytest.raises(HouseholdInvalid) as refused:  # by a caller who may see every region
        services.household_register(household=household, members=members, regions=None)
    (message,) = refused.value.message_dict["members[0].philsys_number"]
    assert first.household_number in message
    assert "123456789012" not in message  # the number itself never appears in a message
    assert Household.objects.count() == 1


def test_the_database_refuses_a_second_record_of_one_philsys_number_even_past_the_service():
    from django.db import IntegrityError, transaction

    from registry.models import Member

    first = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="123456789012")])
    second = HouseholdFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(household=second).update(philsys_index=first.members.get().philsys_index)


def test_a_probable_duplicate_is_queued_for_review_and_both_households_stay():
    HouseholdFactory(members=[MemberPayloadFactory(given_name="Maria Luz", family_name="Dela Cruz",
                                                   birth_date="1980-02-14")], region_code="0700000000")
    later = _register(HouseholdPayloadFactory(
        members=[MemberPayloadFactory(given_name="Ma. Luz", family_name="dela Cruz", birth_date="1980-02-14")],
        region_code="0700000000"))
    (flag,) = DuplicateCandidate.objects.all()
    assert flag.member.household == later and flag.status == "pending"
    assert flag.similarity >= 88 and "same birth date and barangay" in flag.reason
    assert Household.objects.filter(status="active").count() == 2


@pytest.mark.parametrize("difference", [{"birth_date": "1980-02-15"}, {"given_name": "Josefina", "family_name": "Ramos"}])
def test_another_birth_date_or_other_names_are_not_flagged(difference):
    HouseholdFactory(members=[MemberPayloadFactory(given_name="Maria Luz", family_name="Dela Cruz",
                                                   birth_date="1980-02-14")], region_code="0700000000")
    HouseholdFactory(members=[MemberPayloadFactory(**{"given_name": "Maria Luz", "family_name": "Dela Cruz",
                                                      "birth_date": "1980-02-14", **difference})],
                     region_code="0700000000")
    assert not DuplicateCandidate.objects.exists()


def test_the_same_person_in_another_barangay_is_not_flagged():
    person = {"given_name": "Maria Luz", "family_name": "Dela Cruz", "birth_date": "1980-02-14"}
    HouseholdFactory(members=[MemberPayloadFactory(**person)], region_code="0700000000")
    HouseholdFactory(members=[MemberPayloadFactory(**person)], region_code="0800000000")
    assert not DuplicateCandidate.objects.exists()


def test_two_new_households_of_one_call_are_flagged_once():
    person = {"given_name": "Maria Luz", "family_name": "Dela Cruz", "birth_date": "1980-02-14"}
    entries = []
    for _ in range(2):
        household, members = as_registration(HouseholdPayloadFactory(members=[MemberPayloadFactory(**person)],
                                                                     region_code="0700000000"))
        entries.append({"household": household, "members": members})
    result = services.households_register_many(entries=entries)
    assert result.duplicates_flagged == 1
    (flag,) = DuplicateCandidate.objects.all()
    assert flag.member.household == result.households[1] and flag.matches.household == result.households[0]


def test_confirming_a_duplicate_deactivates_the_later_household_with_the_reason():
    from tests.conftest import user_with_role

    person = {"given_name": "Maria Luz", "family_name": "Dela Cruz", "birth_date": "1980-02-14"}
    earlier = HouseholdFactory(members=[MemberPayloadFactory(**person)], region_code="0700000000")
    later = HouseholdFactory(members=[MemberPayloadFactory(**person)], region_code="0700000000")
    supervisor = user_with_role("supervisor")
    services.duplicate_review(candidate=DuplicateCandidate.objects.get(), confirmed=True, user=supervisor)
    later.refresh_from_db()
    assert later.status == "inactive" and earlier.household_number in later.status_reason
    assert Household.objects.get(pk=earlier.pk).status == "active"
