"""The PMT score: computed by the active model from the household's inputs and members, carrying
the model's version, recomputed when an input changes and when a new model is activated."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dsrs.events.models import OutboxEvent
from registry import selectors, services
from registry.models import Household, PmtModel, PmtWeight
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def _updated_events(household):
    return OutboxEvent.objects.filter(key=str(household.id), event_type="registry.household.updated")


def test_a_score_is_the_intercept_plus_each_inputs_points_and_carries_the_model_version():
    household = HouseholdFactory()
    lines = selectors.pmt_breakdown(household=household)
    model = PmtModel.objects.get(status="active")
    assert household.pmt_model_version == model.version
    assert household.pmt_score == model.intercept + sum(line.points for line in lines)
    points = {(line.indicator, str(line.value)): line.points for line in lines}
    assert points[("wall_material", "light")] == Decimal("-0.04")
    assert points[("household_size", "2")] == Decimal("-0.04")  # -0.02 a member


def test_a_regional_weight_replaces_the_national_one():
    in_ncr = HouseholdFactory(region_code="1300000000", water_source="piped")
    in_ilocos = HouseholdFactory(region_code="0100000000", water_source="piped")
    # NCR's own weights: piped water 0 (0.04 nationally), electricity 0 (0.02 nationally)
    assert in_ilocos.pmt_score - in_ncr.pmt_score == Decimal("0.06")
    ncr_lines = {line.indicator: line.points for line in selectors.pmt_breakdown(household=in_ncr)}
    assert ncr_lines["water_source"] == ncr_lines["has_electricity"] == Decimal("0")


def test_changing_an_input_recomputes_the_score_and_announces_it():
    household = HouseholdFactory(roof_material="light")
    changed = services.household_update(household=household, changes={"roof_material": "strong"}, reason="new roof")
    assert changed.pmt_score == household.pmt_score + Decimal("0.10")
    assert changed.version == 2
    (event,) = _updated_events(household)
    assert event.envelope["data"]["pmt_score"] == float(changed.pmt_score)


def test_activating_a_new_model_rescores_every_household_and_announces_each_change():
    with_roof, without_change = HouseholdFactory(roof_material="light"), HouseholdFactory(roof_material="strong")
    draft = services.pmt_model_copy(pmt_model=PmtModel.objects.get(status="active"))
    PmtWeight.objects.filter(model=draft, indicator="roof_material", option="light").update(weight=Decimal("-0.15"))

    services.pmt_model_activate(pmt_model=draft)
    changed = services.households_rescore()

    assert changed == 2  # both carry the new version; only the light roof's score moves
    rescored = Household.objects.get(pk=with_roof.pk)
    assert (rescored.pmt_score, rescored.pmt_model_version) == (with_roof.pmt_score - Decimal("0.10"), draft.version)
    assert Household.objects.get(pk=without_change.pk).pmt_score == without_change.pmt_score
    (event,) = _updated_events(with_roof)
    assert event.envelope["data"]["pmt_model_version"] == draft.version
    assert PmtModel.objects.get(version=1).status == "retired"
    assert rescored.history.first().history_change_reason == "PMT recomputed"


def test_rescoring_again_changes_nothing_and_emits_nothing():
    HouseholdFactory()
    assert services.households_rescore() == 0
    assert not OutboxEvent.objects.filter(event_type="registry.household.updated").exists()


def test_only_a_draft_with_known_indicators_can_be_activated():
    active = PmtModel.objects.get(status="active")
    with pytest.raises(ValidationError, match="only a draft"):
        services.pmt_model_activate(pmt_model=active)
    draft = services.pmt_model_copy(pmt_model=active)
    PmtWeight.objects.create(model=draft, indicator="roof_material", option="thatch", weight=Decimal("-0.1"))
    with pytest.raises(ValidationError, match="'thatch' is not an option of roof_material"):
        services.pmt_model_activate(pmt_model=draft)
    assert PmtModel.objects.get(pk=active.pk).status == "active"
