"""The registry's tables refuse what could not be read back, on SQLite as on PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from registry.models import Household, Member
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

TOO_LARGE = Decimal("19999999999.98")  # two incomes of 9,999,999,999.99: more digits than the columns hold


@pytest.mark.parametrize("model, field", [(Household, "monthly_income"), (Household, "per_capita_income"),
                                          (Member, "monthly_income")])
def test_an_income_that_does_not_fit_its_column_is_never_committed(model, field):
    household = HouseholdFactory()
    rows = model.objects.filter(pk=household.pk) if model is Household else household.members.all()

    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        rows.update(**{field: TOO_LARGE})

    assert list(model.objects.filter(pk__in=rows.values("pk")).values_list(field, flat=True))  # still readable
