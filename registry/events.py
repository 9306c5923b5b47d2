"""What the registry publishes. Contracts: dsrs/events/contracts/registry.household.*.v3.json.

Events carry the facts other contexts decide on (score, model version, place, the members' ages,
sexes, disability, pregnancy, schooling and income), never names, addresses or ID numbers. v3 adds each
member's birth month (never the day), so that eligibility can compute ages on the day it re-assesses
(docs/eligibility.md, "Ages").
"""

from datetime import date

from dsrs.events import publish

from .models import Household, Member

HOUSEHOLD_REGISTERED = "registry.household.registered"
HOUSEHOLD_UPDATED = "registry.household.updated"
CONTRACT_VERSION = 3


def member_facts(member: Member, *, today: date) -> dict:
    return {
        "member_id": str(member.id),
        "age": member.age_on(today),
        "birth_month": f"{member.birth_date:%Y-%m}",
        "sex": member.sex,
        "relationship": member.relationship,
        "has_disability": member.has_disability,
        "is_pregnant": member.is_pregnant,
        "attending_school": member.attending_school,
        "monthly_income": f"{member.monthly_income:.2f}",
    }


def household_facts(household: Household, members: list[Member], *, today: date) -> dict:
    return {
        "household_id": str(household.id),
        "household_number": household.household_number,
        "version": household.version,
        "status": household.status,
        "region_code": household.region_code,
        "province_code": household.province_code,
        "municipality_code": household.municipality_code,
        "barangay_code": household.barangay_code,
        "household_size": household.household_size,
        "monthly_income": f"{household.monthly_income:.2f}",
        "per_capita_income": f"{household.per_capita_income:.2f}",
        "pmt_score": float(household.pmt_score),
        "pmt_model_version": household.pmt_model_version,
        "members": [member_facts(m, today=today) for m in members],
    }


def publish_household_registered(household: Household, members: list[Member], *, today: date) -> None:
    publish(HOUSEHOLD_REGISTERED, subject=str(household.id), version=CONTRACT_VERSION,
            data=household_facts(household, members, today=today))


def publish_household_updated(household: Household, members: list[Member], *, today: date) -> None:
    publish(HOUSEHOLD_UPDATED, subject=str(household.id), version=CONTRACT_VERSION,
            data=household_facts(household, members, today=today))
