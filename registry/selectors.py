from django.db.models import QuerySet

from dsrs.personal_data import blind_index
from dsrs.querying import filtered, in_regions

from .models import Household, canonical_number

_INDEX_OF = {"head_philsys_number": "head_philsys_index", "phone_number": "phone_index",
             "payout_account": "payout_account_index"}


def household_list(*, regions: frozenset[str] | None, region_code: str | None = None, status: str | None = None,
                   search: str | None = None, pmt_min=None, pmt_max=None, updated_since=None,
                   ordering: str = "-created_at") -> QuerySet[Household]:
    """Households in `regions` (None: every region) matching the filters."""
    households = filtered(in_regions(Household.objects.order_by(ordering, "id"), regions),
                          pmt_score__gte=pmt_min, pmt_score__lte=pmt_max, updated_at__gte=updated_since,
                          region_code=region_code, status=status)
    if search:
        households = households.filter(household_number=search.upper()) | households.filter(
            head_of_household_name__icontains=search
        )
    return households


def household_get(*, household_id, regions: frozenset[str] | None) -> Household | None:
    """The household, or None if it does not exist or lies outside `regions` (the caller cannot tell which)."""
    return in_regions(Household.objects.all(), regions).filter(pk=household_id).first()


def households_with_number(*, field: str, value: str, regions: frozenset[str] | None) -> QuerySet[Household]:
    """Households whose sensitive `field` equals `value`, found by blind index (nothing is decrypted)."""
    return in_regions(Household.objects.all(), regions).filter(**{_INDEX_OF[field]: blind_index(canonical_number(field, value), purpose=field)})
