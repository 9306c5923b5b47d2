"""Small helpers every selector uses to narrow a queryset."""

from django.db.models import Field, QuerySet
from django.db.models.lookups import In

_ABSENT = (None, "", [], ())


def filtered(queryset: QuerySet, **lookups) -> QuerySet:
    """Apply each lookup that was given; one left out (None, empty) does not narrow the result."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value not in _ABSENT})


def in_regions(queryset: QuerySet, regions: frozenset[str] | None) -> QuerySet:
    """Rows whose `region_code` is one of `regions`; None means every region."""
    return queryset if regions is None else queryset.filter(region_code__in=regions)


class AnyOf(In):
    """`field__any_of=values`: `__in`, sent to PostgreSQL as `= ANY(%s)` with the values as one array.

    A list of thousands of values (a bulk registration's lookups) is then one parameter: psycopg
    splits a query's text at each placeholder in Python, which cost more than the query itself.
    Other databases get the plain IN.
    """

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        target = self.lhs.output_field
        values = [target.get_db_prep_value(value, connection, prepared=False) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


Field.register_lookup(AnyOf)
