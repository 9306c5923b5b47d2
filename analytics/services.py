"""Applying events to the read model. Each call is idempotent in the store itself."""

from dsrs.events import Event

from .facts import fact_of
from .stores import get_store


def events_apply(*, events: list[Event], generation: str | None = None) -> None:
    """Merge the events into their aggregates' states and the cells, in one store transaction
    (the live generation unless another is named, as a rebuild does)."""
    get_store().apply([fact_of(event) for event in events], generation=generation)
