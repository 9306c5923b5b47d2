from django.db.models import QuerySet

from .models import Assessment


def assessment_list(*, regions: frozenset[str] | None, household_id=None, decision: str | None = None,
                    region_code: str | None = None) -> QuerySet[Assessment]:
    assessments = Assessment.objects.all() if regions is None else Assessment.objects.filter(region_code__in=regions)
    if household_id:
        assessments = assessments.filter(household_id=household_id)
    if decision:
        assessments = assessments.filter(decision=decision)
    if region_code:
        assessments = assessments.filter(region_code=region_code)
    return assessments
