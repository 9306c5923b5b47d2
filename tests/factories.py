from decimal import Decimal

import factory

from registry.geography import REGIONS


class HouseholdPayloadFactory(factory.DictFactory):
    """A valid body for POST /api/v1/households."""

    head_of_household_name = factory.Faker("name")
    address = factory.Faker("street_address")
    region_code = factory.Iterator(sorted(REGIONS))
    household_size = factory.Faker("random_int", min=1, max=9)
    monthly_income = factory.LazyFunction(lambda: "6500.00")
    pmt_score = factory.LazyFunction(lambda: "0.3100")

    class Params:
        poor = factory.Trait(monthly_income="4000.00", pmt_score="0.2000")
        well_off = factory.Trait(monthly_income="45000.00", pmt_score="0.8000")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Household"

    household_number = factory.Sequence(lambda n: f"HH-TEST{n:07d}")
    head_of_household_name = factory.Faker("name")
    address = factory.Faker("street_address")
    region_code = "1300000000"
    household_size = 4
    monthly_income = Decimal("6500.00")
    pmt_score = Decimal("0.3100")
