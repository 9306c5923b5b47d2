from .facts import Summary
from .stores import get_store


def summary_get(*, region_code: str | None = None, program_code: str | None = None) -> Summary:
    return get_store().summary(region_code=region_code, program_code=program_code)
