"""The registry's rules for a household and its members, checked the same way for every way in
(API, admin, bulk import, seed): plain dicts in, every broken rule out, keyed by field path
(`members[2].birth_date`), each message saying what is expected and never repeating a number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from . import geography
from .models import (ACCOUNT, PHILSYS, PHONE, Asset, Household, Member, RoofMaterial, Tenure, ToiletFacility,
                     WallMaterial, WaterSource, age_on)

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
MEMBER_FIELDS = (*MEMBER_NAMES, *MEMBER_CHOICES, "birth_date", "has_disability", "is_pregnant", "attending_school",
                 "monthly_income", "philsys_number")
MEMBER_FLAGS = ("has_disability", "is_pregnant", "attending_school")


class HouseholdInvalid(ValidationError):
    """The household or its members break rules; `message_dict` maps each field path to its reasons."""


def _choice_error(value, choices) -> str | None:
    return None if value in choices else f"'{value}' is not one of: {', '.join(choices)}."


def _pattern_error(validator, value) -> str | None:
    if isinstance(value, str) and validator.regex.search(value):  # the validator's own test, without its call
        return None
    try:
        validator(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def _household_field_errors(household: dict) -> dict[str, str]:
    errors = {}
    unknown = sorted(set(household) - set(HOUSEHOLD_FIELDS))
    errors.update({name: "Unknown field." for name in unknown})
    address = household.get("address") or ""
    if not str(address).strip():
        errors["address"] = "Give the house number, street, purok or sitio."
    elif len(address) > 500:
        errors["address"] = "At most 500 characters."
    for field, choices in HOUSEHOLD_CHOICES.items():
        if problem := _choice_error(household.get(field), choices):
            errors[field] = problem
    if not isinstance(household.get("has_electricity"), bool):
        errors["has_electricity"] = "Say true or false."
    assets = household.get("assets") or []
    if not isinstance(assets, (list, tuple)) or any(asset not in ASSETS for asset in assets):
        errors["assets"] = f"A list of asset codes, each one of: {', '.join(ASSETS)}."
    for field, validator in (("phone_number", PHONE), ("payout_account", ACCOUNT)):
        if household.get(field) and (problem := _pattern_error(validator, household[field])):
            errors[field] = problem
    codes = {level: household.get(level) or "" for level in
             ("region_code", "province_code", "municipality_code", "barangay_code")}
    missing = [level for level in ("region_code", "municipality_code", "barangay_code") if not codes[level]]
    errors.update({level: "Required: a 10-digit PSGC code." for level in missing})
    if not missing:
        errors.update(geography.location_errors(**codes))
    return errors


_MEMBER_KEYS = frozenset({*MEMBER_FIELDS, "id"})
_AMOUNT_LIMIT, _CENT = Decimal("1e10"), Decimal("0.01")


def _member_errors(member: dict, *, today: date) -> dict[str, str]:
    unknown = member.keys() - _MEMBER_KEYS
    errors = {name: "Unknown field." for name in sorted(unknown)} if unknown else {}
    for field, limit in MEMBER_NAMES.items():
        value = member.get(field) or ""
        if not isinstance(value, str):
            errors[field] = "Text expected."
        elif field in REQUIRED_NAMES and not value.strip():
            errors[field] = "Required."
        elif len(value) > limit:
            errors[field] = f"At most {limit} characters."
    for field, choices in MEMBER_CHOICES.items():
        if problem := _choice_error(member.get(field), choices):
            errors[field] = problem
    for field in MEMBER_FLAGS:
        if not isinstance(member.get(field, False), bool):
            errors[field] = "Say true or false."
    birth_date = member.get("birth_date")
    if not isinstance(birth_date, date):
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
    try:
        income = Decimal(member.get("monthly_income") or 0)
        if income < 0 or income >= _AMOUNT_LIMIT or income != income.quantize(_CENT):
            errors["monthly_income"] = "An amount of 0 or more with at most 2 decimals."
    except (InvalidOperation, TypeError, ValueError):
        errors["monthly_income"] = "An amount of 0 or more with at most 2 decimals."
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
    seen_numbers = {}
    for position, member in enumerate(members):
        for field, problem in _member_errors(member, today=today).items():
            errors[f"members[{position}].{field}"] = problem
        number = member.get("philsys_number")
        if number and number in seen_numbers:
            errors[f"members[{position}].philsys_number"] = (
                f"The same PhilSys number as members[{seen_numbers[number]}].")
        seen_numbers.setdefault(number, position)
    return errors


def household_check(household: dict, members: list[dict], *, today: date) -> None:
    if errors := household_errors(household, members, today=today):
        raise HouseholdInvalid({path: [message] for path, message in errors.items()})


def household_values(household: Household) -> dict:
    """A saved household's fields as the rules above read them."""
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


def member_values(member: Member) -> dict:
    return {name: getattr(member, name) for name in MEMBER_FIELDS}
