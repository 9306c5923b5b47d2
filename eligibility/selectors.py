from django.db.models import QuerySet

from dsrs.querying import filtered, in_regions

from .models import Assessment


def assessment_list(*, regions: frozenset[str] | None, household_id=None, decision: str | None = None,
                    region_code: str | None = None) -> QuerySet[Assessment]:
    return filtered(in_regions(Assessment.objects.all(), regions),
                    household_id=household_id, decision=decision, region_code=region_code)
