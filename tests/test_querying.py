"""The kernel's query helpers."""

import pytest

from registry.models import Household
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_and_ignores_none():
    kept, other, _ = HouseholdFactory(), HouseholdFactory(), HouseholdFactory()
    numbers = [kept.household_number, other.household_number, "HH-NOT-THERE", None]
    found = set(Household.objects.filter(household_number__any_of=numbers).values_list("pk", flat=True))
    assert found == {kept.pk, other.pk} == set(Household.objects.filter(household_number__in=numbers)
                                                .values_list("pk", flat=True))
    assert not Household.objects.filter(household_number__any_of=[]).exists()
    assert Household.objects.exclude(id__any_of={kept.pk, other.pk}).count() == 1
