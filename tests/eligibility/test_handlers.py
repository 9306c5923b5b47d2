"""Eligibility consuming household events: the place and PMT model of a household reach its assessment."""

import pytest
from django.db import transaction

from dsrs.events import Event, publish
from dsrs.events.models import OutboxEvent
from eligibility.handlers import on_households_changed
from eligibility.models import Assessment
from tests.events.test_envelope_and_contracts import HOUSEHOLD
from tests.factories import HouseholdFactory, location_in

pytestmark = pytest.mark.django_db

CENTRAL_VISAYAS, NCR = "0700000000", "1300000000"
LEVELS = ("region_code", "province_code", "municipality_code", "barangay_code")


def published(event_type: str) -> list[Event]:
    return [Event.from_dict(row.envelope) for row in OutboxEvent.objects.filter(event_type=event_type).order_by("id")]


@pytest.mark.parametrize("region_code", [CENTRAL_VISAYAS, NCR], ids=["with a province", "NCR, no province"])
def test_an_assessment_keeps_the_place_and_pmt_model_of_a_v3_household_event_and_announces_the_place(region_code):
    household = HouseholdFactory(region_code=region_code)
    (registered,) = published("registry.household.registered")
    assert registered.schema_version == 3

    on_households_changed([registered])

    place = location_in(region_code)
    assert Assessment.objects.values(*LEVELS, "pmt_model_version").get() == place | {
        "pmt_model_version": household.pmt_model_version}
    assert household.pmt_model_version >= 1
    (approved,) = published("eligibility.assessment.approved")
    assert approved.schema_version == 2
    assert {level: approved.data[level] for level in LEVELS} == place


def test_a_v1_household_event_left_in_a_log_is_still_assessed_with_no_place_below_the_region_and_model_0():
    with transaction.atomic():
        publish("registry.household.registered", subject=HOUSEHOLD["household_id"], version=1, data=HOUSEHOLD)
    (registered,) = published("registry.household.registered")
    assert registered.schema_version == 1

    on_households_changed([registered])

    region_only = {"region_code": HOUSEHOLD["region_code"], "province_code": "", "municipality_code": "",
                   "barangay_code": ""}
    assert Assessment.objects.values(*LEVELS, "pmt_model_version").get() == region_only | {"pmt_model_version": 0}
    (approved,) = published("eligibility.assessment.approved")
    assert approved.schema_version == 2
    assert {level: approved.data[level] for level in LEVELS} == region_only
