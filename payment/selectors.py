from django.db.models import QuerySet

from .models import Payment


def payment_list(*, regions: frozenset[str] | None, household_id=None, status: str | None = None, cycle: str | None = None,
                 region_code: str | None = None) -> QuerySet[Payment]:
    payments = Payment.objects.all() if regions is None else Payment.objects.filter(region_code__in=regions)
    if household_id:
        payments = payments.filter(household_id=household_id)
    if status:
        payments = payments.filter(status=status)
    if cycle:
        payments = payments.filter(cycle=cycle)
    if region_code:
        payments = payments.filter(region_code=region_code)
    return payments
