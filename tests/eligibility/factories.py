"""Household events as the registry publishes them (contract v3, or v2), and programs with rule sets."""

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import factory

from dsrs.events import Event
from dsrs.events.contracts import validate
from dsrs.events.envelope import SCHEMA_URN
from eligibility.handlers import on_households_changed
from eligibility.models import Program
from eligibility.services import rule_set_create, rule_set_publish

CENTRAL_VISAYAS, NCR = "0700000000", "1300000000"


class MemberFactsFactory(factory.DictFactory):
    member_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    age = 40
    birth_month = "1986-03"
    sex = "female"
    relationship = "head"
    has_disability = False
    is_pregnant = False
    attending_school = False
    monthly_income = "0.00"


class HouseholdDataFactory(factory.DictFactory):
    household_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    household_number = factory.Sequence(lambda n: f"HH-{n:06d}")
    version = 1
    status = "active"
    region_code = CENTRAL_VISAYAS
    province_code = "0702200000"
    municipality_code = "0702217000"
    barangay_code = "0702217001"
    pmt_score = 0.3
    pmt_model_version = 1
    members = factory.LazyFunction(lambda: [MemberFactsFactory()])
    household_size = factory.LazyAttribute(lambda o: len(o.members))
    monthly_income = factory.LazyAttribute(lambda o: f"{sum(Decimal(m['monthly_income']) for m in o.members):.2f}")
    per_capita_income = factory.LazyAttribute(
        lambda o: f"{sum(Decimal(m['monthly_income']) for m in o.members) / len(o.members):.2f}")


def household_event(data: dict, *, schema_version: int = 3, at: datetime | None = None,
                    event_type: str = "registry.household.registered") -> Event:
    if schema_version == 2:
        data = dict(data, members=[{k: v for k, v in m.items() if k != "birth_month"} for m in data["members"]])
    validate(event_type, schema_version, data)
    return Event(type=event_type, subject=data["household_id"], data=data, source="dsrs",
                 dataschema=SCHEMA_URN.format(type=event_type, version=schema_version),
                 **({"time": at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")} if at else {}))


def deliver(*datas: dict, **kwargs) -> list[Event]:
    events = [household_event(data, **kwargs) for data in datas]
    on_households_changed(events)
    return events


def program_with_rules(code: str, criteria: list, *, exclusions=(), parameters=None, region_parameters=None,
                       **fields) -> Program:
    """An active program with a published rule set (published without the background re-assessment)."""
    program = Program.objects.create(code=code, name=code.title(), status=Program.Status.ACTIVE, **fields)
    rule_set = rule_set_create(program=program, criteria=criteria, exclusions=exclusions, parameters=parameters,
                               region_parameters=region_parameters)
    rule_set_publish(rule_set=rule_set, reassess=False)
    program.refresh_from_db()
    return program


def criterion(code: str, expression: str, label: str | None = None) -> dict:
    return {"code": code, "label": label or code.replace("_", " "), "expression": expression}
