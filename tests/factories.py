from datetime import date
from decimal import Decimal
from functools import cache

import factory

from registry.geography import REGIONS, areas, locate


@cache
def location_in(region_code: str) -> dict:
    """The four PSGC codes of a real barangay of the region (the first in code order)."""
    barangay = min(code for code, area in areas().items() if area.kind == "barangay" and code[:2] == region_code[:2])
    found = locate(barangay)
    return {"region_code": found.region_code, "province_code": found.province_code,
            "municipality_code": found.municipality_code, "barangay_code": found.barangay_code}


def _located(level: str):
    return factory.LazyAttribute(lambda payload: location_in(payload.region_code)[level])


class MemberPayloadFactory(factory.DictFactory):
    """A member as the API takes it (dates and amounts as strings)."""

    given_name = factory.Faker("first_name")
    middle_name = ""
    family_name = factory.Faker("last_name")
    sex = "female"
    birth_date = "1986-04-12"
    relationship = "head"
    civil_status = "married"
    has_disability = False
    is_pregnant = False
    attending_school = False
    occupation = "vendor"
    monthly_income = "4000.00"

    class Params:
        child = factory.Trait(relationship="child", civil_status="single", birth_date="2016-08-03", sex="male",
                              attending_school=True, occupation="", monthly_income="0.00")
        earner = factory.Trait(relationship="spouse", sex="male", birth_date="1983-01-20", occupation="driver",
                               monthly_income="22000.00")


class HouseholdPayloadFactory(factory.DictFactory):
    """A valid body for POST /api/v1/households: by default a poor-ish family of two that the
    default program approves (PMT score about 0.41, income 4,000)."""

    address = factory.Faker("street_address")
    region_code = factory.Iterator(sorted(REGIONS))
    province_code = _located("province_code")
    municipality_code = _located("municipality_code")
    barangay_code = _located("barangay_code")
    roof_material = "mixed"
    wall_material = "light"
    tenure = "rent_free"
    water_source = "shared_tap"
    toilet_facility = "shared"
    has_electricity = True
    assets = factory.LazyFunction(lambda: ["smartphone"])
    members = factory.LazyFunction(lambda: [MemberPayloadFactory(), MemberPayloadFactory(child=True)])

    class Params:
        poor = factory.Trait(roof_material="light", tenure="informal", water_source="unprotected",
                             toilet_facility="none", has_electricity=False, assets=[])
        well_off = factory.Trait(
            roof_material="strong", wall_material="strong", tenure="owned", water_source="piped",
            toilet_facility="water_sealed", assets=["television", "refrigerator", "washing_machine", "car"],
            members=factory.LazyFunction(lambda: [MemberPayloadFactory(monthly_income="45000.00"),
                                                  MemberPayloadFactory(earner=True)]))


def as_registration(payload: dict) -> tuple[dict, list[dict]]:
    """An API payload as the registry's services take it: dates and amounts typed."""
    household = {k: v for k, v in payload.items() if k != "members"}
    members = [{**m, "birth_date": date.fromisoformat(m["birth_date"]) if isinstance(m["birth_date"], str)
                else m["birth_date"], "monthly_income": Decimal(str(m["monthly_income"]))} for m in payload["members"]]
    return household, members


class HouseholdFactory(HouseholdPayloadFactory):
    """A registered household (through the registry's service, so it is scored, kept and announced);
    takes the payload's fields and traits: HouseholdFactory(region_code=..., poor=True)."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from registry.services import household_register

        household, members = as_registration(dict(*args, **kwargs))
        return household_register(household=household, members=members, reason="registered by a test")
