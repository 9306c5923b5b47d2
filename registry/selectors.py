from django.db.models import QuerySet

from .models import Household


def household_list(*, region_code: str | None = None, status: str | None = None,
                   search: str | None = None) -> QuerySet[Household]:
    households = Household.objects.all()
    if region_code:
        households = households.filter(region_code=region_code)
    if status:
        households = households.filter(status=status)
    if search:
        households = households.filter(household_number=search.upper()) | households.filter(
            head_of_household_name__icontains=search
        )
    return households


def household_get(*, household_id) -> Household | None:
    return Household.objects.filter(pk=household_id).first()
