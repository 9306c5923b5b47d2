from .facts import Summary
from .stores import get_store


def summary_get(*, region_code: str | None = None, province_code: str | None = None,
                municipality_code: str | None = None, barangay_code: str | None = None,
                program_code: str | None = None) -> Summary:
    """The figures of the facts that match every filter given; one left out (None or '') does not narrow."""
    filters = {"region_code": region_code, "province_code": province_code, "municipality_code": municipality_code,
               "barangay_code": barangay_code, "program_code": program_code}
    return get_store().summary(match={field: value for field, value in filters.items() if value})
