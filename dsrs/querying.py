"""Small helpers every selector uses to narrow a queryset."""

from django.db.models import QuerySet

_ABSENT = (None, "", [], ())


def filtered(queryset: QuerySet, **lookups) -> QuerySet:
    """Apply each lookup that was given; one left out (None, empty) does not narrow the result."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value not in _ABSENT})


def in_regions(queryset: QuerySet, regions: frozenset[str] | None) -> QuerySet:
    """Rows whose `region_code` is one of `regions`; None means every region."""
    return queryset if regions is None else queryset.filter(region_code__in=regions)
