from django.db.models import QuerySet

from dsrs.querying import filtered, in_regions

from .models import Payment


def payment_list(*, regions: frozenset[str] | None, household_id=None, status: str | None = None, cycle: str | None = None,
                 region_code: str | None = None) -> QuerySet[Payment]:
    return filtered(in_regions(Payment.objects.all(), regions),
                    household_id=household_id, status=status, cycle=cycle, region_code=region_code)
