"""Whatever the registry's rules accept, the real service stores, publishes within the event contract
(checked by `publish` itself) and reads back as given; whatever they refuse, the service refuses with
the same field paths. Households drawn by hypothesis, valid and not, with the edge values that broke
before: negative zero, the highest incomes, texts that cannot be stored, wrong types."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dsrs.events.models import OutboxEvent
from registry import services
from registry.api.serializers import HouseholdOutputSerializer
from registry.models import Household, canonical_number
from registry.validation import (HOUSEHOLD_CHOICES, HOUSEHOLD_FIELDS, MAX_MEMBERS, MAX_MONTHLY_INCOME, MEMBER_CHOICES,
                                 MEMBER_FIELDS, HouseholdInvalid, household_errors)
from tests.factories import location_in

pytestmark = pytest.mark.django_db

PLACES = [location_in(region) for region in ("1300000000", "0700000000", "1000000000")]
TODAY = date.today()


ADULT = date(TODAY.year - 18, 1, 1)
digits = "0123456789"
# Valid values, and values that once broke (or might break) a way in: negative zero, the highest
# incomes and just above, texts that cannot be stored, values of the wrong type.
amounts = st.one_of(st.decimals(min_value=0, max_value=MAX_MONTHLY_INCOME, places=2), st.integers(0, 10 ** 6),
                    st.sampled_from([Decimal(0), Decimal("1E+2"), Decimal("0E-10"), MAX_MONTHLY_INCOME,
                                     Decimal("-0"), Decimal("-0.00")]))  # a zero with a sign: refused
WRONG = [None, 1, 0, "yes", "", 1.5, ["x"], True]
BAD = {
    "monthly_income": [Decimal("-0"), Decimal("-0.00"), Decimal("-0E+3"), Decimal("-1"), Decimal("0.005"),
                       MAX_MONTHLY_INCOME + Decimal("0.01"), Decimal("9999999999.99"), Decimal("NaN"),
                       Decimal("Infinity"), Decimal("1E+30"), "4000.00", 4000.0, True, None],
    "birth_date": [date(1850, 1, 1), date(2100, 1, 1), TODAY, datetime(1990, 1, 1, 8, 0), "1990-01-01", None],
    "text": ["a\x00b", "\ud800", "x" * 501, "", " ", 7, None, True],
    "code": [1300000000, "13", "9900000000", "", None],
    "choice": ["", "unknown", 1, None],
    "flag": WRONG,
    "assets": [["gold"], None, ("car",), "car"],
    "number": ["1234", "1234567890123", 123456789012, "x" * 40],
}
HOUSEHOLD_KINDS = {"address": "text", "region_code": "code", "province_code": "code", "municipality_code": "code",
                   "barangay_code": "code", **{field: "choice" for field in HOUSEHOLD_CHOICES},
                   "has_electricity": "flag", "assets": "assets", "phone_number": "number",
                   "payout_account": "number"}
MEMBER_KINDS = {"given_name": "text", "middle_name": "text", "family_name": "text", "suffix": "text",
                "occupation": "text", **{field: "choice" for field in MEMBER_CHOICES}, "birth_date": "birth_date",
                "has_disability": "flag", "is_pregnant": "flag", "attending_school": "flag", "emancipated": "flag",
                "monthly_income": "monthly_income", "philsys_number": "number"}


def text(limit: int, *, required: bool = False):
    return st.text(min_size=int(required), max_size=limit).filter(lambda t: not required or t.strip())


@st.composite
def members(draw, *, head: bool):
    return {
        "given_name": draw(text(100, required=True)), "middle_name": draw(text(100)),
        "family_name": draw(text(100, required=True)), "suffix": draw(text(10)),
        "sex": draw(st.sampled_from(MEMBER_CHOICES["sex"])),
        "birth_date": draw(st.dates(min_value=date(1900, 1, 1), max_value=ADULT if head else TODAY)),
        "relationship": "head" if head else draw(st.sampled_from(MEMBER_CHOICES["relationship"][1:])),
        "civil_status": draw(st.sampled_from(["single", "single", *MEMBER_CHOICES["civil_status"]])),
        "has_disability": draw(st.booleans()), "is_pregnant": draw(st.sampled_from([False, False, True])),
        "attending_school": draw(st.booleans()), "occupation": draw(text(100)), "monthly_income": draw(amounts),
        "philsys_number": draw(st.one_of(st.none(), st.just(""), st.text(digits, min_size=12, max_size=12),
                                         st.text(digits, min_size=16, max_size=16))),
        **draw(st.sampled_from([{}, {}, {"emancipated": False}, {"emancipated": True}])),  # left out: False
    }


@st.composite
def households(draw):
    """A valid household with its members, then, in about half of them, one to three values broken."""
    household = {
        "address": draw(text(500, required=True)), **draw(st.sampled_from(PLACES)),
        **{field: draw(st.sampled_from(options)) for field, options in HOUSEHOLD_CHOICES.items()},
        "has_electricity": draw(st.booleans()),
        "assets": draw(st.lists(st.sampled_from(["television", "car", "smartphone"]), max_size=3)),
        "phone_number": draw(st.one_of(st.none(), st.just(""), st.from_regex(r"\A(\+639|09)[0-9]{9}\Z"))),
        "payout_account": draw(st.one_of(st.none(), st.just(""), st.from_regex(r"\A[0-9A-Za-z]{6,34}\Z"))),
    }
    roster = [draw(members(head=True)), *draw(st.lists(members(head=False), max_size=4))]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        position = draw(st.integers(-1, len(roster) - 1))
        target, kinds = (household, HOUSEHOLD_KINDS) if position < 0 else (roster[position], MEMBER_KINDS)
        field = draw(st.sampled_from(sorted(kinds)))
        target[field] = draw(st.sampled_from(BAD[kinds[field]]))
    return household, roster


def _biggest_household():
    place = PLACES[0]
    household = {"address": "Purok 1", **place, "roof_material": "light", "wall_material": "light",
                 "tenure": "informal", "water_source": "unprotected", "toilet_facility": "none",
                 "has_electricity": False, "assets": [], "phone_number": None, "payout_account": None}
    adult = {"given_name": "Ana", "middle_name": "", "family_name": "Cruz", "suffix": "", "sex": "female",
             "birth_date": date(1980, 1, 1), "civil_status": "single", "has_disability": False,
             "is_pregnant": False, "attending_school": False, "occupation": "",
             "monthly_income": MAX_MONTHLY_INCOME, "philsys_number": None}
    return household, [{**adult, "relationship": "head"}] + [{**adult, "relationship": "sibling"}] * (MAX_MEMBERS - 1)


def _read_back(household: Household) -> tuple[dict, list[tuple]]:
    """The household's fields and its members' as the database gives them back, rendered as an answer."""
    stored = Household.objects.get(pk=household.pk)
    assert HouseholdOutputSerializer(stored, context={"unmasked": ()}).data["id"] == str(stored.pk)
    own = [tuple(getattr(member, name) for name in MEMBER_FIELDS) for member in stored.members.all()]
    return {name: getattr(stored, name) for name in (*HOUSEHOLD_FIELDS, "monthly_income")}, sorted(own, key=repr)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@example(entry=_biggest_household())
@example(entry=(_biggest_household()[0], [{**_biggest_household()[1][0], "monthly_income": Decimal("-0")}]))
@given(entry=households())
def test_what_the_rules_accept_is_stored_published_within_its_contract_and_read_back(entry):
    household, given_members = entry
    errors = household_errors(household, given_members, today=timezone.localdate())
    event("refused" if errors else "accepted")
    with transaction.atomic():
        try:
            registered = services.household_register(household=household, members=given_members)
        except HouseholdInvalid as refused:
            assert errors, f"the service refused what the rules accept: {refused.message_dict}"
            assert set(refused.message_dict) == set(errors)
            transaction.set_rollback(True)
            return
        assert not errors, f"the service registered what the rules refuse: {errors}"
        (published,) = OutboxEvent.objects.filter(key=str(registered.pk))  # `publish` checked it against v2

        fields, own = _read_back(registered)

        total = sum((Decimal(m.get("monthly_income", 0)) for m in given_members), Decimal(0))
        assert fields == {**household, "monthly_income": total,
                          **{name: canonical_number(name, household[name]) for name in ("phone_number",
                                                                                        "payout_account")}}
        assert own == sorted((tuple(m[name] or None if name == "philsys_number" else m.get(name, False)
                                    for name in MEMBER_FIELDS) for m in given_members), key=repr)
        assert Decimal(published.envelope["data"]["monthly_income"]) == total
        transaction.set_rollback(True)
