"""The registry's rules (`registry/validation.py`), the one place every way in is checked by."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from registry import demo
from registry.models import Household, Member
from registry.validation import MAX_MEMBERS, MAX_MONTHLY_INCOME, household_errors
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory, as_registration

TODAY = date(2026, 12, 1)


def born(years: int) -> date:
    """The birth date of someone who turns `years` on TODAY."""
    return date(TODAY.year - years, TODAY.month, TODAY.day)


def errors_of(*members: dict, **household) -> dict[str, str]:
    fields, typed = as_registration(HouseholdPayloadFactory(members=list(members), **household))
    return household_errors(fields, typed, today=TODAY)


def head(**fields) -> dict:
    return MemberPayloadFactory(**fields)


def child(**fields) -> dict:
    return MemberPayloadFactory(child=True, **fields)


def test_a_valid_household_breaks_no_rule():
    assert errors_of(head(), child()) == {}


@pytest.mark.parametrize("age", [3, 14])
def test_a_child_is_no_head_of_household(age):
    errors = errors_of(head(birth_date=born(age), civil_status="single"))

    assert list(errors) == ["members[0].birth_date"]
    assert errors["members[0].birth_date"].startswith(f"The head is {age}: a head is an adult (18 or more)")


def test_a_minor_head_is_accepted_when_marked_emancipated_from_15_and_an_adult_needs_no_mark():
    orphans = [head(birth_date=born(16), civil_status="single", emancipated=True), child(birth_date=born(12))]

    assert errors_of(*orphans) == {}
    assert list(errors_of(head(birth_date=born(16), civil_status="single"))) == ["members[0].birth_date"]
    assert list(errors_of(head(birth_date=born(14), civil_status="single", emancipated=True))) == [
        "members[0].birth_date"]
    assert errors_of(head(birth_date=born(18))) == {}


def test_only_the_head_is_marked_emancipated():
    errors = errors_of(head(), child(birth_date=born(16), emancipated=True))

    assert errors == {"members[1].emancipated": "Only the head of the household is recorded as an emancipated minor."}


@pytest.mark.parametrize("age, civil_status, fits", [
    (2, "married", False), (17, "married", False), (17, "widowed", False), (16, "separated", False),
    (14, "live_in", False), (15, "live_in", True), (17, "single", True), (18, "married", True),
])
def test_the_civil_status_fits_the_age(age, civil_status, fits):
    errors = errors_of(head(), child(birth_date=born(age), civil_status=civil_status))

    assert ("members[1].civil_status" not in errors) is fits, errors


@pytest.mark.parametrize("value, problem", [
    ("yes", "Say true or false."), (1, "Say true or false."), (None, "Say true or false."),
])
def test_a_flag_is_true_or_false_and_nothing_else(value, problem):
    assert errors_of(head(), child(), has_electricity=value)["has_electricity"] == problem
    assert errors_of(head(is_pregnant=value))["members[0].is_pregnant"] == problem


def test_codes_and_texts_are_text():
    payload = HouseholdPayloadFactory(region_code="1300000000")
    fields, members = as_registration(payload)

    errors = household_errors({**fields, "region_code": 1300000000, "address": 12}, members, today=TODAY)

    assert errors["region_code"].startswith("A 10-digit PSGC code, as text")
    assert errors["address"] == "Text expected."
    typed = [{**members[0], "given_name": 7, "philsys_number": 123456789012}, *members[1:]]
    errors = household_errors(fields, typed, today=TODAY)
    assert errors["members[0].given_name"] == errors["members[0].philsys_number"] == "Text expected."


@pytest.mark.parametrize("text", ["Purok\x00 3", "Purok \ud800"])
def test_a_text_that_could_not_be_stored_is_refused(text):
    errors = errors_of(head(given_name=text), child(), address=text)

    assert errors["address"] == errors["members[0].given_name"] == (
        "Holds a character that cannot be stored (NUL or an unpaired surrogate).")


def test_a_birth_date_is_a_date_not_a_moment():
    fields, members = as_registration(HouseholdPayloadFactory(members=[head()]))

    errors = household_errors(fields, [{**members[0], "birth_date": datetime(1986, 4, 12, 10, 0)}], today=TODAY)

    assert errors == {"members[0].birth_date": "A date, YYYY-MM-DD."}


@pytest.mark.parametrize("income", [Decimal("-0"), Decimal("-0.00"), Decimal("-1"), Decimal("0.001"),
                                    Decimal("NaN"), Decimal("Infinity"), MAX_MONTHLY_INCOME + Decimal("0.01"),
                                    "4000.00", 4000.0, True])
def test_an_income_is_a_decimal_amount_without_sign_within_the_bound(income):
    fields, members = as_registration(HouseholdPayloadFactory(members=[head()]))

    errors = household_errors(fields, [{**members[0], "monthly_income": income}], today=TODAY)

    assert list(errors) == ["members[0].monthly_income"]


@pytest.mark.parametrize("income", [Decimal(0), Decimal("0.00"), 0, 4000, Decimal("1E+2"), MAX_MONTHLY_INCOME])
def test_an_income_within_the_bound_is_accepted(income):
    fields, members = as_registration(HouseholdPayloadFactory(members=[head()]))

    assert household_errors(fields, [{**members[0], "monthly_income": income}], today=TODAY) == {}


def test_the_largest_household_at_the_highest_income_fits_every_column_its_incomes_are_kept_in():
    total = Household._meta.get_field("monthly_income")
    largest = Decimal(10) ** (total.max_digits - total.decimal_places) - Decimal("0.01")
    assert MAX_MEMBERS * MAX_MONTHLY_INCOME <= largest
    member = Member._meta.get_field("monthly_income")
    assert (member.max_digits, member.decimal_places) == (total.max_digits, total.decimal_places)


def test_the_same_member_twice_is_refused_naming_the_second():
    member_id = "6f1c1d1e-8a52-4a47-9c57-1b6f0f0b9a01"
    errors = errors_of(head(id=member_id), child(id=member_id.upper()))

    assert errors == {"members[1].id": "The same member as members[0]: list each member once."}


@pytest.mark.parametrize("poor", [False, True])
def test_the_demo_generator_makes_households_that_break_no_rule(poor):
    households = demo.Households(seed=8, poor=poor)

    broken = [errors for errors in (household_errors(*households.next(), today=households.today) for _ in range(500))
              if errors]

    assert broken == []
