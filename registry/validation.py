"""The registry's rules for a household and its members, checked the same way for every way in
(API, admin, bulk import, seed): plain dicts in, every broken rule out, keyed by field path
(`members[2].birth_date`), each message saying what is expected and never repeating a number.

Whatever these rules accept the services store, read back and publish within the event contracts
(a property test holds them to it): a field left out takes the model's default; a field given is of
its own type (text a str, a flag a bool, an amount a Decimal or an int, a date a date; None only for
the numbers, which may be empty), and every value is bounded so that all derived from it fits.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from . import geography
from .models import (ACCOUNT, LARGEST_AMOUNT, PHILSYS, PHONE, Asset, Household, Member, RoofMaterial, Tenure,
                     ToiletFacility, WallMaterial, WaterSource, age_on)

MAX_MEMBERS = 50
# Read once: a choices class builds its `values` list anew on every access.
HOUSEHOLD_CHOICES = {
    "roof_material": tuple(RoofMaterial.values),
    "wall_material": tuple(WallMaterial.values),
    "tenure": tuple(Tenure.values),
    "water_source": tuple(WaterSource.values),
    "toilet_facility": tuple(ToiletFacility.values),
}
MEMBER_CHOICES = {
    "sex": tuple(Member.Sex.values),
    "relationship": tuple(Member.Relationship.values),
    "civil_status": tuple(Member.CivilStatus.values),
}
ASSETS = tuple(Asset.values)
MEMBER_NAMES = {"given_name": 100, "middle_name": 100, "family_name": 100, "suffix": 10, "occupation": 100}
REQUIRED_NAMES = ("given_name", "family_name")
HOUSEHOLD_FIELDS = ("address", "region_code", "province_code", "municipality_code", "barangay_code",
                    *HOUSEHOLD_CHOICES, "has_electricity", "assets", "phone_number", "payout_account")
MEMBER_FLAGS = ("has_disability", "is_pregnant", "attending_school", "emancipated")
MEMBER_FIELDS = (*MEMBER_NAMES, *MEMBER_CHOICES, "birth_date", *MEMBER_FLAGS, "monthly_income", "philsys_number")

# Ages the rules of a member's role and civil status go by (Philippine law):
ADULT_AGE = 18  # majority (RA 6809): a head of household is an adult ...
EMANCIPATED_HEAD_AGE = 15  # ... or a minor living on their own, marked `emancipated`, not under the minimum
#                            age of employment (RA 9231), e.g. the eldest of orphaned siblings
MARRIAGE_AGE = 18  # the minimum age of marriage (Family Code art. 5, RA 11596): below it, never married,
#                    widowed or separated
LIVE_IN_AGE = 15  # below it, single: a live-in partner is at least of the age of an emancipated head
NEVER_MARRIED = (Member.CivilStatus.SINGLE, Member.CivilStatus.LIVE_IN)


_CENT = Decimal("0.01")
# A member's income is bounded so that MAX_MEMBERS of them still add up to an amount the household's
# income column (and every copy of it: history, events, assessments) holds: 199,999,999.99 a month.
MAX_MONTHLY_INCOME = (LARGEST_AMOUNT / MAX_MEMBERS).quantize(_CENT, rounding=ROUND_DOWN)
# NUL and unpaired surrogates: PostgreSQL refuses them and UTF-8 cannot encode them, so a text holding
# one could be neither stored nor answered.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class HouseholdInvalid(ValidationError):
    """The household or its members break rules; `message_dict` maps each field path to its reasons."""


def _choice_error(value, choices) -> str | None:
    return None if value in choices else f"'{value}' is not one of: {', '.join(choices)}."


def _text_error(value, *, limit: int, required: str | None = None) -> str | None:
    """Why `value` is not a text of at most `limit` characters (and not blank, with `required` the
    message for a blank one), or None."""
    if required and (value is None or isinstance(value, str) and not value.strip()):
        return required
    if not isinstance(value, str):
        return "Text expected."
    if len(value) > limit:
        return f"At most {limit} characters."
    if _UNSTORABLE.search(value):
        return "Holds a character that cannot be stored (NUL or an unpaired surrogate)."
    return None


def _pattern_error(validator, value) -> str | None:
    if isinstance(value, str) and validator.regex.search(value):  # the validator's own test, without its call
        return None
    if not isinstance(value, str):
        return "Text expected."
    try:
        validator(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def _household_field_errors(household: dict) -> dict[str, str]:
    errors = {}
    unknown = sorted(set(household) - set(HOUSEHOLD_FIELDS))
    errors.update({name: "Unknown field." for name in unknown})
    if problem := _text_error(household.get("address"), limit=500,
                              required="Give the house number, street, purok or sitio."):
        errors["address"] = problem
    for field, choices in HOUSEHOLD_CHOICES.items():
        if problem := _choice_error(household.get(field), choices):
            errors[field] = problem
    if not isinstance(household.get("has_electricity"), bool):
        errors["has_electricity"] = "Say true or false."
    assets = household.get("assets", [])
    if not isinstance(assets, list) or any(asset not in ASSETS for asset in assets):
        errors["assets"] = f"A list of asset codes, each one of: {', '.join(ASSETS)}."
    for field, validator in (("phone_number", PHONE), ("payout_account", ACCOUNT)):
        if household.get(field) and (problem := _pattern_error(validator, household[field])):
            errors[field] = problem
    codes = {level: household.get(level, "") for level in
             ("region_code", "province_code", "municipality_code", "barangay_code")}
    missing = [level for level in ("region_code", "municipality_code", "barangay_code") if not codes[level]]
    errors.update({level: "Required: a 10-digit PSGC code." for level in missing})
    not_text = [level for level, code in codes.items() if not isinstance(code, str)]
    errors.update({level: "A 10-digit PSGC code, as text (a number loses its leading zeros)." for level in not_text})
    if not (missing or not_text):
        errors.update(geography.location_errors(**codes))
    return errors


_MEMBER_KEYS = frozenset({*MEMBER_FIELDS, "id"})
_INCOME_RULE = f"An amount from 0 to {MAX_MONTHLY_INCOME:,} with at most 2 decimals, without a sign."


def _income_error(value) -> str | None:
    """Why `value` is not a member's monthly income as the services store it, or None: a Decimal or
    an integer (never a text, a float or a flag), and no negative zero, which reads back as 0 but
    would be published as -0.00."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return "An amount, as a decimal number."
    try:
        income = Decimal(value)
        if income.is_signed() or income > MAX_MONTHLY_INCOME or income != income.quantize(_CENT):
            return _INCOME_RULE
    except InvalidOperation:  # NaN, infinity, or too many digits to quantize
        return _INCOME_RULE
    return None


def _age_errors(member: dict, age: int) -> dict[str, str]:
    """A head is an adult or an emancipated minor; the civil status fits the age."""
    errors = {}
    if member.get("relationship") == Member.Relationship.HEAD:
        if age < EMANCIPATED_HEAD_AGE or (age < ADULT_AGE and member.get("emancipated") is not True):
            errors["birth_date"] = (f"The head is {age}: a head is an adult ({ADULT_AGE} or more), or a minor of "
                                    f"{EMANCIPATED_HEAD_AGE} or more living on their own, marked emancipated; "
                                    "check the birth date or who is the head.")
    elif member.get("emancipated") is True:
        errors["emancipated"] = "Only the head of the household is recorded as an emancipated minor."
    civil_status = member.get("civil_status")
    if age < MARRIAGE_AGE and civil_status in MEMBER_CHOICES["civil_status"] and civil_status not in NEVER_MARRIED:
        errors["civil_status"] = (f"A member aged {age} has never married (the minimum age of marriage is "
                                  f"{MARRIAGE_AGE}): single, or live_in from {LIVE_IN_AGE}.")
    elif age < LIVE_IN_AGE and civil_status == Member.CivilStatus.LIVE_IN:
        errors["civil_status"] = f"A member aged {age} is single (live_in from {LIVE_IN_AGE})."
    return errors


def _member_errors(member: dict, *, today: date) -> dict[str, str]:
    unknown = member.keys() - _MEMBER_KEYS
    errors = {name: "Unknown field." for name in sorted(unknown)} if unknown else {}
    for field, limit in MEMBER_NAMES.items():
        required = "Required." if field in REQUIRED_NAMES else None
        if problem := _text_error(member.get(field, ""), limit=limit, required=required):
            errors[field] = problem
    for field, choices in MEMBER_CHOICES.items():
        if problem := _choice_error(member.get(field), choices):
            errors[field] = problem
    for field in MEMBER_FLAGS:
        if not isinstance(member.get(field, False), bool):
            errors[field] = "Say true or false."
    birth_date = member.get("birth_date")
    if not isinstance(birth_date, date) or isinstance(birth_date, datetime):
        errors["birth_date"] = "A date, YYYY-MM-DD."
    elif birth_date > today:
        errors["birth_date"] = "Lies in the future."
    elif birth_date.year < 1900:
        errors["birth_date"] = "Before 1900: check the year."
    elif member.get("is_pregnant"):
        if member.get("sex") != Member.Sex.FEMALE:
            errors["is_pregnant"] = "Only a female member can be pregnant."
        elif not 9 <= age_on(birth_date, today) <= 60:
            errors["is_pregnant"] = "Pregnancy is recorded for members aged 9 to 60; check the birth date."
    if "birth_date" not in errors:
        errors.update({field: problem for field, problem in _age_errors(member, age_on(birth_date, today)).items()
                       if field not in errors})
    if "monthly_income" in member and (problem := _income_error(member["monthly_income"])):
        errors["monthly_income"] = problem
    if member.get("philsys_number") and (problem := _pattern_error(PHILSYS, member["philsys_number"])):
        errors["philsys_number"] = problem
    return errors


def household_errors(household: dict, members: list[dict], *, today: date) -> dict[str, str]:
    """Every rule the household and its members break, by field path; empty if none."""
    errors = _household_field_errors(household)
    if not members:
        errors["members"] = "A household has at least one member, its head."
        return errors
    if len(members) > MAX_MEMBERS:
        errors["members"] = f"At most {MAX_MEMBERS} members."
    heads = [m for m in members if m.get("relationship") == Member.Relationship.HEAD]
    if len(heads) != 1:
        errors["members"] = f"Exactly one member is the head; {len(heads)} are."
    seen_numbers, seen_ids = {}, {}
    for position, member in enumerate(members):
        for field, problem in _member_errors(member, today=today).items():
            errors[f"members[{position}].{field}"] = problem
        number = member.get("philsys_number")
        if number and isinstance(number, str) and number in seen_numbers:
            errors[f"members[{position}].philsys_number"] = (
                f"The same PhilSys number as members[{seen_numbers[number]}].")
        seen_numbers.setdefault(number, position)
        if member.get("id"):
            given_id = member_id(member["id"])
            if given_id is None:
                errors[f"members[{position}].id"] = "Not a member id (a UUID)."
            elif given_id in seen_ids:
                errors[f"members[{position}].id"] = (f"The same member as members[{seen_ids[given_id]}]: "
                                                     "list each member once.")
            seen_ids.setdefault(given_id, position)
    return errors


def member_id(value) -> uuid.UUID | None:
    """A member id given as a UUID or its text, or None if it is neither."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def household_check(household: dict, members: list[dict], *, today: date) -> None:
    if errors := household_errors(household, members, today=today):
        raise HouseholdInvalid({path: [message] for path, message in errors.items()})


def household_values(household: Household) -> dict:
    """A saved household's fields as the rules above read them."""
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


def member_values(member: Member) -> dict:
    return {name: getattr(member, name) for name in MEMBER_FIELDS}
